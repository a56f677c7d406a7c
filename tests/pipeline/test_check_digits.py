"""The second look at numbers failing their check digit, on lines rendered in the digit fonts
cards use and scored by the real RapidOCR recognition model."""

from __future__ import annotations

import numpy as np
import pytest

from models.ocr import TextLine
from pipeline.check_digits import reread_check_digits
from pipeline.extract.base import Extracted
from pipeline.fields import validate_card_number, validate_id_number
from pipeline.layout import Layout
from schemas.documents import DocType
from tests.pipeline.layout_kit import rendered_line

CARD = "6227002619440212353"
ID_NUMBER = "623023194711099862"


def _number_line(text: str, family: str = "dejavu_mono") -> np.ndarray:
    return rendered_line(text, family, size=40)


def _read_as(image: np.ndarray, name: str, texts: list[str]) -> tuple[Layout, Extracted]:
    """The image as lines side by side, recognized as `texts`, and `name` extracted from them all."""
    height, width = image.shape[:2]
    step = width / len(texts)
    lines = [TextLine(text, 0.9, np.array([[i * step, 0], [(i + 1) * step, 0], [(i + 1) * step, height],
                                          [i * step, height]], np.float32)) for i, text in enumerate(texts)]
    layout = Layout(lines, width, height)
    extracted = Extracted()
    extracted.put(name, "".join(texts), layout.lines)
    return layout, extracted


@pytest.fixture(scope="module")
def engine(reader):
    return reader.engine


def test_the_numbers_are_real():
    assert validate_card_number(CARD) is None and validate_id_number(ID_NUMBER) is None


@pytest.mark.parametrize("misread", ["6227092619440212353", "6227002619440217353", "6227002619448212353"])
def test_a_card_number_one_digit_off_is_put_right(engine, misread):
    assert validate_card_number(misread) is not None
    image = _number_line(" ".join(CARD[i:i + 4] for i in range(0, len(CARD), 4)))
    _, extracted = _read_as(image, "card_number", [misread])
    assert reread_check_digits(engine, image, DocType.BANK_CARD, extracted) == ["card_number"]
    assert extracted.fields["card_number"] == CARD
    assert 0 < extracted.sources["card_number"][0].score <= 0.9


@pytest.mark.parametrize("misread", ["623021194711099862", "623023194711099863", "623023194741099862"])
def test_an_id_number_one_character_off_is_put_right(engine, misread):
    assert validate_id_number(misread) is not None
    image = _number_line(ID_NUMBER, "dejavu_mono_bold")
    _, extracted = _read_as(image, "id_number", [misread])
    assert reread_check_digits(engine, image, DocType.ID_CARD_FRONT, extracted) == ["id_number"]
    assert extracted.fields["id_number"] == ID_NUMBER


def test_a_number_that_passes_its_check_is_left_alone(engine):
    image = _number_line(CARD)
    _, extracted = _read_as(image, "card_number", [CARD])
    assert reread_check_digits(engine, image, DocType.BANK_CARD, extracted) == []


def test_a_number_read_over_two_lines_is_left_alone(engine):
    image = _number_line("6227 0926 1944 0212 353")
    _, extracted = _read_as(image, "card_number", ["622709261", "9440212353"])
    assert reread_check_digits(engine, image, DocType.BANK_CARD, extracted) == []
    assert extracted.fields["card_number"] == "6227092619440212353"


def test_engines_that_cannot_rank_are_left_as_they_are():
    image = _number_line(CARD)
    _, extracted = _read_as(image, "card_number", ["6227092619440212353"])
    assert reread_check_digits(object(), image, DocType.BANK_CARD, extracted) == []


@pytest.mark.parametrize(("doc_type", "name", "printed"), [
    (DocType.BANK_CARD, "card_number", "6227002619440212354"),
    (DocType.ID_CARD_FRONT, "id_number", "623023194711099863"),
])
def test_a_number_printed_wrong_and_read_right_stays_wrong(engine, doc_type, name, printed):
    """The check must still catch a card that carries an invalid number: a number read as
    printed is far likelier than any neighbour, so none is taken."""
    image = _number_line(printed)
    _, extracted = _read_as(image, name, [printed])
    assert reread_check_digits(engine, image, doc_type, extracted) == []
    assert extracted.fields[name] == printed
