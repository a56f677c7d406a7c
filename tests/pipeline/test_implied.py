"""The birth date and sex an ID card front lost to blur are taken from its valid ID number; a
possible value read that disagrees stays, for the check against the number to flag."""

from __future__ import annotations

from pipeline.implied import fill_implied_fields
from pipeline.validate import validate_fields
from schemas.documents import DocType, DocumentReading, Quality
from tests.workers.conftest import id_number

NUMBER = id_number(7)  # born 1950-01-08; its 17th digit, 7, is odd: 男


def front(**fields) -> DocumentReading:
    fields = {"name": "张三", "ethnicity": "汉", "address": "北京市东城区东华门街道1号", "id_number": NUMBER, **fields}
    return DocumentReading(file="front.jpg", doc_type=DocType.ID_CARD_FRONT, confidence=0.9, fields=fields,
                           quality=Quality(ok=True), field_issues=validate_fields(DocType.ID_CARD_FRONT, fields),
                           field_confidence={"id_number": 0.93}, regions={})


def test_fields_not_read_are_taken_from_the_number():
    reading = front()
    assert set(reading.field_issues) == {"birth_date", "sex"}
    assert sorted(fill_implied_fields(reading)) == ["birth_date", "sex"]
    assert (reading.fields["birth_date"], reading.fields["sex"]) == ("1950-01-08", "男")
    assert reading.field_issues == {}
    assert reading.field_confidence["birth_date"] == reading.field_confidence["id_number"]


def test_an_impossible_birth_date_is_replaced_but_a_possible_one_that_disagrees_stays():
    impossible = front(birth_date="3950-01-08", sex="男")
    assert fill_implied_fields(impossible) == ["birth_date"]
    assert impossible.fields["birth_date"] == "1950-01-08"
    disagreeing = front(birth_date="1950-01-09", sex="女")
    assert fill_implied_fields(disagreeing) == []
    assert (disagreeing.fields["birth_date"], disagreeing.fields["sex"]) == ("1950-01-09", "女")


def test_an_invalid_number_implies_nothing():
    wrong = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    reading = front(id_number=wrong)
    assert "id_number" in reading.field_issues
    assert fill_implied_fields(reading) == []
    assert "birth_date" not in reading.fields and "sex" not in reading.fields
