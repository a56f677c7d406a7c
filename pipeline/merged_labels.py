"""A second look at a label read into its value's line (书范东 for 姓名 范东).

Detection often gives a label and its value one box. Blurred, the label then reads as anything
(书, 单书 or 生北 for 姓名 and 住址; 王集业来 for 签发机关), and nothing in the text says where the
value starts. The recognition model can say: the line is scored as the label followed by the text
less its first 0 to len(label) + 1 characters (models.ctc), and the split it likes clearly best
is taken. Only lines that begin left of where the values start are looked at, and only on
engines that can rank texts."""

from __future__ import annotations

import numpy as np

from models.ocr import TextLine, crop_quad
from pipeline.closed_lists import RanksTexts, choose
from pipeline.extract.base import Extracted
from pipeline.extract.id_card import BACK_VALUE_COLUMN, LABEL_COLUMN
from pipeline.layout import Layout, Line
from schemas.documents import DocType

LABELLED_FIELDS: dict[DocType, tuple[tuple[str, str, float], ...]] = {
    DocType.ID_CARD_FRONT: (("name", "姓名", LABEL_COLUMN), ("address", "住址", LABEL_COLUMN)),
    DocType.ID_CARD_BACK: (("issuing_authority", "签发机关", BACK_VALUE_COLUMN),),
}
"""Per document type: (field, the label printed at the start of its first line, where on the
card's width the values start: a line beginning left of it holds the label)."""
MARGIN = 2.0
"""How far (log-likelihood) the best split must lead the next: e² ≈ 7×."""
BEHIND_PER_LABEL_CHAR = 4.0
"""How far the best split may be behind the greedy reading, per label character: a blurred
label costs its split about that much (7–8 for 姓名, 12 for 签发机关 on the benches' photos);
where no label is printed, putting one in costs several times more (42 for 住址, tested)."""


def trim_merged_labels(engine: object, image: np.ndarray, doc_type: DocType, layout: Layout,
                       extracted: Extracted) -> Layout | None:
    """The layout with garbled labels cut from the lines that begin fields' values, or None when
    there was nothing to cut (extract again from the layout returned)."""
    if not isinstance(engine, RanksTexts):
        return None
    trimmed: dict[int, str] = {}
    for field, label, values_start in LABELLED_FIELDS.get(doc_type, ()):
        sources = extracted.sources.get(field)
        if not sources:
            continue
        line = sources[0]
        if line.x0 >= values_start or line.text.startswith(label) or len(line.text) < 2:
            continue
        cut = _label_length(engine, image, line, label)
        if cut:
            trimmed[id(line)] = line.text[cut:]
    if not trimmed:
        return None
    return Layout([TextLine(trimmed.get(id(line), line.text), line.score, line.box) for line in layout.lines],
                  layout.width, layout.height)


def _label_length(engine: RanksTexts, image: np.ndarray, line: Line, label: str) -> int:
    """How many leading characters of the line are its label as read (0 when none clearly): a
    garbled label reads as one character more or fewer than it has, or as many."""
    text = line.text
    cuts = range(min(len(label) + 1, len(text) - 1) + 1)  # keep at least one character of value
    scores = engine.rank_texts(crop_quad(image, line.box), [label + text[cut:] for cut in cuts] + [text])
    chosen = choose(scores[:-1], greedy=scores[-1], margin=MARGIN, behind=BEHIND_PER_LABEL_CHAR * len(label))
    return 0 if chosen is None else cuts[chosen]
