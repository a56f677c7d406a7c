"""Liveness cues: geometry checked on synthetic landmarks whose answer is known, event
finding on series whose events are known, and the screen and still-photo cues on real frames."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from models.faces import face_models
from models.liveness import (
    _MODEL,
    _MODEL_POINTS,
    blinks,
    brightness,
    eye_aspect_ratio,
    eyes_open,
    head_pose,
    head_turns,
    moire_score,
    mouth_openings,
    sharpness,
    turn_angle,
)
from schemas.settings import shared_data_dir
from specimens import attacks

VIDEOS = shared_data_dir() / "videos"


def real_landmarks() -> np.ndarray:
    frames, _ = attacks.read_frames(VIDEOS / "d18.mp4", seconds=0.1)
    (face,) = face_models().find(frames[0])
    return face.landmarks


def projected(yaw: float, pitch: float = 0.0) -> np.ndarray:
    """The model's points seen by a camera, the head turned by `yaw` (nose to image right +)."""
    rotation, _ = cv2.Rodrigues(np.array([math.radians(-pitch), -math.radians(yaw), 0.0]))
    points3 = (rotation @ _MODEL.T).T + np.array([0, 0, 2000.0])
    camera = np.array([[640, 0, 320], [0, 640, 240], [0, 0, 1.0]])
    image, _ = cv2.projectPoints(points3, np.zeros(3), np.zeros(3), camera, None)
    points = np.zeros((68, 2), np.float32)
    points[_MODEL_POINTS] = image[:, 0]
    return points


@pytest.mark.parametrize("yaw", [-30, -12, 0, 12, 30])
def test_solvepnp_reads_the_yaw_it_was_given(yaw):
    assert head_pose(projected(yaw), (480, 640)).yaw == pytest.approx(yaw, abs=0.5)


def test_eye_and_mouth_openings_on_a_real_face():
    points = real_landmarks()
    open_ear = eye_aspect_ratio(points)
    assert 0.2 < open_ear < 0.5 and eyes_open(points) >= open_ear
    closed = points.copy()
    for eye in (slice(36, 42), slice(42, 48)):
        middle = closed[eye][:, 1].mean()
        closed[eye, 1] = middle  # lids together
    assert eye_aspect_ratio(closed) < 0.05 and eyes_open(closed) < 0.05
    assert mouth_opening_of(points) < 0.2
    wide = points.copy()
    wide[65:68, 1] += 0.6 * np.linalg.norm(points[60] - points[64])
    assert mouth_opening_of(wide) > 0.5


def mouth_opening_of(points):
    from models.liveness import mouth_opening

    return mouth_opening(points)


def test_turn_angle_follows_the_nose_between_the_cheeks():
    points = real_landmarks()
    straight = turn_angle(points)
    assert abs(straight) < 10
    half = np.linalg.norm(points[15] - points[1]) / 2
    moved = points.copy()
    moved[30, 0] += 0.4 * half  # the nose swings to the image's right
    assert turn_angle(moved) - straight == pytest.approx(math.degrees(math.asin(0.4)), abs=3)


def series(values, fps=15.0):
    return np.arange(len(values)) / fps, np.array(values, dtype=float)


def test_a_blink_is_a_closing_and_reopening_with_its_times():
    times, ear = series([0.3] * 10 + [0.12, 0.08, 0.15] + [0.3] * 10)
    (blink,) = blinks(times, ear)
    assert blink.kind == "blink" and blink.start == pytest.approx(10 / 15) and blink.end == pytest.approx(12 / 15)
    assert blink.peak == pytest.approx(11 / 15) and blink.value > 0.6


@pytest.mark.parametrize("ear", [
    [0.3] * 10 + [0.1] * 20 + [0.3] * 5,   # eyes shut for 1.3 s: not a blink
    [0.3] * 10 + [0.1] * 5,                 # closed at the end: never seen to reopen
    [0.3] * 10 + [0.25] + [0.3] * 10,       # a 17 % dip: landmark noise
])
def test_what_is_not_a_blink(ear):
    assert blinks(*series(ear)) == []


def test_mouth_openings_from_a_closed_mouth_only():
    times, mar = series([0.05] * 5 + [0.3, 0.55, 0.7, 0.6] + [0.1] * 5)
    (event,) = mouth_openings(times, mar)
    assert event.kind == "open_mouth" and event.value == 0.7
    assert mouth_openings(*series([0.7] * 8 + [0.1] * 4)) == []  # open from the first frame


def test_head_turns_by_direction_and_mirroring():
    times, yaw = series([0.0] * 5 + [5, 14, 20, 18] + [0.0] * 5 + [-13, -16, -15] + [0.0] * 3)
    events = head_turns(times, yaw, straight=0.0, degrees=12)
    assert [(e.kind, e.value) for e in events] == [("turn_left", 20.0), ("turn_right", 16.0)]
    mirrored = head_turns(times, yaw, straight=0.0, degrees=12, mirrored=True)
    assert [e.kind for e in mirrored] == ["turn_right", "turn_left"]
    assert head_turns(*series([0.0] * 5 + [30.0] + [0.0] * 5), straight=0.0) == []  # one frame: a glitch


def test_a_screen_leaves_moire_a_live_face_does_not():
    frames, _ = attacks.read_frames(VIDEOS / "d12.mp4", seconds=0.2, size=(360, 360))
    replayed = attacks.screen_replay(frames[:2], size=(360, 360), seed=1)
    models = face_models()
    live_box = models.detect(frames[0])[0]
    screen_box = models.detect(replayed[0])[0]
    live = moire_score(frames[0][live_box.top:live_box.bottom, live_box.left:live_box.right])
    screen = moire_score(replayed[0][screen_box.top:screen_box.bottom, screen_box.left:screen_box.right])
    assert live < 0.3 < 0.5 < screen


def test_sharpness_and_light():
    frames, _ = attacks.read_frames(VIDEOS / "d18.mp4", seconds=0.1)
    grey = cv2.cvtColor(frames[0], cv2.COLOR_BGR2GRAY)
    assert sharpness(cv2.GaussianBlur(grey, (0, 0), 4)) < sharpness(grey) / 3
    assert brightness(grey // 4)[0] < 50 < brightness(grey)[0]
    assert brightness(np.full((10, 10), 255, np.uint8)) == (255.0, 1.0)
