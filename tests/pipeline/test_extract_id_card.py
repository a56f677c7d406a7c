"""The ID card front's extractor on what blurred photos read: labels half lost."""

from __future__ import annotations

from pipeline.extract.base import strip_label
from pipeline.extract.id_card import extract_id_card_back, extract_id_card_front, normalize_authority
from pipeline.layout import Layout
from tests.pipeline.layout_kit import card_layout as _front

VALID_ID = "110107195212252866"


def test_one_character_left_of_a_label_is_not_part_of_the_value():
    layout = _front(("姓姚晓晓", 0.05, 0.1), ("性别女民族汉", 0.05, 0.23), ("出生1952年12月25日", 0.05, 0.36),
                    ("址北京市海淀区高陈大街1号", 0.05, 0.47), ("公民身份号码", 0.05, 0.84), (VALID_ID, 0.34, 0.83))
    fields = extract_id_card_front(layout).fields
    assert fields["name"] == "姚晓晓"
    assert fields["address"] == "北京市海淀区高陈大街1号"


def test_digits_above_the_card_are_no_name():
    # a number printed on something lying over the card's top edge, the 姓名 label lost
    layout = _front(("782362", 0.49, 0.0), ("江宝凤", 0.16, 0.14), ("性别女民族汉", 0.05, 0.26),
                    ("出生1953年2月9日", 0.05, 0.39), ("住址甘肃省兰州市永登县吴光", 0.05, 0.5),
                    ("公民身份号码", 0.05, 0.84), (VALID_ID, 0.34, 0.83))
    fields = extract_id_card_front(layout).fields
    assert (fields["name"], fields["sex"], fields["ethnicity"]) == ("江宝凤", "女", "汉")


def test_print_beside_the_card_that_joined_the_name_row_is_not_the_name():
    # a card lying on a printed notice, its outline taking in the notice's last lines: they
    # read into the name's row, before 姓名 (seed 2027's photo)
    layout = _front(("办机构受理后将在规定时限内", 0.02, 0.1), ("姓名唐暄雪", 0.36, 0.1),
                    ("性别男民族阿昌", 0.05, 0.23), ("出生1949年3月7日", 0.05, 0.36),
                    ("住址内蒙古自治区锡林郭勒盟", 0.05, 0.47), ("公民身份号码", 0.05, 0.84), (VALID_ID, 0.34, 0.83))
    fields = extract_id_card_front(layout).fields
    assert fields["name"] == "唐暄雪"
    assert (fields["sex"], fields["ethnicity"]) == ("男", "阿昌")


def test_a_garbled_label_in_a_box_of_its_own_is_not_part_of_the_value():
    layout = _front(("路名", 0.05, 0.1), ("股瑜利", 0.15, 0.1), ("性别女民族汉", 0.05, 0.23),
                    ("出生1953年10月12日", 0.05, 0.36), ("售纯", 0.05, 0.47), ("甘肃省甘南藏族自治州玛", 0.15, 0.47),
                    ("曲县安庄西路225号", 0.16, 0.55), ("公民身份号码", 0.05, 0.84), (VALID_ID, 0.34, 0.83))
    fields = extract_id_card_front(layout).fields
    assert fields["name"] == "股瑜利"
    assert fields["address"] == "甘肃省甘南藏族自治州玛曲县安庄西路225号"


def test_a_value_in_two_boxes_right_of_the_label_column_stays_whole():
    layout = _front(("欧阳", 0.17, 0.1), ("娜娜", 0.23, 0.1), ("性别女民族汉", 0.05, 0.23),
                    ("出生1953年10月12日", 0.05, 0.36), ("甘肃省甘南藏族自治州玛", 0.17, 0.47),
                    ("公民身份号码", 0.05, 0.84), (VALID_ID, 0.34, 0.83))
    assert extract_id_card_front(layout).fields["name"] == "欧阳娜娜"


