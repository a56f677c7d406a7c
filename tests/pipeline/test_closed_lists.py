"""The second look at closed-list fields, on lines rendered in the fonts cards use and read by
the real RapidOCR recognition model."""

from __future__ import annotations

import numpy as np
import pytest

from models.ocr import TextLine
from pipeline.closed_lists import reread_closed_fields
from pipeline.extract.base import Extracted
from pipeline.layout import Layout
from pipeline.regions import issuing_authorities
from schemas.documents import DocType
from tests.pipeline.layout_kit import rendered_line

RARE_GROUPS = ("仫佬", "仡佬", "傈僳", "鄂伦春", "柯尔克孜", "佤", "畲")


def _layout(image: np.ndarray, misread: str) -> Layout:
    """One detected line covering the whole image, recognized as `misread`."""
    height, width = image.shape[:2]
    box = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    return Layout([TextLine(misread, 0.86, box)], width, height)


@pytest.fixture(scope="module")
def engine(reader):
    return reader.engine


@pytest.mark.parametrize("group", RARE_GROUPS)
def test_a_misread_group_is_read_again_against_the_list(engine, group):
    image = rendered_line(f"民族 {group}")
    misread = "民族" + "仏" + group[1:]  # the look-alike greedy decoding gave on a register
    extracted = Extracted()
    filled = reread_closed_fields(engine, image, DocType.HOUSEHOLD_REGISTER, _layout(image, misread), extracted)
    assert filled == ["ethnicity"]
    assert extracted.fields["ethnicity"] == group
    assert 0 < extracted.sources["ethnicity"][0].score <= 0.86


def test_value_in_its_own_line_right_of_the_label(engine):
    label, value = rendered_line("民族"), rendered_line("仫佬")
    gap = np.full((label.shape[0], 40, 3), (232, 240, 246), np.uint8)
    image = np.concatenate([label, gap, value], axis=1)
    height, x_value = image.shape[0], label.shape[1] + gap.shape[1]
    boxes = [np.array([[0, 0], [label.shape[1], 0], [label.shape[1], height], [0, height]], np.float32),
             np.array([[x_value, 0], [image.shape[1], 0], [image.shape[1], height], [x_value, height]], np.float32)]
    layout = Layout([TextLine("民族", 0.99, boxes[0]), TextLine("仏佬", 0.8, boxes[1])], image.shape[1], height)
    extracted = Extracted()
    assert reread_closed_fields(engine, image, DocType.ID_CARD_FRONT, layout, extracted) == ["ethnicity"]
    assert extracted.fields["ethnicity"] == "仫佬"


def test_a_line_that_names_no_group_stays_unread(engine):
    image = rendered_line("民族 未填写")
    extracted = Extracted()
    assert reread_closed_fields(engine, image, DocType.HOUSEHOLD_REGISTER, _layout(image, "民族未填写"), extracted) == []
    assert "ethnicity" not in extracted.fields


def test_a_field_already_read_is_left_alone(engine):
    image = rendered_line("民族 仫佬")
    extracted = Extracted()
    extracted.put("ethnicity", "汉", [])
    assert reread_closed_fields(engine, image, DocType.HOUSEHOLD_REGISTER, _layout(image, "民族汉"), extracted) == []
    assert extracted.fields["ethnicity"] == "汉"


def test_engines_that_cannot_rank_are_left_as_they_are():
    image = rendered_line("民族 仫佬")
    extracted = Extracted()
    assert reread_closed_fields(object(), image, DocType.HOUSEHOLD_REGISTER, _layout(image, "民族仏佬"), extracted) == []


def test_label_inside_a_line_that_starts_with_another_field(engine):
    # the ID card's 性别 and 民族 share a row and are often detected as one line
    image = rendered_line("性别 男  民族 白")
    extracted = Extracted()
    filled = reread_closed_fields(engine, image, DocType.ID_CARD_FRONT, _layout(image, "性则男民族自"), extracted)
    assert filled == ["ethnicity"]
    assert extracted.fields["ethnicity"] == "白"


def _read_back(engine, printed: str, misread: str, value: str | None):
    """Re-read an ID card back's authority line: `printed` rendered, `misread` what recognition
    gave for the line, `value` what extraction took from it."""
    image = rendered_line(printed)
    layout = _layout(image, misread)
    extracted = Extracted()
    if value is not None:
        extracted.put("issuing_authority", value, list(layout.lines))
    changed = reread_closed_fields(engine, image, DocType.ID_CARD_BACK, layout, extracted)
    return changed, extracted.fields.get("issuing_authority")


