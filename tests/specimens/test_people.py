"""Made-up people follow the real rules their documents are checked against."""

from __future__ import annotations

import collections
import datetime as dt
import random
import re
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum

from schemas.documents import DOC_FIELDS, PERMANENT, DocType
from specimens import banks, fonts, vocab
from specimens.people import (
    Person, address_lines, age_on, corrupt_id_number, fields_for, make_person, validity_years,
)
from specimens.regions import issuing_authority, region, regions

REC_MODEL = "rapidocr/models/PP-OCRv6_rec_small.onnx"


@pytest.fixture(scope="module")
def people() -> list[Person]:
    rng = random.Random(20240301)
    return [make_person(rng) for _ in range(300)]


def test_id_numbers_are_valid_and_match_the_person(people):
    for p in people:
        assert ric.validate(p.id_number) == p.id_number
        assert p.id_number[:6] == p.region_code
        assert ric.get_birth_date(p.id_number).isoformat() == p.birth_date
        assert (int(p.id_number[16]) % 2 == 1) == (p.sex == "男")
        assert dt.date(1940, 1, 1) <= dt.date.fromisoformat(p.birth_date) <= dt.date(2008, 12, 31)
    assert any(p.id_number.endswith("X") for p in people)
    assert {p.sex for p in people} == {"男", "女"}


def test_address_starts_with_the_region_of_the_id_number(people):
    for p in people:
        place = ric.get_birth_place(p.id_number)
        r = region(p.region_code)
        assert p.address.startswith(place["province"] + r.prefecture + place["county"])
        assert " " not in p.address
    assert sum(any(c.isdigit() for c in p.address) for p in people) > len(people) / 2


def test_addresses_take_one_two_and_three_lines(people):
    counts = collections.Counter(len(address_lines(p.address)) for p in people[:200])
    assert set(counts) == {1, 2, 3}
    assert min(counts.values()) >= 30, counts


def test_validity_follows_age_at_issue(people):
    seen = set()
    for p in people:
        start = dt.date.fromisoformat(p.valid_from)
        age = age_on(dt.date.fromisoformat(p.birth_date), start)
        years = validity_years(age)
        seen.add(years)
        if age >= 46:
            assert p.valid_until == PERMANENT
        else:
            expected = {True: 5, False: 10 if age <= 25 else 20}[age < 16]
            assert years == expected
            assert p.valid_until == start.replace(year=start.year + expected).isoformat()
        assert dt.date(2006, 1, 1) <= start <= dt.date(2025, 12, 31)
    assert seen == {5, 10, 20, None}
    today = dt.date(2026, 1, 1)
    expired = [p for p in people if p.valid_until != PERMANENT
               and dt.date.fromisoformat(p.valid_until) < today]
    assert 0 < len(expired) < len(people)


def test_bank_cards_use_real_bins_and_luhn(people):
    assert len(banks.BANKS) >= 8
    for p in people:
        bank = banks.bank_for_number(p.bank_card_number)
        assert bank is not None and bank.name == p.bank_name
        assert luhn.is_valid(p.bank_card_number)
        assert p.bank_card_number.isdigit()
    assert len({p.bank_name for p in people}) == len(banks.BANKS)
    assert banks.group_digits("6228480402564890018") == "6228 4804 0256 4890 018"


def test_social_security_card_values(people):
    for p in people:
        assert re.fullmatch(r"[A-Z]\d{8}", p.ssc_card_number)
        assert p.ssc_bank_name in banks.BANKS_BY_NAME
        assert p.ssc_issue_date > p.birth_date


def test_names_and_ethnicities():
    rng = random.Random(7)
    crowd = [make_person(rng) for _ in range(2000)]
    assert {p.ethnicity for p in crowd} == set(vocab.ETHNICITIES)
    assert len(vocab.ETHNICITIES) == 56
    han = sum(p.ethnicity == "汉" for p in crowd) / len(crowd)
    assert 0.4 < han < 0.6
    assert all(2 <= len(p.name) <= 4 for p in crowd)
    assert any(p.name[:2] in vocab.COMPOUND_SURNAMES for p in crowd)
    assert len({c for p in crowd for c in p.name} & set(vocab.GIVEN_RARE)) > 20


