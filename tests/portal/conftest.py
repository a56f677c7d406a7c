"""Portal fixtures (helpers live in portal_kit.py)."""

from __future__ import annotations

import pytest

from specimens.faces import FacePool


@pytest.fixture(scope="session")
def faces(settings):
    return FacePool(settings.faces_dir)
