"""Layouts as recognition gives them, built by hand: what a blurred photo reads, for the
classifier's and the extractors' tests."""

from __future__ import annotations

import numpy as np

from models.ocr import TextLine
from pipeline.layout import Layout


def card_layout(*rows: tuple[str, float, float]) -> Layout:
    """A 960×606 card with one line per (text, x, y) given as fractions."""
    lines = []
    for text, x, y in rows:
        x0, y0 = x * 960, y * 606
        box = np.array([[x0, y0], [x0 + 24 * len(text), y0], [x0 + 24 * len(text), y0 + 28], [x0, y0 + 28]], np.float32)
        lines.append(TextLine(text, 0.9, box))
    return Layout(lines, 960, 606)
