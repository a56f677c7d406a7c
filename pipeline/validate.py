"""Validate: is each field a possible value (checksums, dates, formats)? Missing fields of
the document's type are reported as not read."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.fields import (
    validate_card_name, validate_card_number, validate_date, validate_id_number, validate_past_date, validate_ssc_number,
)
from schemas.documents import DOC_FIELDS, PERMANENT, DocType, FieldIssue

_BY_FIELD: dict[str, Callable[[str], FieldIssue | None]] = {
    "id_number": validate_id_number,
    "holder_id_number": validate_id_number,
    "spouse_id_number": validate_id_number,
    "birth_date": validate_past_date,
    "valid_from": validate_past_date,
    "death_date": validate_date,
    "registration_date": validate_date,
    "valid_until": lambda v: None if v == PERMANENT else validate_date(v),
}
_BY_TYPE: dict[tuple[DocType, str], Callable[[str], FieldIssue | None]] = {
    (DocType.BANK_CARD, "card_number"): validate_card_number,
    (DocType.ID_CARD_FRONT, "name"): validate_card_name,
    (DocType.SOCIAL_SECURITY_CARD, "card_number"): validate_ssc_number,
}


def field_check(doc_type: DocType, name: str) -> Callable[[str], FieldIssue | None] | None:
    """How a value of this field on this document type is checked (None: it is not)."""
    return _BY_TYPE.get((doc_type, name)) or _BY_FIELD.get(name)


def validate_fields(doc_type: DocType, fields: dict[str, str]) -> dict[str, FieldIssue]:
    issues: dict[str, FieldIssue] = {}
    for name in DOC_FIELDS[doc_type]:
        value = fields.get(name)
        if not value:
            issues[name] = FieldIssue.NOT_READ
            continue
        check = field_check(doc_type, name)
        issue = check(value) if check else None
        if issue is not None:
            issues[name] = issue
    return issues
