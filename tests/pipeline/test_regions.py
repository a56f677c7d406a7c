"""Leading division names of an address put right against python-stdnum's division table."""

from __future__ import annotations

import random

import pytest

from pipeline.regions import correct_region_prefix, region_names
from specimens.people import make_person


@pytest.mark.parametrize("read, meant", [
    ("云南省怒江傈傈族自治州贡山独龙族怒族自治县集尾街道泉杨街202号",
     "云南省怒江傈僳族自治州贡山独龙族怒族自治县集尾街道泉杨街202号"),
    ("河北省石家庄市井隆矿区矿市街道12号", "河北省石家庄市井陉矿区矿市街道12号"),
    ("北京市东域区鹤岭街20号", "北京市东城区鹤岭街20号"),
    ("甘需省甘南藏族自治州舟鼎县文峪镇康后庄三组187号", "甘肃省甘南藏族自治州舟曲县文峪镇康后庄三组187号"),  # one in each of two
])
def test_one_misread_character_per_division_name_is_put_right(read, meant):
    assert correct_region_prefix(read) == meant


@pytest.mark.parametrize("read", [
    "内蒙古自治区锦林郭葡盟西乌珠穆沁旗量风街道",  # two characters off: left as read
    "北京市南城区鹤岭街20号",                        # one off from both 东城区 and 西城区
    "某某路12号",                                    # no division names at all
])
def test_what_cannot_be_told_is_left_as_read(read):
    assert correct_region_prefix(read) == read


def test_correct_addresses_are_never_touched():
    rng = random.Random(20261129)
    people = [make_person(rng) for _ in range(400)]
    changed = [p.address for p in people if correct_region_prefix(p.address) != p.address]
    assert changed == []


def test_the_table_holds_provinces_prefectures_counties_and_past_names():
    names = region_names()
    assert {"云南省", "云南省怒江傈僳族自治州", "北京市东城区", "河北省石家庄市井陉矿区",
            "云南省迪庆藏族自治州维西县", "云南省迪庆藏族自治州维西傈僳族自治县"} <= names
    assert "北京市市辖区" not in names
