"""What an extractor returns, and the helpers all of them share."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.layout import Layout, Line, Row, fuzzy_find


@dataclass
class Extracted:
    fields: dict[str, str] = field(default_factory=dict)
    sources: dict[str, list[Line]] = field(default_factory=dict)
    """The lines each field was read from: its region on the page and its confidence."""

    def put(self, name: str, value: str | None, lines: list[Line]) -> None:
        if value:
            self.fields[name] = value
            self.sources[name] = lines


def strip_label(text: str, label: str, remnant: bool = False) -> str:
    """`text` without a leading `label` (one OCR slip allowed on labels of 4+ characters).

    With `remnant`, a single leading character of a two-character label goes too (址 of a
    blurred 住址, 姓 of 姓名): say so only where no value can start with either."""
    found = fuzzy_find(text[: len(label) + 2], label, 0 if len(label) <= 3 else 1)
    if found is not None and found[0] <= 1:
        return text[found[1]:]
    if remnant and len(label) == 2 and len(text) > 2 and text[0] in label:
        return text[1:]
    return text


def row_starting_with(layout: Layout, label: str, max_start: int = 1) -> Row | None:
    for row in layout.rows:
        found = fuzzy_find(row.text, label, 0 if len(label) <= 3 else 1)
        if found is not None and found[0] <= max_start:
            return row
    return None


def row_containing(layout: Layout, label: str) -> tuple[Row, int, int] | None:
    """The row whose text holds `label` best (an exact match first, then the first with one
    OCR slip), and where in that text it is: 社会保障卡号 must not land on the 社会保障卡 title."""
    best = None
    for row in layout.rows:
        found = fuzzy_find(row.text, label, 0 if len(label) <= 3 else 1)
        if found is not None and (best is None or found[2] < best[1][2]):
            best = (row, found)
            if found[2] == 0:
                break
    return (best[0], best[1][0], best[1][1]) if best else None


def text_after(row: Row, label: str) -> str:
    text = row.text
    found = fuzzy_find(text, label, 0 if len(label) <= 3 else 1)
    return text[found[1]:] if found is not None else text
