"""Classifying a document from the text read on it: keywords, and the shapes of the values
when a blurred photo has lost the small labels."""

from __future__ import annotations

from pipeline.classify import classify
from schemas.documents import DocType
from tests.pipeline.layout_kit import card_layout as _layout

VALID_ID = "110107195212252866"  # checksum, region and birth date valid (a specimen's)
LUHN_CARD = "6217000010001234569"


def test_a_front_whose_labels_are_lost_is_told_by_its_id_number_and_birth_date():
    # what a motion-blurred ID card front reads as: labels garbled, values legible
    layout = _layout(("集泽曼", 0.05, 0.1), ("怀的囊热额", 0.05, 0.23), ("出1952年12月25日", 0.05, 0.36),
                     ("北京市看量山区高陈大街", 0.05, 0.47), ("公民康U号间", 0.05, 0.84), (VALID_ID, 0.34, 0.83))
    assert classify(layout)[0] is DocType.ID_CARD_FRONT


def test_a_birth_date_that_lost_its_year_and_month_marks_counts_when_the_id_number_carries_it():
    rows = (("孔珺英", 0.05, 0.1), ("核男员增塔尔", 0.05, 0.23), ("出表", 0.05, 0.36), ("1968927日", 0.16, 0.36),
            ("址北京市东城区鹤岭街20号", 0.05, 0.47), ("31010119680927149X", 0.34, 0.83))
    assert classify(_layout(*rows))[0] is DocType.ID_CARD_FRONT
    other_date = ("1968928日", 0.16, 0.36)  # not the date the number carries: no evidence
    assert classify(_layout(*rows[:3], other_date, *rows[4:]))[0] is DocType.UNKNOWN


def test_a_valid_id_number_on_its_own_row_is_not_a_bank_card_number():
    layout = _layout(("出生1952年12月25日", 0.05, 0.36), (VALID_ID, 0.34, 0.83))
    doc_type, _ = classify(layout)
    assert doc_type is DocType.ID_CARD_FRONT


def test_a_misread_id_number_does_not_make_a_bank_card():
    misread = "119188198984828224"  # 18 digits failing both the ID checksum and Luhn
    layout = _layout(("都理", 0.05, 0.1), ("生卸文美塑", 0.05, 0.23), (misread, 0.34, 0.83))
    assert classify(layout)[0] is not DocType.BANK_CARD


def test_a_card_number_that_passes_luhn_with_a_bank_name_is_a_bank_card():
    layout = _layout(("中国银行", 0.05, 0.08), (" ".join([LUHN_CARD[:4], LUHN_CARD[4:8], LUHN_CARD[8:12], LUHN_CARD[12:]]), 0.1, 0.6))
    doc_type, confidence = classify(layout)
    assert doc_type is DocType.BANK_CARD and confidence >= 0.5


def test_the_back_is_told_by_its_dotted_validity_dates_when_the_labels_are_lost():
    layout = _layout(("中华人民共和国", 0.35, 0.15), ("居民身份证", 0.35, 0.3), ("美足服", 0.2, 0.72),
                     ("北京市公安局海淀分局", 0.36, 0.71), ("2003.11.28-2023.11.28", 0.36, 0.83))
    assert classify(layout)[0] is DocType.ID_CARD_BACK


def test_nothing_document_like_is_unknown():
    assert classify(_layout(("今天天气很好", 0.1, 0.1), ("2025年", 0.1, 0.5)))[0] is DocType.UNKNOWN


def test_digits_among_letters_are_not_a_card_number_even_when_they_pass_luhn():
    # a social security card read the wrong way up: the digits happen to pass Luhn
    layout = _layout(("63873398Ca488", 0.1, 0.2), ("S8884790296776792T", 0.2, 0.5), ("车", 0.5, 0.7))
    assert classify(layout)[0] is DocType.UNKNOWN


def test_a_social_security_card_whose_labels_are_lost_is_told_by_its_number_and_issue_month():
    # what a motion-blurred social security card read the right way up gives (labels gone)
    layout = _layout(("媒锁染", 0.5, 0.3), ("15812119528331649S", 0.52, 0.42), ("F74557662", 0.53, 0.55),
                     ("发卡6第2023年08月", 0.33, 0.68))
    assert classify(layout)[0] is DocType.SOCIAL_SECURITY_CARD


def test_a_birth_date_is_not_an_issue_month():
    layout = _layout(("发卡", 0.05, 0.1), ("1982年5月9日", 0.3, 0.1))
    assert classify(layout)[0] is not DocType.SOCIAL_SECURITY_CARD


def test_an_id_card_back_is_told_by_its_titles_when_its_rows_are_garbled():
    # a motion-blurred back: the titles read (one with two slips), the two rows do not
    layout = _layout(("中华人民美和园", 0.38, 0.12), ("居民身份证", 0.36, 0.3),
                     ("第本水关上海移公交考案山分部", 0.19, 0.7), ("388252545:17-2546556:17", 0.19, 0.82))
    assert classify(layout)[0] is DocType.ID_CARD_BACK


def test_a_notice_asking_for_the_id_card_is_not_an_id_card_back():
    layout = _layout(("请携带居民身份证户口簿及相关证明材料原件", 0.05, 0.1), ("中华人民共和国社会保险法", 0.05, 0.2))
    assert classify(layout)[0] is not DocType.ID_CARD_BACK


def test_a_front_with_labels_and_birth_date_lost_is_told_by_its_number_and_the_province_it_names():
    # the number ends its row after a garbled label; the address starts with the province its
    # region code names (110107: 北京市)
    rows = [("丁输国", 0.16, 0.16), ("交", 0.16, 0.28), ("196117日", 0.16, 0.39),
            ("北京市石景山区屯中巷361", 0.16, 0.50), ("公R务出号6" + VALID_ID, 0.05, 0.86)]
    assert classify(_layout(*rows))[0] is DocType.ID_CARD_FRONT
    elsewhere = ("天津市南开区屯中巷361", 0.16, 0.50)  # not where the number was issued: no evidence
    assert classify(_layout(*rows[:3], elsewhere, rows[4]))[0] is DocType.UNKNOWN