def test_a_misread_issuing_authority_is_put_right_from_the_offices_that_issue_cards(engine):
    # the label garbled too (管发机生), so the line is the one extraction read the value from
    assert _read_back(engine, "签发机关 舟曲县公安局", "管发机生典曲路公安局", "典曲路公安局") == (
        ["issuing_authority"], "舟曲县公安局")


def test_an_authority_the_table_lacks_read_right_is_kept(engine):
    # not a district of Beijing; two characters from every 北京市公安局某某分局 on the list
    assert "北京市公安局亦庄分局" not in issuing_authorities()
    assert _read_back(engine, "签发机关 北京市公安局亦庄分局", "签发机关北京市公安局亦庄分局",
                      "北京市公安局亦庄分局") == ([], "北京市公安局亦庄分局")


class _Scripted:
    """A ranker whose scores are given (the model's part is tested above): the rule alone."""

    def __init__(self, scores: dict[str, float], greedy: float):
        self.scores, self.greedy = scores, greedy

    def rank_texts(self, crop, texts):
        return [self.scores.get(text.removeprefix("签发机关"), -40.0) for text in texts[:-1]] + [self.greedy]


@pytest.mark.parametrize("runner_up, taken", [(-5.0, "花垣县公安局"), (-4.0, None)])
def test_an_office_one_character_from_an_off_list_reading_needs_a_smaller_lead(runner_up, taken):
    # 花垣县 is one character from 花塔县 as read: leading by 2.8 in the first case, less than
    # the 4 a list of thousands asks, it is still taken as the reading with one slip put right
    image = rendered_line("签发机关 花垣县公安局")
    layout = _layout(image, "签发机关花塔县公安局")
    extracted = Extracted()
    extracted.put("issuing_authority", "花塔县公安局", list(layout.lines))
    ranker = _Scripted({"花垣县公安局": -2.2, "花县公安局": runner_up}, greedy=-1.4)
    reread_closed_fields(ranker, image, DocType.ID_CARD_BACK, layout, extracted)
    assert extracted.fields["issuing_authority"] == (taken or "花塔县公安局")


def test_an_office_two_characters_from_an_off_list_reading_needs_the_full_lead():
    image = rendered_line("签发机关 宣恩县公安局")
    layout = _layout(image, "签发机关重港县公安局")
    extracted = Extracted()
    extracted.put("issuing_authority", "重港县公安局", list(layout.lines))
    ranker = _Scripted({"宣恩县公安局": -7.0, "富县公安局": -10.0}, greedy=-3.0)
    assert reread_closed_fields(ranker, image, DocType.ID_CARD_BACK, layout, extracted) == []
    ranker.scores["富县公安局"] = -11.5
    assert reread_closed_fields(ranker, image, DocType.ID_CARD_BACK, layout, extracted) == ["issuing_authority"]
    assert extracted.fields["issuing_authority"] == "宣恩县公安局"


def test_an_authority_on_the_list_is_not_looked_at_again():
    image = rendered_line("签发机关 舟曲县公安局")
    extracted = Extracted()
    layout = _layout(image, "签发机关舟曲县公安局")
    extracted.put("issuing_authority", "舟曲县公安局", list(layout.lines))
    class Refuses:
        def rank_texts(self, crop, texts):
            raise AssertionError("a listed authority needs no second look")
    assert reread_closed_fields(Refuses(), image, DocType.ID_CARD_BACK, layout, extracted) == []


@pytest.mark.parametrize("printed, misread, group", [
    ("性别 男  民族 汉", "性新男我族民", "汉"),
    ("性别 女  民族 塔塔尔", "性女票塔堰尔", "塔塔尔"),
])
def test_with_the_label_lost_too_the_group_is_read_at_the_tail_of_the_sex_row(engine, printed, misread, group):
    image = rendered_line(printed)
    extracted = Extracted()
    assert reread_closed_fields(engine, image, DocType.ID_CARD_FRONT, _layout(image, misread), extracted) == ["ethnicity"]
    assert extracted.fields["ethnicity"] == group


