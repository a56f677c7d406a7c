"""The OCR engine protocol and what every engine returns.

The pipeline wants detection and recognition as separate steps: it detects text lines on a
small copy of a rectified document (fast) and recognizes them from the full-resolution one
(accurate). Engines therefore expose `detect`, `recognize` and `line_orientation`, plus `read`
for the plain "whole image in, lines out" case."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float
    box: np.ndarray
    """4×2 float32 corners, clockwise from top-left, in pixels of the image that was read."""

    @property
    def center(self) -> tuple[float, float]:
        x, y = self.box.mean(axis=0)
        return float(x), float(y)


@dataclass
class OcrResult:
    """Lines found in one image. `lines == []` means the engine saw no text; callers should
    treat that as a result ("no text"), not as an empty success."""

    lines: list[TextLine]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def found_text(self) -> bool:
        return bool(self.lines)


class OcrEngine(Protocol):
    name: str
    thread_safe: bool
    """True if several threads may call one instance at once."""

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text-line quads (4×2 float32) in `image` pixels, top-to-bottom, left-to-right."""
        ...

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence (0–1) of each horizontal line crop, in order."""
        ...

    def line_orientation(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        """For each line crop: 0 or 180 (degrees it is turned) and the confidence."""
        ...

    def read(self, image: np.ndarray) -> OcrResult:
        """Detect and recognize every line of `image`."""
        ...


def order_quad(points: np.ndarray) -> np.ndarray:
    """Corners ordered clockwise from the top-left (by the usual sum/difference rule)."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]],
        dtype=np.float32,
    )


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quad's content, straightened into a horizontal strip (tall strips turned upright)."""
    quad = np.asarray(quad, dtype=np.float32)
    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    width, height = max(width, 1), max(height, 1)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad, target)
    crop = cv2.warpPerspective(
        image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if height >= width * 1.5:
        crop = np.rot90(crop)
    return crop


def sort_reading_order(quads: list[np.ndarray]) -> list[np.ndarray]:
    """Top-to-bottom, then left-to-right within a line of similar height."""
    if not quads:
        return []
    keyed = sorted(quads, key=lambda q: (q[:, 1].min(), q[:, 0].min()))
    ordered: list[np.ndarray] = []
    for quad in keyed:
        ordered.append(quad)
        i = len(ordered) - 1
        while i > 0:
            prev = ordered[i - 1]
            same_line = abs(prev[:, 1].mean() - quad[:, 1].mean()) < 0.5 * _height(quad)
            if same_line and prev[:, 0].min() > quad[:, 0].min():
                ordered[i - 1], ordered[i] = ordered[i], ordered[i - 1]
                i -= 1
            else:
                break
    return ordered


def _height(quad: np.ndarray) -> float:
    return float(max(quad[:, 1].max() - quad[:, 1].min(), 1.0))
