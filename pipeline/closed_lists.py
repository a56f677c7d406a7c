"""A second look at fields whose value must come from a closed list: the 56 ethnic groups, the
offices that issue ID cards.

Greedy recognition reads each character on its own, so a rare character can come out as a
look-alike (仫佬 as 仏佬) and the field then names no entry of its list. Such a field (not read,
or read as something off the list) is looked at again: the engine says how likely each entry is
on the line the value is printed on (models.ctc), and the likeliest is taken if it is clearly
ahead of the others and not far behind what the engine read greedily. Engines that cannot rank
texts are left as they are."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import numpy as np

from models.ocr import crop_quad
from pipeline.extract.base import Extracted
from pipeline.fields import ETHNIC_GROUPS
from pipeline.layout import Layout, Line, edit_distance, fuzzy_find
from pipeline.regions import issuing_authorities
from schemas.documents import DOC_FIELDS, DocType


@dataclass(frozen=True)
class ClosedField:
    label: str
    """The label printed left of the value."""
    values: Callable[[], tuple[str, ...]]
    """The entries the value may take."""
    recheck_read: bool = False
    """Also look again at a value that was read but is not on the list."""
    margin: float = 2.0
    """How far (log-likelihood) the likeliest entry must lead the runner-up: e² ≈ 7× for the
    56 groups; a list of thousands offers more look-alikes to win by chance, so more there."""
    shares_row_after: tuple[str, str] | None = None
    """Where the label did not read either: (the first character of the row's line, the
    characters one of which precedes the label there). The ID card prints 性别 男 民族 汉 as
    one row, so an unread 民族 leaves the ethnicity at the tail of the line that starts with 性
    and holds 男 or 女."""
    row_field: str | None = None
    """The field printed on the same row (the ID card front prints the sex and the ethnicity on one)."""
    value_column: float | None = None
    """Where on an ID card front's width the value starts, for when neither its label nor the start
    of its row read (杭女民爆额 for 性别 女 民族 景颇): the part of the lines `row_field` was
    read from right of this column is read alone."""
    value_end: float | None = None
    """Where the value ends, for a value with another printed right of it on its row (the
    sex, left of 民族); None: the row's end."""
    near_margin: float | None = None
    """For a value read off the list: the lead an entry one character from it needs (that is
    the reading with one slip put right, likelier than an entry further off)."""
    max_edits: int | None = None
    """For a value that was read: only entries this many characters from it are scored. A list
    that may lack a real entry (a new district's office) must not swap a right reading for a
    listed neighbour far from it, nor take garbage for an entry."""


ETHNICITY_COLUMN = 0.38
"""The ID card front prints 民族's label at 0.29–0.37 of its width and the group from 0.40."""
SEX_COLUMNS = (0.14, 0.27)
"""…and the sex, a single character, at 0.16–0.21: detection often misses it on a blurred card."""

CLOSED_FIELDS: dict[str, ClosedField] = {
    "ethnicity": ClosedField("民族", lambda: ETHNIC_GROUPS, shares_row_after=("性", "男女"), row_field="sex",
                             value_column=ETHNICITY_COLUMN),
    "sex": ClosedField("性别", lambda: ("男", "女"), row_field="ethnicity", value_column=SEX_COLUMNS[0],
                       value_end=SEX_COLUMNS[1]),
    "issuing_authority": ClosedField("签发机关", issuing_authorities, recheck_read=True, margin=4.0,
                                     near_margin=2.5, max_edits=2),
}

BEHIND_GREEDY = 8.0
"""The likeliest entry must be at most e⁸ ≈ 3,000× less likely than the greedy reading: a line
that says something else altogether (a smudge, another field) leaves every entry much further
behind."""
NEAR_BEHIND_GREEDY = 12.0
"""The same limit for an entry a few characters from an off-list reading (永登品公安局 for
永登县公安局): being that near, it is the line's text, not something else's, even where the
greedy reading of a long blurred line is e⁹ more likely to the model."""
SHORTLIST = 200
"""Entries of a long list scored on a line whose value did not read: those sharing the most
characters with the line (measured on one thread: all 4,299 issuing offices ≈ 0.4 s a line,
1,000 ≈ 0.1 s, 200 ≈ 20 ms)."""


