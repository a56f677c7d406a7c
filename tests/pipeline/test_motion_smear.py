"""A photo taken while the phone moved: the smear is measured from the photo alone and
taken out, and the card reads again, with the real OCR models."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import cv2
import numpy as np
import pytest

from pipeline.deblur import Smear, find_smear, find_smear_around, smear_kernel, unsmear
from pipeline.read import DocumentReader
from schemas.documents import DocType, QualityIssue
from specimens.faces import FacePool
from specimens.generate import specimen_images
from specimens.people import fields_for, make_person


def _smeared_photo(settings, seed: int, doc_type: DocType, smear: Smear) -> tuple[bytes, dict[str, str]]:
    """A phone photo of one of a person's cards, smaller (the card ~530 px across), smeared,
    with sensor noise and JPEG; and the card's true fields."""
    rng = random.Random(seed)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (photo, _), = specimen_images(person, [doc_type], 1, rng).values()
    small = cv2.resize(photo, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    smeared = cv2.filter2D(small, -1, smear_kernel(smear))
    noisy = np.clip(smeared + np.random.default_rng(1).normal(0, 4, smeared.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    return jpeg.tobytes(), fields_for(doc_type, person)


def _smear(length: float, degrees: float) -> Smear:
    return Smear(length * math.cos(math.radians(degrees)), length * math.sin(math.radians(degrees)))


@pytest.fixture(scope="module")
def steady_reader(reader) -> DocumentReader:
    """The same reader with the motion second look turned off."""
    return DocumentReader(reader.engine, reader.limits, replace(reader.options, unsmear_motion=False))


@pytest.mark.parametrize("length, degrees", [(9, 35), (8, 120)])
def test_the_smear_is_measured_from_the_photo(settings, length, degrees):
    data, _ = _smeared_photo(settings, 8, DocType.ID_CARD_FRONT, _smear(length, degrees))
    photo = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    height, width = photo.shape[:2]
    found = find_smear_around(photo, np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32))
    assert found is not None
    truth = _smear(length, degrees)
    # the cepstrum's peak lies on whole pixels: the smear's end to within a pixel each way
    assert abs(found.dx - truth.dx) <= 1.0 and abs(found.dy - truth.dy) <= 1.0


def test_a_blank_region_shows_no_smear():
    assert find_smear(np.full((200, 300), 180, np.uint8)) is None


def test_taking_the_smear_out_restores_the_print(settings):
    rng = random.Random(3)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (sharp, _), = specimen_images(person, [DocType.ID_CARD_BACK], 0, rng).values()
    smear = _smear(9, 35)
    smeared = cv2.filter2D(sharp, -1, smear_kernel(smear))
    inner = (slice(40, -40), slice(40, -40))
    before = np.abs(smeared[inner].astype(np.float32) - sharp[inner]).mean()
    after = np.abs(unsmear(smeared, smear)[inner].astype(np.float32) - sharp[inner]).mean()
    assert after < 0.8 * before


@pytest.mark.parametrize("seed", [8, 10])
def test_a_smeared_id_card_reads_whole_again(settings, reader, steady_reader, seed):
    data, truth = _smeared_photo(settings, seed, DocType.ID_CARD_FRONT, _smear(9, 35))
    (steady,) = steady_reader.read_upload(data, "moved.jpg")
    (reading,) = reader.read_upload(data, "moved.jpg")
    # without the second look some fields are lost; with it, all six read right
    assert any(steady.fields.get(name) != value for name, value in truth.items())
    assert reading.doc_type is DocType.ID_CARD_FRONT
    assert reading.fields == truth
    # the verdict is on the photo as taken: it still asks for a steadier one
    assert QualityIssue.BLURRY in reading.quality.issues


@pytest.mark.parametrize("seed, doc_type", [(4, DocType.ID_CARD_FRONT), (7, DocType.BANK_CARD)])
def test_a_card_the_smear_left_unrecognisable_is_found_in_the_unsmeared_photo(settings, reader, steady_reader,
                                                                                seed, doc_type):
    data, truth = _smeared_photo(settings, seed, doc_type, _smear(9, 35))
    (steady,) = steady_reader.read_upload(data, "moved.jpg")
    (reading,) = reader.read_upload(data, "moved.jpg")
    assert steady.doc_type is DocType.UNKNOWN
    assert reading.doc_type is doc_type and reading.fields == truth


def test_a_photo_larger_than_the_work_size_is_unsmeared_on_a_smaller_copy(settings):
    rng = random.Random(3)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (sharp, _), = specimen_images(person, [DocType.ID_CARD_BACK], 0, rng).values()
    large = cv2.resize(sharp, None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)  # ~2800 px wide
    smear = _smear(20, 35)
    smeared = cv2.filter2D(large, -1, smear_kernel(smear))
    height, width = large.shape[:2]
    found = find_smear_around(smeared, np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32))
    assert found is not None and abs(found.length - 20) <= 2.5  # measured on the copy, given in photo pixels
    unsmeared = unsmear(smeared, smear)
    assert unsmeared.shape == large.shape

    def as_read(image):  # compared at about the size documents are read at, not the photo's own
        return cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)[50:-50, 50:-50].astype(np.float32)

    before = np.abs(as_read(smeared) - as_read(large)).mean()
    after = np.abs(as_read(unsmeared) - as_read(large)).mean()
    assert after < 0.85 * before  # (0.80 measured: a 20-px smear leaves more lost to the filter's damping)
