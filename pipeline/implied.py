"""Fields an ID number implies. A resident ID number carries its holder's birth date (digits
7–14) and sex (the 17th digit: odd for 男, even for 女); with its check digit right, those are
surer than a birth date or a one-character sex that blur lost or garbled past any date.

Only fields that were not read, or read as something impossible (3998-02-26), are filled: a
possible value read that disagrees with the number stays as read, for the check against the
number (`pipeline.check`) to flag. A filled field's region and confidence are the number's."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.fields import birth_date_of, sex_of
from schemas.documents import DOC_FIELDS, DocumentReading

IMPLIED: dict[str, Callable[[str], str | None]] = {"birth_date": birth_date_of, "sex": sex_of}


def fill_implied_fields(reading: DocumentReading) -> list[str]:
    """Fill, in place, the fields `reading`'s valid ID number implies that were not read or
    read as impossible; returns their names."""
    number = reading.fields.get("id_number")
    if number is None or "id_number" in reading.field_issues:
        return []
    filled = []
    for name, implied_by in IMPLIED.items():
        if name not in DOC_FIELDS.get(reading.doc_type, ()):
            continue
        if name in reading.fields and name not in reading.field_issues:
            continue
        value = implied_by(number)
        if value is None:
            continue
        reading.fields[name] = value
        reading.field_issues.pop(name, None)
        if "id_number" in reading.field_confidence:
            reading.field_confidence[name] = reading.field_confidence["id_number"]
        if "id_number" in reading.regions:
            reading.regions[name] = reading.regions["id_number"]
        filled.append(name)
    return filled
