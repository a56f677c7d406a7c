"""The second looks at an address (the division names it starts with, the unit words around its
numbers), on address lines rendered in a card's font and scored by the real RapidOCR
recognition model."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.address_reread import reread_address_prefix, reread_address_units
from pipeline.extract.base import Extracted
from pipeline.layout import Line
from pipeline.regions import names_near
from schemas.documents import DocType
from tests.pipeline.layout_kit import rendered_line


@pytest.fixture(scope="module")
def engine(reader):
    return reader.engine


def _address(printed: list[str], read: list[str]) -> tuple[np.ndarray, list[Line]]:
    """The printed lines stacked as a card prints a wrapped address, and lines read as `read`."""
    strips = [rendered_line(text) for text in printed]
    width = max(strip.shape[1] for strip in strips)
    strips = [np.pad(s, ((0, 0), (0, width - s.shape[1]), (0, 0)), constant_values=240) for s in strips]
    image = np.concatenate(strips)
    lines, top = [], 0
    for strip, text in zip(strips, read):
        h, w = strip.shape[:2]
        box = np.array([[0, top], [w, top], [w, top + h], [0, top + h]], np.float32)
        lines.append(Line(text, 0.8, box, 0.0, top / image.shape[0], 1.0, (top + h) / image.shape[0]))
        top += h
    return image, lines


def _extracted(address: str, lines: list[Line]) -> Extracted:
    extracted = Extracted()
    extracted.put("address", address, lines)
    return extracted


def test_a_county_two_names_are_one_character_from_is_chosen_by_the_model(engine):
    # 网德县 is one character from both 同德县 and 贵德县: text alone cannot tell
    assert {"青海省海南藏族自治州同德县", "青海省海南藏族自治州贵德县"} <= set(names_near("青海省海南藏族自治州网德县"))
    image, lines = _address(["住址 青海省海南藏族自治州同", "德县结玉镇新松庄6组"], ["住址青海省海南藏族自治州网", "德县结玉镇新松庄6组"])
    extracted = _extracted("青海省海南藏族自治州网德县结玉镇新松庄6组", lines)
    assert reread_address_prefix(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["address"] == "青海省海南藏族自治州同德县结玉镇新松庄6组"
    assert extracted.sources["address"][0].score < 0.8  # the line put right is marked as less sure
    assert extracted.sources["address"][1] is lines[1]


def test_a_prefecture_read_with_two_characters_wrong_is_put_right(engine):
    image, lines = _address(["四川省阿坝藏族羌族自治州黑水县"], ["四川省阿项藏族美族自治州黑水县"])
    extracted = _extracted("四川省阿项藏族美族自治州黑水县", lines)
    assert reread_address_prefix(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["address"] == "四川省阿坝藏族羌族自治州黑水县"


def test_a_start_printed_as_read_stays_though_listed_names_are_near(engine):
    image, lines = _address(["四川省阿项藏族美族自治州黑水县"], ["四川省阿项藏族美族自治州黑水县"])
    extracted = _extracted("四川省阿项藏族美族自治州黑水县", lines)
    assert not reread_address_prefix(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["address"] == "四川省阿项藏族美族自治州黑水县"


def test_an_address_starting_with_listed_names_has_nothing_near_to_try():
    assert names_near("北京市朝阳区兴和路19号") == []
    assert names_near("云南省楚雄彝族自治州南华县安王南路50号") == []


@pytest.mark.parametrize("printed, misread", [
    ("重庆市永川区东集巷79号", "重庆市永川区东集春79号"),  # a street's end before its number
    ("天津市南开区屯中巷361号兴李新村20号楼1单元", "天津市南开区屯中巷361号兴李新村20号楼1举元"),  # a unit after one
    ("甘肃省甘南藏族自治州舟曲县文峪镇康后庄三组187号", "甘肃省甘南藏族自治州舟曲县文峪镇康后庄三绍187号"),  # a group in words
])
def test_a_character_beside_a_number_that_is_no_unit_word_is_put_right(engine, printed, misread):
    image, lines = _address([printed], [misread])
    extracted = _extracted(misread, lines)
    assert reread_address_units(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["address"] == printed


def test_unit_words_read_right_and_other_characters_printed_beside_numbers_stay(engine):
    for printed in ("天津市河东区口槐巷38号", "北京市海淀区中关村大厦12层", "上海市静安区八一路3号"):
        image, lines = _address([printed], [printed])
        extracted = _extracted(printed, lines)
        assert not reread_address_units(engine, image, DocType.ID_CARD_FRONT, extracted)
        assert extracted.fields["address"] == printed
