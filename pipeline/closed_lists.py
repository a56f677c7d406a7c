"""A second look at fields whose value must come from a closed list (the 56 ethnic groups).

Greedy recognition reads each character on its own, so a rare character can come out as a
look-alike (仫佬 as 仏佬) and the field then names no group at all. When such a field was not
read, the engine is asked how likely each entry of the list is on the line beside the field's
label (models.ctc), and the likeliest is taken if it is clearly ahead of the others and not
far behind what the engine read greedily. Engines that cannot rank texts are left as they are."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Protocol, runtime_checkable

import numpy as np

from models.ocr import crop_quad
from pipeline.extract.base import Extracted
from pipeline.fields import ETHNIC_GROUPS
from pipeline.layout import Layout, Line
from schemas.documents import DOC_FIELDS, DocType

CLOSED_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {"ethnicity": ("民族", ETHNIC_GROUPS)}
"""Field → (its printed label, the values it may take)."""

MARGIN = 2.0
"""The likeliest entry must be e² ≈ 7× likelier than the runner-up (log-likelihoods)."""
BEHIND_GREEDY = 8.0
"""…and at most e⁸ ≈ 3,000× less likely than the greedy reading: a line that says something
else altogether (a smudge, another field) leaves every entry much further behind."""


@runtime_checkable
class RanksTexts(Protocol):
    def rank_texts(self, crop: np.ndarray, texts: list[str]) -> list[float]:
        """log P(text | crop) for each text."""
        ...


def reread_closed_fields(engine: object, image: np.ndarray, doc_type: DocType, layout: Layout,
                         extracted: Extracted) -> list[str]:
    """Fill the document's closed-list fields that extraction left empty, in place; returns
    the names of the fields filled."""
    if not isinstance(engine, RanksTexts):
        return []
    filled = []
    for name in DOC_FIELDS.get(doc_type, ()):
        if name in extracted.fields or name not in CLOSED_FIELDS:
            continue
        label, values = CLOSED_FIELDS[name]
        found = _value_line(layout, label)
        if found is None:
            continue
        line, prefix = found
        crop = crop_quad(image, line.box)
        scores = engine.rank_texts(crop, [prefix + value for value in values] + [line.text])
        chosen = _choose(scores[:-1], greedy=scores[-1])
        if chosen is None:
            continue
        text = prefix + values[chosen]
        confidence = math.exp(scores[chosen] / len(text))
        extracted.put(name, values[chosen], [replace(line, score=min(line.score, confidence))])
        filled.append(name)
    return filled


def _value_line(layout: Layout, label: str) -> tuple[Line, str] | None:
    """The line holding the value printed right of `label`, and the text before the value in
    that line (the label itself when label and value were detected as one line)."""
    found = layout.find_label(label) or next(
        ((line, line.text.index(label) + len(label)) for line in layout.lines if label in line.text), None)
    if found is None:  # (the ID card prints 性别 and 民族 on one row, often read as one line)
        return None
    line, end = found
    if line.text[end:]:
        return line, line.text[:end]
    beside = [other for other in layout.row_of(line).lines if other.x0 > line.x0 and other is not line]
    return (beside[0], "") if beside else None


def _choose(scores: list[float], greedy: float) -> int | None:
    order = np.argsort(scores)[::-1]
    best = scores[order[0]]
    runner_up = scores[order[1]] if len(order) > 1 else -math.inf
    if not math.isfinite(best) or best - runner_up < MARGIN:
        return None
    if math.isfinite(greedy) and best < greedy - BEHIND_GREEDY:
        return None
    return int(order[0])
