"""Collect once, share many: a material the citizen did not upload this time is taken from a
document already in their archive, when that document is theirs, was read without a fault and
is still valid on the new submission date. The reading says which submission it came from."""

from __future__ import annotations

from datetime import date

from pipeline.rules import CheckContext, id_field_of
from pipeline.validate import validate_fields
from schemas.archive import RecordedDocument
from schemas.catalog import Role
from schemas.documents import PERMANENT, DocumentReading, Quality

REUSED_FILE = "档案:{submission_id}:{doc_type}"
"""The `file` of a reused reading: it names the earlier submission, never personal data."""


def reuse_from_record(ctx: CheckContext, on_record: list[RecordedDocument]) -> list[DocumentReading]:
    if not ctx.applicant or not on_record:
        return []
    by_type = {d.doc_type: d for d in on_record}
    reused: list[DocumentReading] = []
    for material in ctx.service.materials:
        if material.id in ctx.chosen or not material.reusable or material.owner is not Role.APPLICANT:
            continue
        for doc_type in material.doc_types:
            record = by_type.get(doc_type)
            reading = _usable(ctx, record) if record else None
            if reading is not None:
                ctx.chosen[material.id] = reading
                reused.append(reading)
                break
    return reused


def _usable(ctx: CheckContext, record: RecordedDocument) -> DocumentReading | None:
    if validate_fields(record.doc_type, record.fields):
        return None
    number_field = id_field_of(record.doc_type)
    if number_field and record.fields.get(number_field) != ctx.applicant:
        return None
    until = record.fields.get("valid_until")
    if until and until != PERMANENT and date.fromisoformat(until) < ctx.today:
        return None
    return DocumentReading(
        file=REUSED_FILE.format(submission_id=record.submission_id or "?", doc_type=record.doc_type.value),
        sha256=record.sha256, doc_type=record.doc_type, confidence=1.0, fields=dict(record.fields),
        quality=Quality(ok=True), reused_from=record.submission_id,
    )
