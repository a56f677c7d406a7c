"""Layouts as recognition gives them, built by hand: what a blurred photo reads, for the
classifier's and the extractors' tests; and lines rendered in the cards' fonts, for the tests
that score texts on a line with the real recognition model."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from models.ocr import TextLine
from pipeline.layout import Layout
from specimens.fonts import font


def rendered_line(text: str, family: str = "noto_serif", size: int = 30) -> np.ndarray:
    """`text` printed dark on a paper-coloured strip, as a BGR image (what the engine reads)."""
    face = font(family, size)
    left, _, right, _ = face.getbbox(text)
    height = int(size * 1.7)
    image = Image.new("RGB", (right - left + 24, height), (246, 240, 232))
    ImageDraw.Draw(image).text((12 - left, height // 2), text, font=face, fill=(30, 30, 30), anchor="lm")
    return np.asarray(image)[:, :, ::-1].copy()


def card_layout(*rows: tuple[str, float, float]) -> Layout:
    """A 960×606 card with one line per (text, x, y) given as fractions."""
    lines = []
    for text, x, y in rows:
        x0, y0 = x * 960, y * 606
        box = np.array([[x0, y0], [x0 + 24 * len(text), y0], [x0 + 24 * len(text), y0 + 28], [x0, y0 + 28]], np.float32)
        lines.append(TextLine(text, 0.9, box))
    return Layout(lines, 960, 606)
