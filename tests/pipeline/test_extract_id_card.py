"""The ID card front's extractor on what blurred photos read: labels half lost."""

from __future__ import annotations

import numpy as np

from models.ocr import TextLine
from pipeline.extract.base import strip_label
from pipeline.extract.id_card import extract_id_card_front
from pipeline.layout import Layout

VALID_ID = "110107195212252866"


def _front(*rows: tuple[str, float, float]) -> Layout:
    lines = []
    for text, x, y in rows:
        x0, y0 = x * 960, y * 606
        box = np.array([[x0, y0], [x0 + 24 * len(text), y0], [x0 + 24 * len(text), y0 + 28], [x0, y0 + 28]], np.float32)
        lines.append(TextLine(text, 0.9, box))
    return Layout(lines, 960, 606)


def test_one_character_left_of_a_label_is_not_part_of_the_value():
    layout = _front(("姓姚晓晓", 0.05, 0.1), ("性别女民族汉", 0.05, 0.23), ("出生1952年12月25日", 0.05, 0.36),
                    ("址北京市海淀区高陈大街1号", 0.05, 0.47), ("公民身份号码", 0.05, 0.84), (VALID_ID, 0.34, 0.83))
    fields = extract_id_card_front(layout).fields
    assert fields["name"] == "姚晓晓"
    assert fields["address"] == "北京市海淀区高陈大街1号"


def test_remnants_go_only_where_asked_and_a_two_character_value_stays_whole():
    assert strip_label("姓名姚晓晓", "姓名") == "姚晓晓"
    assert strip_label("姓姚晓晓", "姓名") == "姓姚晓晓"
    assert strip_label("姓姚晓晓", "姓名", remnant=True) == "姚晓晓"
    assert strip_label("名姚", "姓名", remnant=True) == "名姚"
    assert strip_label("姚晓晓", "姓名", remnant=True) == "姚晓晓"
