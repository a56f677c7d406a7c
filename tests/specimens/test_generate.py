"""Specimen sets are reproducible, fully described by truth.json, and photographed within the
ranges each difficulty promises."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np
import pytest

from schemas.documents import DOC_FIELDS, DocType
from schemas.settings import Settings
from schemas.specimens import PhotoTransform, SpecimenSet
from specimens.camera import photograph
from specimens.cards import CARD_SIZE, render_document
from specimens.errors import SpecimenError
from specimens.faces import FacePool
from specimens.generate import DOC_TYPES, generate, specimen_images
from specimens.people import make_person


@pytest.fixture(scope="module")
def faces_dir() -> Path:
    path = Settings().faces_dir
    if not path.is_dir():
        pytest.skip(f"face images not found at {path} (ONEWINDOW_FACES_DIR)")
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory, faces_dir) -> tuple[Path, SpecimenSet]:
    out = tmp_path_factory.mktemp("specimens")
    return out, generate(out, 4, seed=11, faces_dir=faces_dir)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_truth_lists_every_file_with_canonical_fields(made):
    out, truth = made
    parsed = SpecimenSet.model_validate_json((out / "truth.json").read_text(encoding="utf-8"))
    assert parsed == truth
    assert "公民身份号码" not in (out / "truth.json").read_text(encoding="utf-8")
    assert "\\u" not in (out / "truth.json").read_text(encoding="utf-8")  # readable Chinese
    files = {p.name for p in out.iterdir()} - {"truth.json"}
    assert files == {d.file for d in truth.documents}
    assert len(truth.documents) == 4 * len(DOC_TYPES) and len(truth.people) == 4
    for doc in truth.documents:
        assert tuple(doc.fields) == DOC_FIELDS[doc.doc_type]
        assert doc.file == f"{doc.person[1:]}-{doc.doc_type.value}-d{doc.difficulty}" + (
            ".png" if doc.difficulty == 0 else ".jpg")
        assert doc.photo.difficulty == doc.difficulty
    assert [d.difficulty for d in truth.documents[:: len(DOC_TYPES)]] == [0, 1, 2, 3]
    person = {p.id: p for p in truth.people}
    for doc in truth.documents:
        if doc.doc_type == DocType.ID_CARD_FRONT:
            assert doc.fields["id_number"] == person[doc.person].id_number
        assert person[doc.person].face is not None


def test_same_seed_same_bytes_other_seed_other_bytes(made, tmp_path, faces_dir):
    out, _ = made
    generate(tmp_path / "again", 4, seed=11, faces_dir=faces_dir)
    assert _digests(tmp_path / "again") == _digests(out)
    generate(tmp_path / "other", 1, seed=12, faces_dir=faces_dir,
             doc_types=(DocType.ID_CARD_FRONT,))
    first = (out / "0000-id_card_front-d0.png").read_bytes()
    assert (tmp_path / "other" / "0000-id_card_front-d0.png").read_bytes() != first
    other = json.loads((tmp_path / "other" / "truth.json").read_text(encoding="utf-8"))
    assert other["people"][0]["id_number"] != made[1].people[0].id_number


def test_a_small_set_is_a_prefix_of_a_larger_one(made, tmp_path, faces_dir):
    out, truth = made
    small = generate(tmp_path, 1, seed=11, faces_dir=faces_dir)
    assert small.people[0] == truth.people[0]
    for doc in small.documents:
        assert (tmp_path / doc.file).read_bytes() == (out / doc.file).read_bytes()


def test_bad_requests_fail_clearly(tmp_path, faces_dir):
    with pytest.raises(SpecimenError, match="does not exist"):
        FacePool(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SpecimenError, match="no usable face images"):
        FacePool(tmp_path / "empty")
    with pytest.raises(SpecimenError, match="cannot render"):
        generate(tmp_path / "x", 1, 1, faces_dir, doc_types=(DocType.UNKNOWN,))
    with pytest.raises(SpecimenError, match="unknown difficulty"):
        generate(tmp_path / "x", 1, 1, faces_dir, difficulties=(7,))


@pytest.fixture(scope="module")
def card():
    rng = random.Random(3)
    return render_document(DocType.ID_CARD_FRONT, make_person(rng), rng)


def test_flat_cards_have_the_canonical_size_and_shape(faces_dir):
    rng = random.Random(4)
    person = make_person(rng, faces=FacePool(faces_dir))
    for doc_type in DOC_TYPES:
        image = render_document(doc_type, person, rng)
        assert image.mode == "RGB" and image.size == CARD_SIZE
        pixels = np.asarray(image)
        assert (pixels[0, 0] == 255).all() and (pixels[-1, -1] == 255).all()  # rounded corners
        assert not (pixels[CARD_SIZE[1] // 2, 3] == 255).all()  # the card reaches its edge


def _inside(corners, size) -> bool:
    w, h = size
    return all(-0.5 <= x <= w - 0.5 and -0.5 <= y <= h - 0.5 for x, y in corners)


EXPECTED = {  # difficulty: (frame sizes or None, card width range in px or as frame share)
    0: (None, (1000, 1013)),
    1: ({(1600, 1200), (1200, 1600)}, (0.40, 0.80)),
    2: ({(1600, 1200), (1200, 1600)}, (0.30, 0.66)),
    3: ({(1024, 768), (960, 720), (768, 1024)}, (420, 620)),
}


@pytest.mark.parametrize("difficulty", [0, 1, 2, 3])
def test_each_difficulty_stays_in_its_ranges(card, difficulty):
    rng = random.Random(difficulty)
    frames, (lo, hi) = EXPECTED[difficulty]
    for _ in range(6):
        photo, info = photograph(card, difficulty, rng)
        record = PhotoTransform(**info)
        json.dumps(info)
        w, h = record.image_size
        assert photo.shape == (h, w, 3) and photo.dtype == np.uint8
        assert _inside(record.corners, (w, h)) and record.outside_fraction == 0
        width = record.card_width if lo > 1 else record.card_width / w
        assert lo <= width <= hi, (difficulty, record)
        if frames:
            assert (w, h) in frames
        else:
            assert 1012 < w < 1180 and 638 < h < 800
        assert (record.rotation == 0) == (difficulty < 2)
        assert abs(record.skew) <= {0: 1, 1: 8}.get(difficulty, 15)
        assert record.clutter == record.glare == (difficulty >= 2)
        assert (record.jpeg_quality is None) == (difficulty == 0)
        if difficulty == 3:
            assert 45 <= record.jpeg_quality <= 65 and record.noise >= 6
        if difficulty == 2:
            assert 70 <= record.jpeg_quality <= 85 and record.blur_sigma <= 1.2


def test_cut_off_puts_part_of_the_card_outside(card):
    rng = random.Random(9)
    for difficulty in (0, 1, 2, 3):
        _, info = photograph(card, difficulty, rng, cut_off=True)
        record = PhotoTransform(**info)
        assert not _inside(record.corners, record.image_size)
        assert 0.15 <= record.outside_fraction <= 0.30


def test_too_small_makes_a_tiny_card(card):
    rng = random.Random(10)
    for difficulty in (0, 1, 2, 3):
        _, info = photograph(card, difficulty, rng, too_small=True)
        assert 150 <= info["card_width"] <= 250 and _inside(info["corners"], info["image_size"])


@pytest.mark.parametrize("difficulty", [0, 1, 2])
def test_recorded_corners_unwarp_the_photo_back_into_the_card(card, difficulty):
    """The corners are where the card is, in the card's own order: warping the photo from
    them to the canonical rectangle gives back the flat card (rotation undone)."""
    import cv2

    photo, info = photograph(card, difficulty, random.Random(5))
    w, h = CARD_SIZE
    target = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]],
                      np.float32)
    back = cv2.warpPerspective(photo, cv2.getPerspectiveTransform(
        np.array(info["corners"], np.float32), target), CARD_SIZE)

    def grey(image: np.ndarray) -> np.ndarray:
        g = cv2.GaussianBlur(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), (0, 0), 2)
        return (g[40:-40, 40:-40] - g.mean()).astype(np.float32).ravel()

    a, b = grey(back), grey(np.asarray(card)[..., ::-1].copy())
    assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) > 0.85


def test_specimen_images_in_memory(faces_dir):
    rng = random.Random(6)
    person = make_person(rng, faces=FacePool(faces_dir), valid_until="2024-03-01")
    images = specimen_images(person, (DocType.ID_CARD_BACK, DocType.BANK_CARD), 1, rng)
    assert list(images) == [DocType.ID_CARD_BACK, DocType.BANK_CARD]
    for photo, info in images.values():
        assert photo.ndim == 3 and info["difficulty"] == 1