@runtime_checkable
class RanksTexts(Protocol):
    def rank_texts(self, crop: np.ndarray, texts: list[str]) -> list[float]:
        """log P(text | crop) for each text."""
        ...


def reread_closed_fields(engine: object, image: np.ndarray, doc_type: DocType, layout: Layout,
                         extracted: Extracted) -> list[str]:
    """Fill or put right the document's closed-list fields, in place; returns the names of the
    fields changed."""
    if not isinstance(engine, RanksTexts):
        return []
    changed = []
    for name in DOC_FIELDS.get(doc_type, ()):
        spec = CLOSED_FIELDS.get(name)
        if spec is None:
            continue
        values = spec.values()
        read = extracted.fields.get(name)
        if read is not None and (not spec.recheck_read or read in values):
            continue
        found = _value_line(layout, spec.label) or _source_line(extracted.sources.get(name, []), spec.label)
        found = [found] if found else _row_tails(layout, spec.shares_row_after)
        if not found and spec.value_column is not None and doc_type is DocType.ID_CARD_FRONT:  # (its columns)
            found = _at_column(engine, image, extracted.sources.get(spec.row_field, []), spec.value_column,
                               spec.value_end)
        if not found:
            continue
        line = found[0][0]
        prefixes = [prefix for _, prefix in found]
        if read is not None and spec.max_edits is not None:
            candidates = _near(values, read, spec.max_edits)
        else:
            candidates = _shortlist(values, line.text[len(prefixes[0]):])
        if not candidates:
            continue
        texts = [prefix + value for value in candidates for prefix in prefixes]
        ranked = np.array(engine.rank_texts(crop_quad(image, line.box), texts + [line.text]))
        by_prefix = ranked[:-1].reshape(len(candidates), len(prefixes))
        scores = by_prefix.max(axis=1)  # each entry after the split of the line that suits it best
        near = read is not None and spec.max_edits is not None
        behind = NEAR_BEHIND_GREEDY if near else BEHIND_GREEDY
        chosen = choose(list(scores), greedy=float(ranked[-1]), margin=spec.margin, behind=behind)
        if chosen is None and near and spec.near_margin is not None:
            chosen = choose(list(scores), greedy=float(ranked[-1]), margin=spec.near_margin, behind=behind)
            if chosen is not None and edit_distance(candidates[chosen], read) != 1:
                chosen = None
        if chosen is None or candidates[chosen] == read:
            continue
        text = prefixes[int(by_prefix[chosen].argmax())] + candidates[chosen]
        extracted.fields.pop(name, None)
        extracted.put(name, candidates[chosen], [rescored(line, scores[chosen], text)])
        changed.append(name)
    return changed


def off_list_fields(doc_type: DocType, fields: dict[str, str]) -> int:
    """How many of the document's closed-list fields hold a value that is on no list (有曲县总安局):
    a reading's worth, beside its fields' own checks."""
    return sum(1 for name in DOC_FIELDS.get(doc_type, ())
               if (spec := CLOSED_FIELDS.get(name)) and name in fields and fields[name] not in spec.values())


def _value_line(layout: Layout, label: str) -> tuple[Line, str] | None:
    """The line holding the value printed right of `label`, and the text before the value in
    that line (the label itself when label and value were detected as one line)."""
    found = layout.find_label(label) or next(
        ((line, line.text.index(label) + len(label)) for line in layout.lines if label in line.text), None)
    if found is None:  # (the ID card prints 性别 and 民族 on one row, often read as one line)
        return None
    line, end = found
    beside = [other for other in layout.row_of(line).lines if other.x0 > line.x0 and other is not line]
    # (one character after the label in its box, with the value boxed beside it, is a sliver
    # of the value's first character the label's box took in: 签发机关用 | 木垒…)
    if line.text[end:] and not (len(line.text) - end == 1 and beside):
        return line, line.text[:end]
    return (beside[0], "") if beside else None


