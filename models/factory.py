"""Choosing the OCR engine from settings: RapidOCR unless PaddleOCR is asked for."""

from __future__ import annotations

from models.errors import ModelError
from models.ocr import OcrEngine
from schemas.settings import Settings


def load_ocr_engine(settings: Settings) -> OcrEngine:
    """The configured engine (models load on first use, not here)."""
    if settings.ocr_engine == "rapidocr":
        from models.rapid import RapidOcrEngine

        return RapidOcrEngine(threads=settings.ocr_threads)
    if settings.ocr_engine == "paddleocr":
        from models.paddle import PaddleOcrEngine

        return PaddleOcrEngine.from_settings(settings)
    raise ModelError(f"unknown OCR engine {settings.ocr_engine!r}; known: rapidocr, paddleocr")