def test_remnants_go_only_where_asked_and_a_two_character_value_stays_whole():
    assert strip_label("姓名姚晓晓", "姓名") == "姚晓晓"
    assert strip_label("姓姚晓晓", "姓名") == "姓姚晓晓"
    assert strip_label("姓姚晓晓", "姓名", remnant=True) == "姚晓晓"
    assert strip_label("名姚", "姓名", remnant=True) == "名姚"
    assert strip_label("姚晓晓", "姓名", remnant=True) == "姚晓晓"


def _back(authority_row: list[str], validity: str = "有效期限2019.11.02-长期") -> Layout:
    rows = [("中华人民共和国", 0.39, 0.12), ("居民身份证", 0.37, 0.3)]
    x = 0.2
    for text in authority_row:
        rows.append((text, x, 0.7))
        x += 0.025 * len(text) + 0.05
    rows.append((validity, 0.2, 0.82))
    return _front(*rows)


def test_an_authority_whose_label_left_no_line_is_the_whole_row():
    rows = [("中华人民共和国", 0.39, 0.12), ("居民身份证", 0.37, 0.3), ("北京市公安局朝阳分局", 0.36, 0.7),
            ("附车", 0.2, 0.82), ("2024.12.17-长期", 0.36, 0.82)]
    fields = extract_id_card_back(_front(*rows)).fields
    assert fields["issuing_authority"] == "北京市公安局朝阳分局"
    assert fields["valid_from"] == "2024-12-17"


def test_a_garbled_label_is_cut_even_where_the_card_sits_right_of_its_outline():
    rows = [("中华人民共和国", 0.49, 0.09), ("居民身份证", 0.47, 0.19), ("答案机关五大连池市公安局", 0.36, 0.47),
            ("有注题地", 0.36, 0.55), ("2013.02.06-2018.02.06", 0.47, 0.55)]
    assert extract_id_card_back(_front(*rows)).fields["issuing_authority"] == "五大连池市公安局"


def test_a_blurred_authority_label_is_found_by_the_row_it_prints_on():
    assert extract_id_card_back(_back(["营发积发天津市公安局和平分局"])).fields["issuing_authority"] == "天津市公安局和平分局"
    assert extract_id_card_back(_back(["营发积", "天津市公安局和平分局"])).fields["issuing_authority"] == "天津市公安局和平分局"


def test_print_beside_the_card_left_of_its_authority_row_is_not_the_authority():
    # (seed 110's photo: the card's edge read as 639 on rows of their own, and 签发机关 as 警圳机美)
    rows = [("中华人民共和国", 0.38, 0.16), ("居民身份证", 0.37, 0.32), ("639", 0.0, 0.47), ("hey", 0.0, 0.58),
            ("68w", 0.0, 0.67), ("警圳机美元谋县公安局", 0.26, 0.74), ("专汽地准", 0.28, 0.86), ("2011.08.17-长期", 0.42, 0.85)]
    assert extract_id_card_back(_front(*rows)).fields["issuing_authority"] == "元谋县公安局"


def test_digits_alone_name_no_authority():
    assert normalize_authority("639") is None
    assert normalize_authority("仫佬族自治县公安局") == "仫佬族自治县公安局"


def test_the_back_without_any_authority_row_reads_only_its_validity():
    fields = extract_id_card_back(_back([])).fields
    assert "issuing_authority" not in fields
    assert fields["valid_from"] == "2019-11-02" and fields["valid_until"] == "长期"


def test_an_authority_ends_in_a_bureau_or_its_branch():
    assert normalize_authority("上海市公安网静安分网") == "上海市公安局静安分局"
    assert normalize_authority("沧州市公案网运河外局") == "沧州市公安局运河分局"
    assert normalize_authority("天津市公安局河东分商") == "天津市公安局河东分局"
    assert normalize_authority("舟曲县公安局") == "舟曲县公安局"
    assert normalize_authority("北京市公安局朝阳分局") == "北京市公安局朝阳分局"
    assert normalize_authority("  ") is None