def _row_tails(layout: Layout, row_after: tuple[str, str] | None) -> list[tuple[Line, str]]:
    """The line that starts with `row_after[0]` and holds one of `row_after[1]` among its
    first four characters, once per place the value may start: one to three characters (a
    garbled label) after that character, leaving at least one for the value."""
    if row_after is None:
        return []
    start, anchors = row_after
    for line in layout.lines:
        text = line.text
        at = next((i for i, char in enumerate(text[:4]) if char in anchors), None)
        if text.startswith(start) and at is not None:
            return [(line, text[:i]) for i in range(at + 1, min(at + 4, len(text) - 1) + 1)]
    return []


def _at_column(engine: object, image: np.ndarray, row: list[Line], column: float,
               end: float | None = None) -> list[tuple[Line, str]]:
    """The part of the row's lines right of `column` (and left of `end`; fractions of the
    width) as one line, read greedily; nothing if the row does not reach that far."""
    reaching = [line for line in row if line.x1 > column + 0.03]
    if not reaching or not hasattr(engine, "recognize"):
        return []
    height, width = image.shape[:2]
    x0, x1 = column * width, (end or max(line.x1 for line in reaching)) * width
    y0, y1 = min(line.y0 for line in reaching) * height, max(line.y1 for line in reaching) * height
    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
    (text, score), = engine.recognize([crop_quad(image, box)])
    if not text:
        return []
    part = Line(text, score, box, column, y0 / height, x1 / width, y1 / height)
    return [(part, "")]


def _source_line(sources: list[Line], label: str) -> tuple[Line, str] | None:
    """Where extraction found the value although the label did not read (管发机生 for
    签发机关): the longest of its lines, less a garbled label at its start."""
    if not sources:
        return None
    line = max(sources, key=lambda l: len(l.text))
    head = line.text[:len(label)]
    garbled_label = len(line.text) > len(label) + 1 and fuzzy_find(head, label, len(label) // 2) is not None
    return line, head if garbled_label else ""


def _near(values: tuple[str, ...], read: str, max_edits: int) -> tuple[str, ...]:
    """The entries within `max_edits` of what was read (a cheap count of shared characters
    first: an entry within k edits shares all but k of the longer one's characters)."""
    near = []
    for value in values:
        if abs(len(value) - len(read)) > max_edits:
            continue
        shared = sum(min(value.count(c), read.count(c)) for c in set(value))
        if shared >= max(len(value), len(read)) - max_edits and edit_distance(value, read) <= max_edits:
            near.append(value)
    return tuple(near)


def _shortlist(values: tuple[str, ...], read: str) -> tuple[str, ...]:
    if len(values) <= SHORTLIST:
        return values
    seen = set(read)
    return tuple(sorted(values, key=lambda value: -len(seen.intersection(value)))[:SHORTLIST])


def rescored(line: Line, log_likelihood: float, text: str) -> Line:
    """`line` as the source of a value a second look chose: its score no higher than the chosen
    text's likelihood per character."""
    return replace(line, score=min(line.score, math.exp(log_likelihood / len(text))))


def choose(scores: list[float], greedy: float, margin: float, behind: float = BEHIND_GREEDY) -> int | None:
    """The index of the best score if it leads the runner-up by `margin` and is at most
    `behind` below the greedy reading's score; else None."""
    order = np.argsort(scores)[::-1]
    best = scores[order[0]]
    runner_up = scores[order[1]] if len(order) > 1 else -math.inf
    if not math.isfinite(best) or best - runner_up < margin:
        return None
    if math.isfinite(greedy) and best < greedy - behind:
        return None
    return int(order[0])
