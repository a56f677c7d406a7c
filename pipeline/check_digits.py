"""A second look at a number whose check fails: an ID number (ISO 7064 check character, birth
date, region) or a bank card number (Luhn).

One blurred digit is the usual cause, and a check digit says that a number is wrong, not where.
Every number one character away that passes the check is scored on the line it was read from
(models.ctc, as for closed lists), and the likeliest is taken if it is clearly ahead of the
others and not far behind what was read greedily. Engines that cannot rank texts, and numbers
not read whole from one line, are left as they are."""

from __future__ import annotations

import numpy as np

from models.ocr import crop_quad
from pipeline.closed_lists import RanksTexts, choose, rescored
from pipeline.extract.base import Extracted
from pipeline.validate import field_check
from schemas.documents import DOC_FIELDS, DocType

WITH_CHECK_DIGIT: dict[str, tuple[DocType, ...] | None] = {
    "id_number": None, "holder_id_number": None, "spouse_id_number": None,  # on any document
    "card_number": (DocType.BANK_CARD,),  # a social security card's number has no check digit
}
MARGIN = 2.0
"""How far (log-likelihood) the likeliest number must lead the next: e² ≈ 7×. About one in
ten numbers one digit away passes Luhn, one in eleven the ID check: some 15–20 rivals."""


def reread_check_digits(engine: object, image: np.ndarray, doc_type: DocType, extracted: Extracted) -> list[str]:
    """Put right, in place, numbers one character from a number that passes their check;
    returns the names of the fields changed."""
    if not isinstance(engine, RanksTexts):
        return []
    changed = []
    for name in DOC_FIELDS.get(doc_type, ()):
        if not _has_check_digit(doc_type, name):
            continue
        check = field_check(doc_type, name)
        value = extracted.fields.get(name)
        if check is None or not value or check(value) is None:
            continue
        holding = [line for line in extracted.sources.get(name, []) if value in line.text]
        if len(holding) != 1:  # split over several lines, or read through look-alikes (O for 0)
            continue
        line = holding[0]
        at = line.text.find(value)
        numbers = [number for number in _one_away(value, x_last=name.endswith("id_number")) if check(number) is None]
        if not numbers:
            continue
        texts = [line.text[:at] + number + line.text[at + len(value):] for number in numbers]
        scores = engine.rank_texts(crop_quad(image, line.box), texts + [line.text])
        chosen = choose(list(scores[:-1]), greedy=float(scores[-1]), margin=MARGIN)
        if chosen is None:
            continue
        extracted.fields.pop(name)
        extracted.put(name, numbers[chosen], [rescored(line, scores[chosen], texts[chosen])])
        changed.append(name)
    return changed


def _has_check_digit(doc_type: DocType, name: str) -> bool:
    if name not in WITH_CHECK_DIGIT:
        return False
    types = WITH_CHECK_DIGIT[name]
    return types is None or doc_type in types


def _one_away(number: str, x_last: bool) -> list[str]:
    """Every string with one character of `number` changed to another digit (or, at the end
    of an ID number, to X)."""
    out = []
    for i, old in enumerate(number):
        alphabet = "0123456789X" if x_last and i == len(number) - 1 else "0123456789"
        out += [number[:i] + new + number[i + 1:] for new in alphabet if new != old]
    return out