def test_a_validity_row_with_its_label_garbled_and_colons_for_dots_is_still_read():
    rows = [("中华人民共和国", 0.39, 0.12), ("居民身份证", 0.37, 0.3), ("兼发机关沧州市公安局运河分局", 0.2, 0.7),
            ("有效用2008,04:25-2018:04.25", 0.2, 0.82)]
    fields = extract_id_card_back(_front(*rows)).fields
    assert (fields["valid_from"], fields["valid_until"]) == ("2008-04-25", "2018-04-25")


def test_a_birth_row_that_lost_its_year_and_month_marks_is_read_by_the_id_number():
    layout = _front(("孔珺英", 0.05, 0.1), ("核男员增塔尔", 0.05, 0.23), ("出表", 0.05, 0.36), ("1968927日", 0.16, 0.36),
                    ("址北京市东城区鹤岭街20号", 0.05, 0.47), ("31010119680927149X", 0.34, 0.83))
    fields = extract_id_card_front(layout).fields
    assert fields["birth_date"] == "1968-09-27"
    assert fields["address"] == "北京市东城区鹤岭街20号"


def test_with_neither_its_label_nor_the_birth_date_read_the_address_starts_where_the_card_prints_it():
    # labels too faint to detect, 女 read as 交, the birth date's digits garbled
    layout = _front(("丁输国", 0.16, 0.16), ("交", 0.16, 0.28), ("196117日", 0.16, 0.39),
                    ("北京市石景山区屯中巷361", 0.16, 0.50), ("号兴李新村20号楼1单元", 0.16, 0.57), (VALID_ID, 0.34, 0.86))
    fields = extract_id_card_front(layout).fields
    assert fields["address"] == "北京市石景山区屯中巷361号兴李新村20号楼1单元"
    assert "birth_date" not in fields


def test_the_address_line_that_fell_into_the_number_row_stays_in_the_address():
    layout = _front(("姓名侯婷", 0.07, 0.1), ("性别女民族俄罗斯", 0.07, 0.23), ("出生1942年3月20日", 0.07, 0.36),
                    ("住址", 0.07, 0.47), ("北京市东城区东兰街道五", 0.19, 0.47), ("红东路100号院高江新村1", 0.19, 0.55),
                    ("8栋5单元", 0.19, 0.63), (VALID_ID, 0.35, 0.625))
    assert extract_id_card_front(layout).fields["address"] == "北京市东城区东兰街道五红东路100号院高江新村18栋5单元"
    # the number's own label, where the card prints it, is not taken for the address
    layout = _front(("姓名侯婷", 0.07, 0.1), ("性别女民族俄罗斯", 0.07, 0.23), ("出生1942年3月20日", 0.07, 0.36),
                    ("住址", 0.07, 0.47), ("北京市东城区东兰街道五", 0.19, 0.47), ("公民身份号码", 0.06, 0.84),
                    (VALID_ID, 0.34, 0.83))
    assert extract_id_card_front(layout).fields["address"] == "北京市东城区东兰街道五"


def test_a_garbled_number_label_under_a_one_line_address_is_not_taken_for_its_end():
    layout = _front(("姓名侯婷", 0.05, 0.1), ("性别女民族汉", 0.05, 0.23), ("出生1942年3月20日", 0.05, 0.36),
                    ("住址天津市红桥区柳东街69号", 0.05, 0.47), ("社民券份号州", 0.05, 0.84), (VALID_ID, 0.34, 0.835))
    assert extract_id_card_front(layout).fields["address"] == "天津市红桥区柳东街69号"


def test_the_number_label_read_into_the_address_last_row_is_not_part_of_it():
    layout = _front(("姓名杨黄", 0.05, 0.1), ("性别女民族汉", 0.05, 0.23), ("出生1952年12月25日", 0.05, 0.36),
                    ("住址四川省成都市大邑县平主", 0.05, 0.47), ("乡杨黄庄九组216号", 0.16, 0.55),
                    ("公民身份号玛", 0.33, 0.56), (VALID_ID, 0.34, 0.83))
    assert extract_id_card_front(layout).fields["address"] == "四川省成都市大邑县平主乡杨黄庄九组216号"
