"""The second look at an ID card's validity period whose dates do not fit together, on lines
rendered in the cards' fonts and scored by the real RapidOCR recognition model."""

from __future__ import annotations

import numpy as np
import pytest

from models.ocr import TextLine
from pipeline.extract.base import Extracted
from pipeline.layout import Layout
from pipeline.validity_period import reread_validity
from schemas.documents import PERMANENT, DocType
from tests.pipeline.layout_kit import rendered_line


def _read_as(printed: str, read_as: str, start: str | None, end: str | None) -> tuple[np.ndarray, Extracted]:
    image = rendered_line(printed, "noto_sans")
    height, width = image.shape[:2]
    box = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    (line,) = Layout([TextLine(read_as, 0.8, box)], width, height).lines
    extracted = Extracted()
    extracted.put("valid_from", start, [line])
    extracted.put("valid_until", end, [line])
    return image, extracted


@pytest.fixture(scope="module")
def engine(reader):
    return reader.engine


def test_an_end_that_does_not_fit_the_start_is_read_again(engine):
    image, extracted = _read_as("有效期限 2017.05.23-2037.05.23", "有效期限2017.0523-2057.0623",
                                "2017-05-23", "2057-06-23")
    assert reread_validity(engine, image, DocType.ID_CARD_BACK, extracted) == ["valid_until"]
    assert extracted.fields == {"valid_from": "2017-05-23", "valid_until": "2037-05-23"}


def test_a_start_that_did_not_read_comes_from_the_end(engine):
    image, extracted = _read_as("有效期限 2016.06.08-2026.06.08", "有效期限2016.6.8-2026.06.08",
                                None, "2026-06-08")
    assert reread_validity(engine, image, DocType.ID_CARD_BACK, extracted) == ["valid_from"]
    assert extracted.fields["valid_from"] == "2016-06-08"


def test_an_end_that_did_not_read_may_be_for_good(engine):
    image, extracted = _read_as("有效期限 2009.11.15-长期", "有效期限2009.11.15-长", "2009-11-15", None)
    assert reread_validity(engine, image, DocType.ID_CARD_BACK, extracted) == ["valid_until"]
    assert extracted.fields["valid_until"] == PERMANENT


def test_dates_that_fit_are_left_alone(engine):
    image, extracted = _read_as("有效期限 2017.05.23-2037.05.23", "有效期限2017.05.23-2037.05.23",
                                "2017-05-23", "2037-05-23")
    assert reread_validity(engine, image, DocType.ID_CARD_BACK, extracted) == []


def test_a_period_printed_wrong_and_read_right_stays_as_printed(engine):
    """A card whose dates cannot be (a forgery, a misprint) must not be made to look right."""
    image, extracted = _read_as("有效期限 2017.05.23-2031.01.09", "有效期限2017.05.23-2031.01.09",
                                "2017-05-23", "2031-01-09")
    assert reread_validity(engine, image, DocType.ID_CARD_BACK, extracted) == []
    assert extracted.fields["valid_until"] == "2031-01-09"


def test_engines_that_cannot_rank_are_left_as_they_are():
    image, extracted = _read_as("有效期限 2017.05.23-2037.05.23", "有效期限2017.0523-2057.0623",
                                "2017-05-23", "2057-06-23")
    assert reread_validity(object(), image, DocType.ID_CARD_BACK, extracted) == []
