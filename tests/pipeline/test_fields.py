"""Normalization into DESIGN.md's canonical forms, and validation with python-stdnum."""

from datetime import date, timedelta

import pytest
from stdnum.cn import ric
from stdnum import luhn

from pipeline.fields import (
    birth_date_of, digits_only, normalize_date, normalize_ethnicity, normalize_id_number, normalize_name,
    normalize_sex, normalize_ssc_number, normalize_validity, printed_birth_date, sex_of,
    validate_card_number, validate_id_number, validate_past_date,
)
from pipeline.layout import clean
from schemas.documents import PERMANENT, FieldIssue

VALID_ID = "11010519491231002X"  # the standard's own example


def test_reference_id_number_is_valid():
    assert ric.is_valid(VALID_ID)
    assert validate_id_number(VALID_ID) is None


@pytest.mark.parametrize("read", ["11010519491231002x", "110105 19491231 002X", "11O1O519491231OO2×",
                                  "公民身份号码１１０１０５１９４９１２３１００２Ｘ"])
def test_id_number_lookalikes_and_width_are_normalized(read):
    assert normalize_id_number(read) == VALID_ID


@pytest.mark.parametrize(("number", "issue"), [
    ("110105194912310021", FieldIssue.CHECKSUM),
    ("110105194913310029", FieldIssue.DATE),
    ("990105194912310028", FieldIssue.REGION),
    ("110001194912310028", FieldIssue.REGION),  # a province's code with no county: stdnum raises KeyError
    ("11010519491231002", FieldIssue.FORMAT),
])
def test_invalid_id_numbers_say_why(number, issue):
    if issue is FieldIssue.DATE or issue is FieldIssue.REGION:
        number = number[:17] + ric.calc_check_digit(number)
    assert validate_id_number(number) is issue


def test_a_misread_region_with_a_valid_checksum_is_not_taken_as_the_number():
    misread = "110001194912310028"
    misread = misread[:17] + ric.calc_check_digit(misread)
    assert normalize_id_number(misread + " " + VALID_ID) == VALID_ID


def test_birth_date_and_sex_come_from_the_number():
    assert birth_date_of(VALID_ID) == "1949-12-31"
    assert sex_of(VALID_ID) == "女"  # 17th digit 2 is even


def test_card_numbers_use_luhn():
    number = "622848040256489001"
    number += luhn.calc_check_digit(number)
    assert validate_card_number(number) is None
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert validate_card_number(wrong) is FieldIssue.CHECKSUM
    assert validate_card_number("1234") is FieldIssue.FORMAT
    assert digits_only("6228 48O4 0256 4890 O18") == "6228480402564890018"


@pytest.mark.parametrize(("text", "iso"), [
    ("1962 年 3 月 7 日", "1962-03-07"), ("出生1962年12月17日", "1962-12-17"),
    ("2015.03.01", "2015-03-01"), ("20150301", "2015-03-01"), ("2015年2月30日", None), ("无", None),
    ("20077月17日", "2007-07-17"), ("200712月1日", "2007-12-01"),  # a blurred 年 lost
])
def test_dates(text, iso):
    assert normalize_date(text) == iso


@pytest.mark.parametrize(("text", "expected"), [
    ("2015.03.01-2035.03.01", ("2015-03-01", "2035-03-01")),
    ("有效期限2015.03.01一2035.03.01", ("2015-03-01", "2035-03-01")),
    ("2015.03.01-长期", ("2015-03-01", PERMANENT)),
    ("2009,11.15-长期", ("2009-11-15", PERMANENT)),  # a blurred dot read as a comma
    ("2015.03.01", ("2015-03-01", None)),
])
def test_validity_periods(text, expected):
    assert normalize_validity(text) == expected


def test_small_fields():
    assert normalize_sex("性别 男") == "男"
    assert normalize_ethnicity("维吾尔族") == "维吾尔"
    assert normalize_ethnicity("土家") == "土家" and normalize_ethnicity("土") == "土"
    assert normalize_name("欧阳 翀翯") == "欧阳翀翯"
    assert normalize_name("买买提•艾力") == "买买提·艾力"
    assert normalize_ssc_number("卡号A12345678") == "A12345678"
    assert normalize_ssc_number("卡号A1234567B") == "A12345678"


@pytest.mark.parametrize(("read", "cleaned"), [
    ("張 龍", "张龙"),          # traditional forms the model sometimes answers → simplified
    ("ＡＢ１２", "AB12"),        # full width → ASCII
    ("王頔", "王頔"),            # OpenCC would give 𬱖, a form ID cards do not print
    ("頔龍", "頔龙"),
])
def test_clean_simplifies_within_the_printed_character_set(read, cleaned):
    assert clean(read) == cleaned


def test_a_birth_date_is_split_as_the_id_number_says_or_not_at_all():
    number = "31010119680927149X"
    assert printed_birth_date("1968927日", number) == "1968-09-27"
    assert printed_birth_date("出生1968年9月27日", number) == "1968-09-27"
    assert printed_birth_date("1968928日", number) is None
    assert printed_birth_date("1968927日", None) is None


def test_a_stray_digit_of_a_garbled_label_before_the_number_is_left_out():
    assert normalize_id_number("公R务出号6" + VALID_ID) == VALID_ID
    assert normalize_id_number(VALID_ID + "7") == VALID_ID


def test_a_birth_date_or_validity_start_outside_a_lifetime_so_far_is_a_misread():
    assert validate_past_date("1952-12-25") is None
    assert validate_past_date(date.today().isoformat()) is None
    assert validate_past_date("1052-12-25") is FieldIssue.DATE  # 9 read as 0
    assert validate_past_date((date.today() + timedelta(days=1)).isoformat()) is FieldIssue.DATE
    assert validate_past_date("2020-02-30") is FieldIssue.DATE


def test_a_name_longer_than_an_id_card_holds_took_in_other_print():
    from pipeline.validate import validate_fields
    from schemas.documents import DocType

    long_name = "阿卜杜热合曼·买买提明艾力江"  # 14 characters with the dot: it fits
    assert validate_fields(DocType.ID_CARD_FRONT, {"name": long_name}).get("name") is None
    sheet = "年龄累计缴费满十五年的按月领取关规定参保人员"  # a line of a sheet under the card
    assert validate_fields(DocType.ID_CARD_FRONT, {"name": sheet})["name"] is FieldIssue.FORMAT
    assert validate_fields(DocType.HOUSEHOLD_REGISTER, {"name": sheet}).get("name") is None