def test_fields_are_exactly_the_canonical_ones(people):
    p = people[0]
    for doc_type in (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD,
                     DocType.SOCIAL_SECURITY_CARD):
        fields = fields_for(doc_type, p)
        assert tuple(fields) == DOC_FIELDS[doc_type]
        assert all(isinstance(v, str) and v for v in fields.values())
    assert fields_for(DocType.SOCIAL_SECURITY_CARD, p)["card_number"] == p.ssc_card_number
    assert fields_for(DocType.BANK_CARD, p)["card_number"] == p.bank_card_number


def test_overrides_change_only_what_they_name():
    base = make_person(random.Random(5))
    expired = make_person(random.Random(5), valid_until="2024-03-01")
    assert expired.valid_until == "2024-03-01"
    assert expired.model_dump(exclude={"valid_until"}) == base.model_dump(exclude={"valid_until"})
    older = make_person(random.Random(5), birth_date="1950-02-03")
    assert older.id_number[6:14] == "19500203" and ric.is_valid(older.id_number)
    assert older.name == base.name
    with pytest.raises(TypeError):
        make_person(random.Random(5), shoe_size=42)


def test_corrupt_id_number_breaks_only_the_checksum(people):
    rng = random.Random(1)
    for p in people[:50]:
        bad = corrupt_id_number(p.id_number, rng)
        assert len(bad) == 18 and bad[:17] == p.id_number[:17] and bad != p.id_number
        with pytest.raises(InvalidChecksum):
            ric.validate(bad)


def test_issuing_authority_names_the_county():
    by_code = {r.code: r for r in regions()}
    assert issuing_authority(by_code["110108"]) == "北京市公安局海淀分局"
    assert issuing_authority(by_code["310115"]) == "上海市公安局浦东分局"
    county = next(r for r in regions() if r.county.endswith("县"))
    assert issuing_authority(county) == county.county + "公安局"


def _printed_text() -> str:
    names = "".join(n for ns in vocab.MINORITY_NAMES.values() for n in ns)
    labels = "姓名性别民族出生年月日住址公民身份号码签发机关有效期限长期中华人民共和国居民身份证" \
             "社会保障卡号码发卡日期借记卡储蓄卡银联"
    return "".join((vocab.SURNAMES, "".join(vocab.COMPOUND_SURNAMES), vocab.GIVEN_COMMON,
                    vocab.GIVEN_RARE, names, "".join(vocab.ETHNICITIES), vocab.PLACE_CHARS,
                    "".join(vocab.ROAD_SUFFIXES + vocab.TOWN_SUFFIXES + vocab.VILLAGE_SUFFIXES
                            + vocab.COMPOUND_SUFFIXES), vocab.CHINESE_ORDINALS, "号楼栋幢单元室院组街道",
                    "".join(b.name for b in banks.BANKS), labels,
                    "".join(r.prefix for r in regions()), "公安局分局"))


def test_every_printed_character_is_in_the_ocr_dictionary():
    ort = pytest.importorskip("onnxruntime")
    import rapidocr

    model = Path(rapidocr.__file__).resolve().parent.parent / REC_MODEL
    if not model.is_file():
        pytest.skip(f"{model} not installed")
    meta = ort.InferenceSession(str(model)).get_modelmeta().custom_metadata_map
    dictionary = set(meta["character"].split("\n"))
    assert not set(_printed_text()) - dictionary


@pytest.mark.parametrize("family", fonts.CJK_FAMILIES + fonts.TITLE_FAMILIES)
def test_every_printed_character_has_a_glyph(family):
    assert not fonts.missing_glyphs(family, _printed_text())
