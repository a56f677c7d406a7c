"""How far to trust one reading of a photo: the reader (pipeline.read) keeps the best of the
readings it tries (outlines, cuts, the other way up, the smear taken out)."""

from __future__ import annotations

from typing import NamedTuple

from pipeline.closed_lists import off_list_fields
from pipeline.locate import DocumentKind, Located
from schemas.documents import DOC_FIELDS, DocType, DocumentReading

DOUBTFUL = 0.1
"""A field read with less confidence than this leaves the reading open to the second look at
a motion smear, though every field was read."""
CARD_TYPES = frozenset({DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD, DocType.SOCIAL_SECURITY_CARD})


class Merit(NamedTuple):
    """How far to trust a reading of one outline, to pick among the outlines of a page, in
    this order: a known type; every field of that type read and valid (a card outline cut
    short at the portrait loses the ID number that a wider outline around the card reads);
    a type whose shape is the outline's, with some field read (a card read inside a 'page'
    outline may be a sheet or a desk region around the card; a card outline whose reading found
    only the labels lost its values to glare or blur); then the share of the type's fields
    read and valid, plus the confidence."""

    known: bool
    complete: bool
    fitting: bool
    score: float


def merit_of(reading: DocumentReading, outline: Located) -> Merit:
    known = reading.doc_type is not DocType.UNKNOWN
    fitting = outline.kind is DocumentKind.FRAME or (outline.kind is DocumentKind.CARD) == (reading.doc_type in CARD_TYPES)
    expected = DOC_FIELDS.get(reading.doc_type, ())
    valid = 1.0 - len(reading.field_issues) / len(expected) if expected else 0.0
    return Merit(known, known and not reading.field_issues, known and fitting and bool(reading.fields),
                 valid + reading.confidence)


def doubtful_fields(reading: DocumentReading) -> int:
    """How many fields were read with a confidence under DOUBTFUL: most often a second look
    (pipeline.closed_lists) filled them from a blurred line."""
    return sum(score < DOUBTFUL for score in reading.field_confidence.values())


def flaws(reading: DocumentReading) -> tuple[int, int]:
    """(fields invalid, unread or off their closed list; fields doubtful), fewer is better: a
    closed-list field put right by a second look is doubtful, and beats one that stayed off
    its list (有曲县总安局 for 舟曲县公安局), though that reads surer."""
    return (len(reading.field_issues) + off_list_fields(reading.doc_type, reading.fields),
            doubtful_fields(reading))
