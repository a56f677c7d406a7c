"""Reading real photographed specimens with the real OCR models: the document type, every
field against the ground truth, where each field sits on the upload, and the quality verdict.
Accuracy on the hard and hardest photos is measured in bench/extract.py, not asserted here."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from schemas.documents import DocType, QualityIssue
from specimens.faces import FacePool
from specimens.generate import encode, person_rng, specimen_images
from specimens.people import fields_for, make_person


def test_every_easy_specimen_is_classified_as_what_it_is(easy_truth, easy_readings):
    wrong = [(d["file"], easy_readings[d["file"]].doc_type.value) for d in easy_truth
             if easy_readings[d["file"]].doc_type != d["doc_type"]]
    assert wrong == []


def test_fields_of_easy_specimens_match_the_truth(easy_truth, easy_readings):
    total, misses = 0, []
    for doc in easy_truth:
        fields = easy_readings[doc["file"]].fields
        for name, value in doc["fields"].items():
            total += 1
            if fields.get(name) != value:
                misses.append((doc["file"], name))
    assert total >= 100
    # measured 100% on these levels (bench/RESULTS.md); one slip in fifty is the floor
    assert len(misses) / total <= 0.02, misses


def test_key_numbers_are_read_exactly_and_pass_their_checks(easy_truth, easy_readings):
    for doc in easy_truth:
        reading = easy_readings[doc["file"]]
        for name in ("id_number", "card_number"):
            if name in doc["fields"]:
                assert reading.fields.get(name) == doc["fields"][name], (doc["file"], name)
                assert name not in reading.field_issues, (doc["file"], name)


def _inside(point, corners) -> bool:
    contour = np.array(corners, np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), True) >= -8


def test_field_regions_lie_on_the_card_in_the_upload(easy_truth, easy_readings):
    """Regions map back through rectification and rotation onto the photo as uploaded, so a
    reviewer sees each finding next to the right spot."""
    checked = 0
    for doc in easy_truth:
        reading = easy_readings[doc["file"]]
        corners = doc["photo"]["corners"]
        for name in doc["fields"]:
            if name in reading.regions:
                quad = np.array(reading.regions[name])
                assert _inside(quad.mean(axis=0), corners), (doc["file"], name)
                checked += 1
    assert checked >= 100


@pytest.fixture(scope="module")
def scan_of_id_card(settings):
    rng = random.Random(7)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (photo, _), = specimen_images(person, [DocType.ID_CARD_FRONT], 0, rng).values()
    return person, photo


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_card_photographed_sideways_or_upside_down_reads_the_same(reader, scan_of_id_card, turns):
    person, photo = scan_of_id_card
    ok, png = cv2.imencode(".png", np.ascontiguousarray(np.rot90(photo, turns)))
    (reading,) = reader.read_upload(png.tobytes(), "turned.png")
    assert reading.doc_type is DocType.ID_CARD_FRONT
    assert reading.fields.get("id_number") == person.id_number
    assert reading.fields.get("name") == person.name
    assert reading.orientation in (0, 90, 180, 270)


def _read(reader, photo, name="photo.png"):
    ok, png = cv2.imencode(".png", photo)
    (reading,) = reader.read_upload(png.tobytes(), name)
    return reading


def test_a_sharp_complete_photo_is_of_good_quality(reader, scan_of_id_card):
    reading = _read(reader, scan_of_id_card[1])
    assert reading.quality.ok, reading.quality


def test_a_blurred_photo_is_called_blurry(reader, scan_of_id_card):
    blurred = cv2.GaussianBlur(scan_of_id_card[1], (0, 0), 5)
    reading = _read(reader, blurred)
    assert QualityIssue.BLURRY in reading.quality.issues
    assert not reading.quality.ok


def test_a_card_partly_outside_the_photo_is_called_cut_off(reader, settings):
    rng = random.Random(11)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (photo, info), = specimen_images(person, [DocType.BANK_CARD], 1, rng, cut_off=True).values()
    assert info["outside_fraction"] > 0
    reading = _read(reader, photo)
    assert QualityIssue.CUT_OFF in reading.quality.issues


def test_a_card_far_from_the_camera_is_called_too_small(reader, settings):
    rng = random.Random(12)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (photo, _), = specimen_images(person, [DocType.ID_CARD_BACK], 1, rng, too_small=True).values()
    reading = _read(reader, photo)
    assert QualityIssue.TOO_SMALL in reading.quality.issues


def test_a_photo_with_no_document_is_unknown(reader):
    rng = np.random.default_rng(3)
    noise = cv2.GaussianBlur(rng.integers(0, 255, (600, 800, 3), dtype=np.uint8), (0, 0), 4)
    reading = _read(reader, noise)
    assert reading.doc_type is DocType.UNKNOWN
    assert reading.fields == {}


@pytest.fixture(scope="module")
def hard_specimens(tmp_path_factory, settings):
    import json

    from specimens.generate import generate

    out = tmp_path_factory.mktemp("specimens-hard")
    generate(out, 4, seed=20261129, faces_dir=settings.faces_dir, difficulties=(2,))
    return out, json.loads((out / "truth.json").read_text(encoding="utf-8"))["documents"]


def test_hard_photos_still_yield_most_fields_and_no_wrong_numbers_that_pass_checks(reader, hard_specimens):
    """Hard photos (tilt, clutter, glare, blur, JPEG): bench/RESULTS.md records ~73% of fields;
    this floor catches regressions. A number that was misread must not pass its checksum: a
    wrong ID or card number that validates would slip past the reviewer."""
    out, truth = hard_specimens
    total = right = 0
    for doc in truth:
        (reading,) = reader.read_upload((out / doc["file"]).read_bytes(), doc["file"])
        for name, value in doc["fields"].items():
            total += 1
            right += reading.fields.get(name) == value
        for name in ("id_number", "card_number"):
            read = reading.fields.get(name)
            if read and read != doc["fields"].get(name) and doc["doc_type"] != "social_security_card":
                assert name in reading.field_issues, (doc["file"], name)
    assert right / total >= 0.5, f"{right}/{total}"


def test_a_card_on_a_sheet_of_print_with_the_edge_between_them_lost_reads_whole(reader, settings):
    # seed 23's person 7 at the hardest level: the ID card lies upside down on a sheet of print,
    # the phone moved; the outline found runs on past the card's lower edge into the sheet
    rng = person_rng(23, 7)
    person = make_person(rng, faces=FacePool(settings.faces_dir))
    (photo, info), = specimen_images(person, [DocType.ID_CARD_FRONT], 3, rng).values()
    data, _ = encode(photo, info)
    (reading,) = reader.read_upload(data, "on-a-sheet.jpg")
    assert reading.doc_type is DocType.ID_CARD_FRONT
    assert reading.fields == fields_for(DocType.ID_CARD_FRONT, person)
    region = np.array(reading.document_region)
    for corner in info["corners"]:  # the card's own outline, not the outline with the strip
        assert np.linalg.norm(region - corner, axis=1).min() <= 30
