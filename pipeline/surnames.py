"""A second look at the surname of a name that starts with no surname.

A Han name begins with its surname (and so do the names of most other groups: 回, 满, 壮,
锡伯…), and surnames are a closed list: the Hundred Family
Surnames (百家姓), plus those common today that it lacks (肖, 付, 覃…). Greedy recognition
can read a rare surname on a blurred card as a common look-alike that is no surname at all
(股 for 殷), and is often sure of it. Where the holder's group names with surnames and the
name's first character is no surname, the engine scores the name line with each surname in its
place (models.ctc), and the likeliest is taken if it is clearly ahead of the rest.

Groups whose names customarily carry no Han surname (扎西顿珠, 阿依古丽, 岩温) are left as read,
and so is a name of a group not read.
The name's confidence becomes no higher than the chosen reading's likelihood per character
(on the blurred card above, 0.06), so a reviewer sees it among the uncertain fields."""

from __future__ import annotations

import math

import numpy as np

from models.ocr import crop_quad
from pipeline.closed_lists import RanksTexts, choose, rescored
from pipeline.extract.base import Extracted
from schemas.documents import DocType

HUNDRED_FAMILY_SURNAMES = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康"
    "伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵"
    "席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗"
    "丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫"
    "乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄"
    "印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂"
    "濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘"
    "匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相"
    "查后荆红游竺权逯盖益桓公仉督晋楚闫法汝鄢涂钦归海岳帅缑亢况郈有琴商牟佘佴伯赏墨哈谯笪年爱"
    "阳佟言福"
)
"""The single-character surnames of the Hundred Family Surnames, in its order."""
MODERN_SURNAMES = "肖付覃代邝谌揭卿仝冼粟邸练敬战矫母苑丛过尧银旷兰信蹇修植豆庹禤郇"
"""Surnames common today that the Hundred Family Surnames lacks or spells otherwise (肖 for 萧)."""
COMPOUND_SURNAMES = (
    "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟", "公羊",
    "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙", "轩辕", "令狐",
    "钟离", "宇文", "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "亓官", "司寇", "子车", "颛孙",
    "端木", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干",
    "百里", "东郭", "南门", "呼延", "羊舌", "微生", "梁丘", "左丘", "东门", "西门", "伯赏", "南宫",
    "第五", "独孤",
)
SINGLE_SURNAMES = tuple(dict.fromkeys(HUNDRED_FAMILY_SURNAMES + MODERN_SURNAMES))

NAMED_WITHOUT_SURNAMES = frozenset({
    "藏", "维吾尔", "蒙古", "哈萨克", "柯尔克孜", "塔吉克", "乌孜别克", "塔塔尔", "俄罗斯", "门巴", "珞巴",
    "傣", "景颇", "佤", "独龙", "怒", "基诺", "哈尼", "拉祜", "彝", "德昂", "布朗",
})
"""Groups whose names customarily carry no Han surname: given names alone, transliterated names,
or patronymic chains (彝)."""

SURNAME_MARGIN = 3.0
"""How far (log-likelihood) the likeliest surname must lead the runner-up: e³ ≈ 20×. With
over 500 surnames to choose from, a smaller lead is often a look-alike winning by chance."""
BEHIND_GREEDY = 12.0
"""How far below the greedy reading the chosen surname may score. Greedy recognition is often
sure of a look-alike that is no surname (股瑜利 for 殷瑜利, e⁸ more likely to the model), so
this is looser than the other closed lists' limit; a line that is not the name at all still
leaves every surname further behind."""


def starts_with_surname(name: str) -> bool:
    return name[:2] in COMPOUND_SURNAMES or name[:1] in SINGLE_SURNAMES


def reread_surname(engine: object, image: np.ndarray, doc_type: DocType, extracted: Extracted) -> bool:
    """Put right, in place, the surname of a name that starts with none, where the holder's
    group names with surnames; True if the name changed."""
    name, group = extracted.fields.get("name"), extracted.fields.get("ethnicity")
    if (doc_type is not DocType.ID_CARD_FRONT or not isinstance(engine, RanksTexts) or not name
            or group is None or group in NAMED_WITHOUT_SURNAMES or "·" in name
            or len(name) < 2 or starts_with_surname(name)):
        return False
    line = next((line for line in extracted.sources.get("name", []) if name in line.text), None)
    if line is None:  # the name was pieced together from several lines: left as read
        return False
    before, after = line.text.split(name, 1)
    candidates = [surname + name[1:] for surname in SINGLE_SURNAMES]
    candidates += [surname + name[2:] for surname in COMPOUND_SURNAMES if len(name) >= 3]
    texts = [before + candidate + after for candidate in candidates]
    ranked = engine.rank_texts(crop_quad(image, line.box), texts + [line.text])
    chosen = choose(ranked[:-1], greedy=ranked[-1], margin=SURNAME_MARGIN, behind=BEHIND_GREEDY)
    if chosen is None or not math.isfinite(ranked[chosen]):
        return False
    extracted.fields["name"] = candidates[chosen]
    extracted.sources["name"] = [rescored(line, ranked[chosen], texts[chosen]) if other is line else other
                                 for other in extracted.sources["name"]]
    return True
