"""The text of a rectified document as positioned lines and rows, with the lookups that
field extractors need: which line carries a label, what lies right of it, what lies in a
region of the document. Positions are fractions of the document's width and height."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from functools import cache

import numpy as np
import opencc

from models.ocr import TextLine


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


def clean(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII), simplified characters (within the BMP), no spaces.

    The recognition model often answers a simplified character with its traditional form
    (汉 → 漢, 龙 → 龍); the documents read here print simplified Chinese."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not re.search(r"[\u3400-\u9fff]", text):
        return text
    simplified = _to_simplified().convert(text)
    if len(simplified) != len(text):
        return simplified
    # OpenCC maps a few name characters to supplementary-plane forms (頔 → 𬱖, 頫 → 𫖯) that
    # ID cards and registers do not print: such a character keeps the form that was read.
    return "".join(new if ord(new) <= 0xFFFF else old for old, new in zip(text, simplified))


@dataclass
class Line:
    text: str
    """Cleaned text (see `clean`)."""
    score: float
    box: np.ndarray
    """4×2 corners in document pixels."""
    x0: float
    y0: float
    x1: float
    y1: float
    """Bounding box as fractions of the document's width and height."""

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Row:
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def cy(self) -> float:
        return float(np.mean([line.cy for line in self.lines]))

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)


class Layout:
    def __init__(self, lines: list[TextLine], width: int, height: int):
        self.width, self.height = width, height
        self.lines: list[Line] = []
        for line in lines:
            text = clean(line.text)
            if not text:
                continue
            xs, ys = line.box[:, 0], line.box[:, 1]
            self.lines.append(Line(text, line.score, line.box, float(xs.min()) / width,
                                   float(ys.min()) / height, float(xs.max()) / width,
                                   float(ys.max()) / height))
        self.rows = self._group_rows()

    @property
    def text(self) -> str:
        return "".join(row.text for row in self.rows)

    def _group_rows(self) -> list[Row]:
        rows: list[Row] = []
        for line in sorted(self.lines, key=lambda l: l.cy):
            for row in rows:
                anchor = row.lines[0]
                overlap = min(anchor.y1, line.y1) - max(anchor.y0, line.y0)
                if overlap > 0.5 * min(anchor.height, line.height):
                    row.lines.append(line)
                    break
            else:
                rows.append(Row([line]))
        for row in rows:
            row.lines.sort(key=lambda l: l.x0)
        rows.sort(key=lambda r: r.cy)
        return rows

    def find_label(self, label: str, max_errors: int | None = None) -> tuple[Line, int] | None:
        """The line that starts with `label` (allowing OCR slips on longer labels) and where
        the label ends in its text; the best-scoring one if several do."""
        if max_errors is None:
            max_errors = 0 if len(label) <= 2 else 1
        best = None
        for line in self.lines:
            found = fuzzy_find(line.text, label, max_errors)
            if found is None:
                continue
            start, end, errors = found
            if start > 2:
                continue
            key = (errors, start)
            if best is None or key < best[0]:
                best = (key, line, end)
        return (best[1], best[2]) if best else None

    def right_of(self, line: Line, end: int = 0, stop_labels: tuple[str, ...] = ()) -> str:
        """Text after position `end` of `line`, plus the lines to its right on the same row,
        cut at the first of `stop_labels`."""
        text = line.text[end:]
        for row in self.rows:
            if line in row.lines:
                text += "".join(other.text for other in row.lines if other.x0 > line.x0 and other is not line)
                break
        for stop in stop_labels:
            found = fuzzy_find(text, stop, 0 if len(stop) <= 2 else 1)
            if found is not None:
                text = text[: found[0]]
        return text

    def row_of(self, line: Line) -> Row:
        return next(row for row in self.rows if line in row.lines)

    def in_region(self, x0: float, y0: float, x1: float, y1: float) -> list[Line]:
        """Lines whose centre lies inside the region, in reading order."""
        found = [l for l in self.lines
                 if x0 <= (l.x0 + l.x1) / 2 <= x1 and y0 <= l.cy <= y1]
        return sorted(found, key=lambda l: (round(l.cy / max(l.height, 0.01)), l.x0))


def fuzzy_find(text: str, pattern: str, max_errors: int) -> tuple[int, int, int] | None:
    """Approximate substring search (edit distance ≤ max_errors): (start, end, errors) of the
    leftmost best match, or None. Short strings only: O(len(text) × len(pattern))."""
    if not pattern:
        return (0, 0, 0)
    index = text.find(pattern)
    if index >= 0:
        return (index, index + len(pattern), 0)
    if max_errors == 0:
        return None
    m = len(pattern)
    previous = list(range(m + 1))
    starts_prev = [0] * (m + 1)
    best = None
    for j, char in enumerate(text, start=1):
        current = [0] * (m + 1)
        starts = [j] * (m + 1)
        for i in range(1, m + 1):
            options = (
                (previous[i - 1] + (pattern[i - 1] != char), starts_prev[i - 1]),
                (previous[i] + 1, starts_prev[i]),
                (current[i - 1] + 1, starts[i - 1]),
            )
            current[i], starts[i] = min(options)
        if current[m] <= max_errors and (best is None or current[m] < best[2]):
            best = (starts[m], j, current[m])
        previous, starts_prev = current, starts
    return best


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions). Short strings only."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]
