"""A second look at an ID card's validity period whose two dates do not fit together.

A resident ID card is valid for 5, 10 or 20 years, to the same month and day, or for good (长期),
so one date read right leaves three or four candidates for the pair. When the start and end
read do not fit together, or one of them did not read, each candidate pair is scored on the line
the period is printed on (models.ctc, as for closed lists), and the pair the model clearly
prefers, not far behind what it read greedily, is taken (2017.0523-2057.0623 → 2017.05.23-
2037.05.23). Engines that cannot rank texts leave the fields as read."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from models.ocr import crop_quad
from pipeline.closed_lists import RanksTexts, choose, rescored
from pipeline.extract.base import Extracted
from schemas.documents import PERMANENT, DocType

TERMS = (5, 10, 20)
"""Years a resident ID card is issued for, by the holder's age; older holders get 长期."""
MARGIN = 2.0
"""How far (log-likelihood) the likeliest pair must lead the next: e² ≈ 7×."""


def reread_validity(engine: object, image: np.ndarray, doc_type: DocType, extracted: Extracted) -> list[str]:
    """Put right, in place, an ID card back's valid_from / valid_until that do not fit together;
    returns the names of the fields changed."""
    if doc_type is not DocType.ID_CARD_BACK or not isinstance(engine, RanksTexts):
        return []
    start, end = extracted.fields.get("valid_from"), extracted.fields.get("valid_until")
    if (start is None and end is None) or _fits(start, end):
        return []
    line = max(extracted.sources.get("valid_from") or extracted.sources.get("valid_until"),
               key=lambda l: sum(c.isdigit() for c in l.text))
    pairs = _pairs(start, end)
    digits = re.search(r"\d", line.text)
    if not pairs or digits is None:
        return []
    label = line.text[:digits.start()]  # the label as read, where it shares the line
    texts = [f"{label}{_dotted(a)}-{_dotted(b)}" for a, b in pairs]
    scores = engine.rank_texts(crop_quad(image, line.box), texts + [line.text])
    chosen = choose(list(scores[:-1]), greedy=float(scores[-1]), margin=MARGIN)
    if chosen is None:
        return []
    source = [rescored(line, scores[chosen], texts[chosen])]
    changed = []
    for name, value in zip(("valid_from", "valid_until"), pairs[chosen]):
        if extracted.fields.get(name) != value:
            extracted.fields.pop(name, None)
            changed.append(name)
        extracted.put(name, value, source)
    return changed


def _fits(start: str | None, end: str | None) -> bool:
    return start is not None and end is not None and (end == PERMANENT or end in _ends(start))


def _pairs(start: str | None, end: str | None) -> list[tuple[str, str]]:
    """Every (start, end) a card could print with one of the two dates as read."""
    pairs = []
    if start is not None:
        pairs += [(start, later) for later in _ends(start)] + [(start, PERMANENT)]
    if end is not None and end != PERMANENT:
        pairs += [(earlier, end) for earlier in _starts(end)]
    return list(dict.fromkeys(pairs))


def _ends(start: str) -> list[str]:
    return [shifted for years in TERMS if (shifted := _shift(start, years))]


def _starts(end: str) -> list[str]:
    return [shifted for years in TERMS if (shifted := _shift(end, -years))]


def _shift(iso: str, years: int) -> str | None:
    day = date.fromisoformat(iso)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February into a common year: no card prints that pair
        return None


def _dotted(value: str) -> str:
    return value if value == PERMANENT else value.replace("-", ".")
