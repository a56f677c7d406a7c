"""Fixtures shared across layers: the real OCR reader and a real specimen set, each built
once per test session (models load once; documents render once)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.settings import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def reader(settings):
    """A DocumentReader on the default engine (RapidOCR with the PP-OCRv6 models of its wheel)."""
    from models.factory import load_ocr_engine
    from pipeline.read import DocumentReader

    return DocumentReader(load_ocr_engine(settings))


@pytest.fixture(scope="session")
def easy_specimens(tmp_path_factory, settings) -> Path:
    """Eight people's four cards, half as scans and half as ordinary phone photos, with truth.json."""
    from specimens.generate import generate

    out = tmp_path_factory.mktemp("specimens-easy")
    generate(out, 8, seed=20261128, faces_dir=settings.faces_dir, difficulties=(0, 1))
    return out


@pytest.fixture(scope="session")
def easy_truth(easy_specimens) -> list[dict]:
    return json.loads((easy_specimens / "truth.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="session")
def easy_readings(reader, easy_specimens, easy_truth) -> dict[str, object]:
    """Each easy specimen read once: {file name: DocumentReading}."""
    readings = {}
    for doc in easy_truth:
        (readings[doc["file"]],) = reader.read_upload((easy_specimens / doc["file"]).read_bytes(), doc["file"])
    return readings
