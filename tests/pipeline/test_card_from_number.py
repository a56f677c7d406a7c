"""An ID card front whose outline was not found (a light card on light paper shows no edge on
one or two sides) is placed from its number's line, on photographed specimens read by the real
models."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from pipeline.ingest import Page
from pipeline.locate import NUMBER_ACROSS, NUMBER_DOWN, DocumentKind, Located, card_around_number
from pipeline.read import LocatedPage
from schemas.documents import DocType
from specimens.faces import FacePool
from specimens.generate import specimen_images
from specimens.people import make_person

FIELDS = ("name", "sex", "ethnicity", "birth_date", "address", "id_number")


def _photo(settings, seed: int, level: int):
    rng = random.Random(seed)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (photo, info), = specimen_images(person, [DocType.ID_CARD_FRONT], level, rng).values()
    return person, photo, info


def _iou(a, b) -> float:
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    inter, _ = cv2.intersectConvexConvex(a, b)
    return inter / (cv2.contourArea(a) + cv2.contourArea(b) - inter)


def _number_line(corners) -> np.ndarray:
    """Where the card's number line lies in the photo, from the card's true corners."""
    (x0, x1), y = NUMBER_ACROSS, NUMBER_DOWN
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
    to_photo = cv2.getPerspectiveTransform(unit, np.array(corners, np.float32))
    box = np.array([[x0, y - 0.04], [x1, y - 0.04], [x1, y + 0.04], [x0, y + 0.04]], np.float32)
    return cv2.perspectiveTransform(box.reshape(-1, 1, 2), to_photo).reshape(-1, 2)


@pytest.mark.parametrize("turn", [0, 2])
def test_the_number_line_places_the_card_either_way_up(settings, turn):
    _, photo, info = _photo(settings, 2, 1)
    line = _number_line(info["corners"])
    if turn:  # the line's corners listed from the other end, as a reading the other way up gives them
        line = np.roll(line, turn, axis=0)
    placed = card_around_number(photo, line)
    assert placed.kind is DocumentKind.CARD
    assert _iou(placed.quad, info["corners"]) > 0.95


def test_a_card_no_outline_was_found_for_is_read_where_its_number_places_it(settings, reader):
    person, photo, info = _photo(settings, 2, 2)  # on a sheet of print, clutter about
    height, width = photo.shape[:2]
    frame = Located(DocumentKind.FRAME, np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32),
                    1.0, False)
    reading = reader._read_located(LocatedPage(Page(photo, None, False), "front.jpg", None, [frame], 0.0))
    assert reading.timings["outlines_tried"] == 2  # the whole photo, then the card the number placed
    assert _iou(reading.document_region, info["corners"]) > 0.9
    assert {name: reading.fields.get(name) for name in FIELDS} == {name: getattr(person, name) for name in FIELDS}
