"""Finding the card's outline in photos on a cluttered desk: the four-line candidates and
their first estimate of edge support, and the outline found against the generator's truth."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from pipeline.candidates import _EdgeRuns, plausible
from pipeline.edges import Gradient
from pipeline.candidates import CARD_ASPECT
from pipeline import locate
from pipeline.locate import DocumentKind, Located, _overlap, card_cuts, find_documents
from schemas.documents import DocType
from specimens.faces import FacePool
from specimens.generate import person_rng, specimen_images
from specimens.people import make_person


def _card_on_lined_desk() -> tuple[np.ndarray, np.ndarray]:
    """A grey desk with a ruled form on its right (forty long dark lines, more than the
    line budget of the old search) and a white card lying across the form's edge (so its
    contour merges with the form's)."""
    image = np.full((480, 640, 3), 120, np.uint8)
    cv2.rectangle(image, (300, 0), (639, 479), (200, 200, 200), -1)
    for y in range(6, 480, 12):
        cv2.line(image, (300, y), (639, y), (40, 40, 40), 1)
    card = np.array([[140, 140], [430, 155], [422, 335], [130, 320]], np.float32)
    cv2.fillConvexPoly(image, card.astype(np.int32), (235, 235, 235))
    return image, card


def test_running_counts_along_a_line_agree_with_sampling_the_side():
    image, card = _card_on_lined_desk()
    gradient = Gradient.of(image)
    # the card's four sides as (θ, ρ) lines: −sinθ·x + cosθ·y = ρ
    ends = np.roll(card, -1, axis=0)
    theta = np.arctan2(ends[:, 1] - card[:, 1], ends[:, 0] - card[:, 0]) % np.pi
    rho = -np.sin(theta) * card[:, 0] + np.cos(theta) * card[:, 1]
    runs = _EdgeRuns(theta, rho, gradient)
    shares = runs.share(np.arange(4), card, ends)
    sampled = gradient.side_support(card[None], 40)[0]
    assert shares.min() > 0.9 and sampled.min() > 0.9
    assert np.abs(shares - sampled).max() < 0.1
    # the left side's line below the card runs over the bare desk: no edge along it
    down = card[3] - card[0]
    beyond = runs.share(np.array([3]), (card[3] + 0.2 * down)[None], (card[3] + 0.6 * down)[None])
    assert beyond[0] < 0.2


def test_the_card_is_found_among_more_long_lines_than_its_own():
    image, card = _card_on_lined_desk()
    found = find_documents(image, 1)[0]
    assert _overlap(found.quad, card, image.shape[:2]) > 0.95


def test_a_card_with_one_side_on_paper_of_its_own_white_is_found_from_three(monkeypatch):
    """The card's right end lies on a white sheet: no edge there at all. Its other three
    sides and a card's aspect put the fourth. No contour is plainly the card, so the straight
    edges are looked at."""
    straight_edge_searches = _count_calls(monkeypatch, locate, "candidate_quads")
    image = np.full((480, 640, 3), 110, np.uint8)
    cv2.rectangle(image, (420, 60), (639, 479), (236, 236, 236), -1)
    height = 190.0
    card = np.array([[150, 130], [150 + height * 85.6 / 54, 130], [150 + height * 85.6 / 54, 130 + height],
                     [150, 130 + height]], np.float32)
    cv2.fillConvexPoly(image, np.round(card).astype(np.int32), (236, 236, 236))
    found = find_documents(image, 1)[0]
    assert found.kind is DocumentKind.CARD
    assert _overlap(found.quad, card, image.shape[:2]) > 0.9
    assert len(straight_edge_searches) == 1


def test_plausible_rejects_what_cannot_be_a_document():
    card = np.array([[0, 0], [171, 0], [171, 108], [0, 108]], np.float32)
    bowtie = card[[0, 2, 1, 3]]
    strip = np.array([[0, 0], [400, 0], [400, 40], [0, 40]], np.float32)
    tiny = card / 10
    ok, is_card, _ = plausible(np.stack([card, bowtie, strip, tiny]))
    assert ok.tolist() == [True, False, False, False]
    assert is_card[0]


def _photos(settings, seed: int, level_of) -> list[tuple[np.ndarray, np.ndarray]]:
    """Eight people's four cards photographed at `level_of(person index)`, with their true corners."""
    pool = FacePool(settings.faces_dir)
    photos = []
    for index in range(8):
        rng = person_rng(seed, index)
        person = make_person(rng, faces=pool)
        images = specimen_images(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD,
                                          DocType.SOCIAL_SECURITY_CARD), level_of(index), rng)
        photos += [(photo, np.array(info["corners"], np.float32)) for photo, info in images.values()]
    return photos


def _first_outline_is_the_card(photos) -> int:
    return sum(_overlap(find_documents(photo, 1)[0].quad, corners, photo.shape[:2]) >= 0.9
               for photo, corners in photos)


@pytest.fixture(scope="module")
def hard_photos(settings):
    """The two hard levels (sideways, clutter, glare; the hardest also small, blurred and
    compressed)."""
    return _photos(settings, 20261130, lambda index: 2 + index % 2)


def test_the_first_outline_is_the_card_on_most_hard_photos(hard_photos):
    """Measured 30 of 32 on this set: 27 before faint steps beside a calm side counted as
    edges (a light card's side over white paper, motion-blurred), 19 when four-line candidates
    took only the 24 longest straight edges of grey levels and no three-line ones.
    bench/extract.py measures the reading that follows."""
    assert _first_outline_is_the_card(hard_photos) >= 29


def test_the_first_outline_is_the_card_on_every_ordinary_photo(settings, monkeypatch):
    """Level 1, many of them on wood: 32 of 32. Counting faint edges without asking for a calm
    side let the grain's long straight streaks carry page-shaped outlines through the desk
    (30 of 32). Most of these cards stand out among the contours, and their straight edges
    are then not looked at."""
    straight_edge_searches = _count_calls(monkeypatch, locate, "candidate_quads")
    photos = _photos(settings, 20261201, lambda index: 1)
    assert _first_outline_is_the_card(photos) == 32
    assert len(straight_edge_searches) <= len(photos) // 4


def _count_calls(monkeypatch, module, name: str) -> list:
    calls, real = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_card_cuts_of_a_page_outline_keep_three_of_its_sides_at_a_card_s_aspect():
    page = Located(DocumentKind.PAGE, np.array([[100, 100], [600, 100], [600, 470], [100, 470]], np.float32), 0.9, False)
    cuts = card_cuts(page)
    card_height = 500 / CARD_ASPECT  # 315: the long sides cut short from the top, then from the bottom
    assert all(cut.kind is DocumentKind.CARD for cut in cuts)
    np.testing.assert_allclose(cuts[0].quad, [[100, 100], [600, 100], [600, 100 + card_height], [100, 100 + card_height]], atol=0.5)
    np.testing.assert_allclose(cuts[1].quad, [[100, 470 - card_height], [600, 470 - card_height], [600, 470], [100, 470]], atol=0.5)
    # a card 370 wide across the outline would take only half its length: no cut that way
    assert len(cuts) == 2


def test_a_page_outline_no_longer_than_a_card_gives_no_cuts():
    card_shaped = Located(DocumentKind.PAGE, np.array([[0, 0], [428, 0], [428, 270], [0, 270]], np.float32), 0.9, False)
    assert card_cuts(card_shaped) == []
