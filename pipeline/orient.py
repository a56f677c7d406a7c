"""Orient: turn a rectified document so its text reads left-to-right, top-to-bottom.

Text lines that come out taller than wide mean the document lies on its side (90°/270°);
the line-orientation classifier, asked about the longest lines, settles 0° against 180°."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from models.ocr import OcrEngine, crop_quad, order_quad, sort_reading_order

ORIENTATION_SAMPLE = 8
"""How many of the longest lines the 0°/180° vote asks about."""


@dataclass
class Oriented:
    image: np.ndarray
    """The document turned upright (full resolution)."""
    quads: list[np.ndarray]
    """Text lines in `image` pixels, in reading order."""
    rotation: int
    """Degrees the document was turned clockwise to read it: 0, 90, 180 or 270."""


def rotate_image(image: np.ndarray, degrees: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if degrees % 360 == 0 else cv2.rotate(image, codes[degrees % 360])


def rotate_points(points: np.ndarray, degrees: int, width: int, height: int) -> np.ndarray:
    """Where points of a width×height image land when it is turned clockwise by `degrees`."""
    x, y = points[..., 0], points[..., 1]
    degrees %= 360
    if degrees == 90:
        out = np.stack([height - 1 - y, x], axis=-1)
    elif degrees == 180:
        out = np.stack([width - 1 - x, height - 1 - y], axis=-1)
    elif degrees == 270:
        out = np.stack([y, width - 1 - x], axis=-1)
    else:
        out = np.stack([x, y], axis=-1)
    return out.astype(np.float32)


def orient(engine: OcrEngine, flat: np.ndarray, detect_side: int) -> Oriented:
    """Detect lines on a copy `detect_side` pixels on its long side; turn the document upright."""
    height, width = flat.shape[:2]
    scale = min(1.0, detect_side / max(height, width))
    small = cv2.resize(flat, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else flat
    quads = [q / scale for q in engine.detect(small)]
    if not quads:
        return Oriented(flat, [], 0)

    rotation = 0
    if _mostly_vertical(quads):
        rotation = 90
        quads = [order_quad(rotate_points(q, 90, width, height)) for q in quads]
        flat = rotate_image(flat, 90)
        height, width = flat.shape[:2]

    longest = sorted(quads, key=lambda q: -np.linalg.norm(q[0] - q[1]))[:ORIENTATION_SAMPLE]
    votes = engine.line_orientation([crop_quad(flat, q) for q in longest])
    upside_down = sum(score if angle == 180 else -score for angle, score in votes)
    if upside_down > 0:
        rotation = (rotation + 180) % 360
        quads = [order_quad(rotate_points(q, 180, width, height)) for q in quads]
        flat = rotate_image(flat, 180)
    return Oriented(flat, sort_reading_order(quads), rotation)


def _mostly_vertical(quads: list[np.ndarray]) -> bool:
    tall = wide = 0
    for quad in quads:
        w = np.linalg.norm(quad[0] - quad[1])
        h = np.linalg.norm(quad[1] - quad[2])
        if h > 1.5 * w:
            tall += 1
        elif w > 1.5 * h:
            wide += 1
    return tall > wide