def _card_row(parts: list[tuple[str, float]], misread: str) -> tuple[np.ndarray, Layout, Extracted]:
    """A 960-wide ID card front with one row printed, each (text, x as a fraction of the
    width); detected as one line read as `misread`, from which extraction took the sex."""
    card = np.full((606, 960, 3), (232, 240, 246), np.uint8)
    top = 170
    right = 0
    for text, x in parts:
        printed = rendered_line(text, size=32)
        height, width = printed.shape[:2]
        left = int(x * 960) - 12  # rendered_line leaves 12 px before the text
        card[top:top + height, left:left + width] = printed
        right = max(right, left + width)
    box = np.array([[40, top], [right, top], [right, top + 54], [40, top + 54]], np.float32)
    layout = Layout([TextLine(misread, 0.4, box)], 960, 606)
    extracted = Extracted()
    extracted.put("sex", "女", list(layout.lines))
    return card, layout, extracted


def test_with_the_whole_row_garbled_the_group_is_read_where_the_card_prints_it(engine):
    # neither 民族 nor the row's 性 read: only where the card prints the group is left
    card, layout, extracted = _card_row([("性别", 0.06), ("女", 0.17), ("民族", 0.29), ("景颇", 0.40)], "杭女民爆额")
    assert reread_closed_fields(engine, card, DocType.ID_CARD_FRONT, layout, extracted) == ["ethnicity"]
    assert extracted.fields["ethnicity"] == "景颇"


def test_where_the_card_prints_the_group_something_else_is_not_taken_for_one(engine):
    card, layout, extracted = _card_row([("性别", 0.06), ("女", 0.17), ("民族", 0.29), ("未填写", 0.40)], "杭女民爆额")
    assert reread_closed_fields(engine, card, DocType.ID_CARD_FRONT, layout, extracted) == []
    assert "ethnicity" not in extracted.fields


@pytest.mark.parametrize("sex", ["男", "女"])
def test_a_sex_detection_missed_is_read_where_the_card_prints_it(engine, sex):
    # detection found the row's 民族 汉 but not the single character left of it
    card, layout, extracted = _card_row([("性别", 0.06), (sex, 0.17), ("民族", 0.29), ("汉", 0.40)], "民族汉")
    line = layout.lines[0]
    line.box[:, 0] = np.clip(line.box[:, 0], 0.28 * 960, None)
    line.x0 = 0.28
    extracted = Extracted()
    extracted.put("ethnicity", "汉", [line])
    assert reread_closed_fields(engine, card, DocType.ID_CARD_FRONT, layout, extracted) == ["sex"]
    assert extracted.fields["sex"] == sex


def test_where_the_card_prints_no_sex_none_is_taken(engine):
    card, layout, extracted = _card_row([("民族", 0.29), ("汉", 0.40)], "民族汉")
    extracted = Extracted()
    extracted.put("ethnicity", "汉", list(layout.lines))
    assert reread_closed_fields(engine, card, DocType.ID_CARD_FRONT, layout, extracted) == []
    assert "sex" not in extracted.fields


def test_a_sliver_of_the_value_in_the_label_box_does_not_hide_the_value_beside_it(engine):
    # the label's box took in a sliver of 木, read as 用; the value has a box of its own
    label, value = rendered_line("签发机关"), rendered_line("木垒哈萨克自治县公安局")
    gap = np.full((label.shape[0], 40, 3), (232, 240, 246), np.uint8)
    image = np.concatenate([label, gap, value], axis=1)
    height, x_value = image.shape[0], label.shape[1] + gap.shape[1]
    boxes = [np.array([[0, 0], [x_value + 8, 0], [x_value + 8, height], [0, height]], np.float32),
             np.array([[x_value, 0], [image.shape[1], 0], [image.shape[1], height], [x_value, height]], np.float32)]
    layout = Layout([TextLine("签发机关用", 0.99, boxes[0]), TextLine("木垒哈萨克自治县公安局", 0.99, boxes[1])],
                    image.shape[1], height)
    extracted = Extracted()
    extracted.put("issuing_authority", "用木垒哈萨克自治县公安局", list(layout.lines))
    assert reread_closed_fields(engine, image, DocType.ID_CARD_BACK, layout, extracted) == ["issuing_authority"]
    assert extracted.fields["issuing_authority"] == "木垒哈萨克自治县公安局"
