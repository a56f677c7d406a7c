"""Pictures for the pages: the document a finding concerns, cropped from the upload, with the
field the finding is about outlined; or the whole upload, downsized. JPEG bytes out."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.ingest import Limits, decode
from schemas.documents import Quad

MAX_SIDE = 1600


def _page(data: bytes, page: int | None, limits: Limits) -> np.ndarray:
    pages = decode(data, limits)
    chosen = next((p for p in pages if p.number == page), pages[0])
    return chosen.image


def _jpeg(image: np.ndarray, max_side: int = MAX_SIDE) -> bytes:
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        image = cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    ok, out = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 82])
    if not ok:
        raise ValueError("could not encode the image")
    return out.tobytes()


def _box(quad: Quad, shape: tuple[int, ...], margin: float) -> tuple[int, int, int, int]:
    pts = np.asarray(quad, dtype=np.float32)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    h, w = shape[:2]
    return (max(0, int(x0 - mx)), max(0, int(y0 - my)), min(w, int(x1 + mx)), min(h, int(y1 + my)))


def region_jpeg(data: bytes, page: int | None, document: Quad | None, field: Quad | None,
               limits: Limits = Limits(), max_side: int = 900) -> bytes:
    """The document (or the whole page) with the field outlined in red."""
    image = _page(data, page, limits).copy()
    if field is not None:
        pts = np.asarray(field, dtype=np.int32).reshape(-1, 1, 2)
        thickness = max(3, image.shape[1] // 300)
        cv2.polylines(image, [pts], True, (0, 0, 220), thickness)
    if document is not None:
        x0, y0, x1, y1 = _box(document, image.shape, 0.04)
        if x1 - x0 > 20 and y1 - y0 > 20:
            image = image[y0:y1, x0:x1]
    return _jpeg(image, max_side)


def full_jpeg(data: bytes, page: int | None, limits: Limits = Limits()) -> bytes:
    return _jpeg(_page(data, page, limits))
