"""A second look at a label read into its value's line (书范东 for 姓名 范东).

Detection often gives a label and its value one box. Blurred, the label then reads as anything,
one character or three (书, 单书, 生北), and nothing in the text says where the value starts. The
recognition model can say: the line is scored as the label followed by the text less its first
0–3 characters (models.ctc), and the split it likes clearly best is taken. Only lines that begin
in the label column are looked at, and only on engines that can rank texts."""

from __future__ import annotations

import numpy as np

from models.ocr import TextLine, crop_quad
from pipeline.closed_lists import RanksTexts, choose
from pipeline.extract.base import Extracted
from pipeline.extract.id_card import LABEL_COLUMN
from pipeline.layout import Layout, Line
from schemas.documents import DocType

LABELLED_FIELDS: dict[DocType, tuple[tuple[str, str], ...]] = {
    DocType.ID_CARD_FRONT: (("name", "姓名"), ("address", "住址")),
}
"""Per document type: (field, the label printed at the start of its first line)."""
MAX_LABEL_CHARS = 3
"""A garbled two-character label reads as one to three characters."""
MARGIN = 2.0
"""How far (log-likelihood) the best split must lead the next: e² ≈ 7×."""


def trim_merged_labels(engine: object, image: np.ndarray, doc_type: DocType, layout: Layout,
                       extracted: Extracted) -> Layout | None:
    """The layout with garbled labels cut from the lines that begin fields' values, or None when
    there was nothing to cut (extract again from the layout returned)."""
    if not isinstance(engine, RanksTexts):
        return None
    trimmed: dict[int, str] = {}
    for field, label in LABELLED_FIELDS.get(doc_type, ()):
        sources = extracted.sources.get(field)
        if not sources:
            continue
        line = sources[0]
        if line.x0 >= LABEL_COLUMN or line.text.startswith(label) or len(line.text) < 2:
            continue
        cut = _label_length(engine, image, line, label)
        if cut:
            trimmed[id(line)] = line.text[cut:]
    if not trimmed:
        return None
    return Layout([TextLine(trimmed.get(id(line), line.text), line.score, line.box) for line in layout.lines],
                  layout.width, layout.height)


def _label_length(engine: RanksTexts, image: np.ndarray, line: Line, label: str) -> int:
    """How many leading characters of the line are its label as read (0 when none clearly)."""
    text = line.text
    cuts = range(min(MAX_LABEL_CHARS, len(text) - 1) + 1)  # keep at least one character of value
    scores = engine.rank_texts(crop_quad(image, line.box), [label + text[cut:] for cut in cuts] + [text])
    chosen = choose(scores[:-1], greedy=scores[-1], margin=MARGIN)
    return 0 if chosen is None else cuts[chosen]
