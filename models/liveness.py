"""Liveness cues from 68 landmarks and a frame: how open the eyes and mouth are, where the
head points (yaw / pitch from solvePnP against a generic 3-D face, and the turn from where the
nose sits between the cheeks), how sharp and well lit it is, and what a screen leaves in a picture
(aliasing moiré in the colour channels, a bezel round the face). Then the events over time:
blinks, mouth openings and head turns with their start and end times.

Numpy in, plain results out; nothing here loads a model."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# iBUG 68-point indices.
RIGHT_EYE = slice(36, 42)  # the subject's right eye: on the image's left in an unmirrored picture
LEFT_EYE = slice(42, 48)

_MODEL = np.array([
    (0.0, 0.0, 0.0),          # 30 nose tip
    (0.0, -165.0, 95.0),      # 27 top of the nose, between the eyes
    (-55.0, 40.0, 75.0),      # 31 nostril wing, image left
    (55.0, 40.0, 75.0),       # 35 nostril wing, image right
    (-225.0, -170.0, 135.0),  # 36 outer corner of the eye on the image's left
    (-75.0, -165.0, 110.0),   # 39 its inner corner
    (75.0, -165.0, 110.0),    # 42 inner corner of the other eye
    (225.0, -170.0, 135.0),   # 45 its outer corner
], np.float64)
"""A generic face in camera axes (x right, y down, z away from the camera), nose tip at the
origin, in the proportions of the usual six-point head model; only points that move with the
skull, so an open mouth or a dropped chin does not read as a turn. Good for direction, not
for absolute angles: yaw is compared with the same person's own straight-ahead pose."""
_MODEL_POINTS = [30, 27, 31, 35, 36, 39, 42, 45]
_MODEL_EYE_SPAN = 450.0


def _eye_ratio(eye: np.ndarray) -> float:
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    return float(vertical / (2.0 * max(np.linalg.norm(eye[0] - eye[3]), 1e-6)))


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Soukupová & Čech's EAR, both eyes averaged: ~0.25–0.45 open, under ~0.2 closed."""
    return (_eye_ratio(points[RIGHT_EYE]) + _eye_ratio(points[LEFT_EYE])) / 2.0


def eyes_open(points: np.ndarray) -> float:
    """The EAR of the more open eye: it drops only when both eyes close, as in a blink, and
    not when the landmarks of one eye slip (a wink does not count either)."""
    return max(_eye_ratio(points[RIGHT_EYE]), _eye_ratio(points[LEFT_EYE]))


def mouth_opening(points: np.ndarray) -> float:
    """Inner-lip gap over mouth width: ~0–0.1 closed, ~0.3 talking, 0.5 and more wide open."""
    gap = (np.linalg.norm(points[61] - points[67]) + np.linalg.norm(points[62] - points[66])
           + np.linalg.norm(points[63] - points[65])) / 3.0
    return float(gap / max(np.linalg.norm(points[60] - points[64]), 1e-6))


def eye_span(points: np.ndarray) -> float:
    """Distance between the outer eye corners, the unit for everything measured on a face."""
    return float(np.linalg.norm(points[36] - points[45]))


@dataclass(frozen=True)
class Pose:
    yaw: float
    """Degrees; positive when the nose points to the image's right (the subject's own left
    in an unmirrored recording)."""
    pitch: float
    """Degrees; positive when the face tilts up."""
    roll: float
    """Degrees the eye line is turned clockwise in the image."""


def head_pose(points: np.ndarray, frame_size: tuple[int, int]) -> Pose:
    """Head direction from six landmarks with solvePnP (pinhole camera, focal length = frame
    width, no distortion), started from a face looking straight at the camera."""
    height, width = frame_size
    focal = float(width)
    camera = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1]], np.float64)
    image = points[_MODEL_POINTS].astype(np.float64)
    depth = focal * _MODEL_EYE_SPAN / max(eye_span(points), 1.0)
    nose = image[0]
    rvec = np.zeros((3, 1))
    tvec = np.array([[(nose[0] - width / 2) * depth / focal], [(nose[1] - height / 2) * depth / focal], [depth]])
    ok, rvec, tvec = cv2.solvePnP(_MODEL, image, camera, None, rvec, tvec, useExtrinsicGuess=True,
                                  flags=cv2.SOLVEPNP_ITERATIVE)
    rotation, _ = cv2.Rodrigues(rvec)
    facing = rotation @ np.array([0.0, 0.0, -1.0])  # the way the nose points, in camera axes
    yaw = float(np.degrees(np.arctan2(facing[0], -facing[2])))
    pitch = float(np.degrees(np.arctan2(-facing[1], -facing[2])))
    eyes = points[45] - points[36]
    roll = float(np.degrees(np.arctan2(eyes[1], eyes[0])))
    return Pose(yaw, pitch, roll)


def turn_angle(points: np.ndarray) -> float:
    """Degrees the head is turned, from where the nose tip sits between the two sides of the
    face (contour points 1 and 15, at cheekbone height): asin of its offset from the middle,
    positive towards the image's right like `Pose.yaw`. The face's sides are silhouettes that
    stay put as the head turns while the nose swings, so this follows a turn closely, and an
    open mouth, which moves the chin and lip corners, does not touch it. solvePnP on a generic
    head reads the same turns at half their size once mouth and chin are left out (measured on
    the live clips, docs/verification.md); it gives pitch and the frontal check."""
    left, right = float(points[1, 0]), float(points[15, 0])
    share = (float(points[30, 0]) - left) / max(right - left, 1e-6)
    return float(np.degrees(np.arcsin(np.clip(2.0 * share - 1.0, -1.0, 1.0))))


# Image quality on a face crop -----------------------------------------------------------------

def sharpness(face_grey: np.ndarray) -> float:
    """Variance of the Laplacian of the face scaled to 128 px wide (comparable across sizes)."""
    h, w = face_grey.shape[:2]
    if w < 8 or h < 8:
        return 0.0
    small = cv2.resize(face_grey, (128, max(8, int(round(128 * h / w)))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


def brightness(face_grey: np.ndarray) -> tuple[float, float]:
    """Mean grey level (0–255) and the share of nearly white pixels."""
    return float(face_grey.mean()), float((face_grey >= 250).mean())


# Screen replay --------------------------------------------------------------------------------

def moire_score(face_bgr: np.ndarray) -> float:
    """Periodic structure in the colour of a face, as a screen's sub-pixel grid leaves it when
    a camera samples it (the screen door and the moiré bands it aliases into): of the chroma
    (Cr, Cb) energy at fine detail (0.1–0.45 cycles per pixel), the share held by its
    strongest 0.5 % of frequencies. Skin colour is smooth and camera noise is spread over all
    frequencies, so a live face holds ~0.1–0.2 there (0.22 at most over every frame of the
    live clips); a face on a screen 0.3–0.8, varying from frame to frame as the phone moves
    and the aliasing with it. Measured at the camera's own resolution: downscaling first would
    filter the pattern away."""
    h, w = face_bgr.shape[:2]
    side = min(h, w, 256)
    if side < 48:
        return 0.0
    y0, x0 = (h - side) // 2, (w - side) // 2
    ycc = cv2.cvtColor(face_bgr[y0:y0 + side, x0:x0 + side], cv2.COLOR_BGR2YCrCb).astype(np.float32)
    window = np.outer(np.hanning(side), np.hanning(side)).astype(np.float32)
    power = np.zeros((side, side), np.float64)
    for channel in (1, 2):
        plane = (ycc[..., channel] - ycc[..., channel].mean()) * window
        power += np.abs(np.fft.fft2(plane)) ** 2
    freq = np.fft.fftfreq(side)
    radius = np.hypot(freq[:, None], freq[None, :])
    fine = np.sort(power[(radius >= 0.1) & (radius < 0.45)])[::-1]
    total = float(fine.sum())
    if total <= 0:
        return 0.0
    return float(fine[:max(1, fine.size // 200)].sum() / total)


def bezel_score(frame_grey: np.ndarray, face: tuple[int, int, int, int]) -> float:
    """Share of the four sides of the tightest frame round the face (a screen's edge: long
    straight edges left, right, above and below the face) that lie on straight image edges,
    0–1. A phone held up to the camera scores near 1; a face in a room, with a door or a shelf
    behind it, rarely has straight edges on all four sides."""
    h, w = frame_grey.shape[:2]
    scale = 480.0 / max(h, w) if max(h, w) > 480 else 1.0
    grey = cv2.resize(frame_grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else frame_grey
    left, top, right, bottom = (int(v * scale) for v in face)
    edges = cv2.Canny(cv2.GaussianBlur(grey, (3, 3), 0), 60, 160)
    lines = cv2.HoughLinesP(edges, 1, np.pi / 180, 40, minLineLength=max(20, int(0.6 * (right - left))),
                            maxLineGap=6)
    if lines is None:
        return 0.0
    fw, fh = right - left, bottom - top
    sides = {"left": 0.0, "right": 0.0, "top": 0.0, "bottom": 0.0}
    for x1, y1, x2, y2 in lines.reshape(-1, 4):
        dx, dy = x2 - x1, y2 - y1
        length = float(np.hypot(dx, dy))
        if abs(dx) < 0.2 * abs(dy):  # near vertical
            x = (x1 + x2) / 2
            spans = min(max(y1, y2), bottom + fh) - max(min(y1, y2), top - fh)
            if spans < 0.8 * fh:
                continue
            if left - 2.5 * fw < x < left - 0.1 * fw:
                sides["left"] = max(sides["left"], min(length / (2 * fh), 1.0))
            elif right + 0.1 * fw < x < right + 2.5 * fw:
                sides["right"] = max(sides["right"], min(length / (2 * fh), 1.0))
        elif abs(dy) < 0.2 * abs(dx):  # near horizontal
            y = (y1 + y2) / 2
            spans = min(max(x1, x2), right + fw) - max(min(x1, x2), left - fw)
            if spans < 0.8 * fw:
                continue
            if top - 2.5 * fh < y < top - 0.1 * fh:
                sides["top"] = max(sides["top"], min(length / (2 * fw), 1.0))
            elif bottom + 0.1 * fh < y < bottom + 2.5 * fh:
                sides["bottom"] = max(sides["bottom"], min(length / (2 * fw), 1.0))
    return float(min(sides.values()))


# Events over time -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    kind: str
    """"blink", "open_mouth", "turn_left" or "turn_right"."""
    start: float
    end: float
    peak: float
    """Seconds into the video of the start, end and strongest moment."""
    value: float
    """Depth of the blink (share of the open EAR lost), mouth opening, or degrees turned."""


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) indices of each run of True."""
    runs, start = [], None
    for i, flag in enumerate(mask):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(mask) - 1))
    return runs


def blinks(times: np.ndarray, ear: np.ndarray, *, closed_share: float = 0.67, reopen_share: float = 0.8,
           longest: float = 0.8, around: float = 0.6) -> list[Event]:
    """Eyes closing and opening again: EAR below `closed_share` of the open level around it,
    and open (above `reopen_share` of it) within `around` seconds before and after, the
    closure lasting at most `longest` seconds. The open level is the upper quartile of the EAR
    within 1.5 s, so slow drift (looking down, a smile) does not count."""
    valid = np.isfinite(ear)
    if valid.sum() < 5:
        return []
    level = np.array([np.nanpercentile(ear[(np.abs(times - t) <= 1.5) & valid], 75) for t in times])
    closed = valid & (ear < closed_share * level)
    reopened = valid & (ear >= reopen_share * level)
    events = []
    for first, last in _runs(closed):
        if times[last] - times[first] > longest:
            continue
        before = reopened & (times < times[first]) & (times >= times[first] - around)
        after = reopened & (times > times[last]) & (times <= times[last] + around)
        if not before.any() or not after.any():
            continue  # closed at the very start or end, or never opened again: not a blink
        deepest = first + int(np.nanargmin(ear[first:last + 1] / level[first:last + 1]))
        events.append(Event("blink", float(times[first]), float(times[last]), float(times[deepest]),
                            round(float(1 - ear[deepest] / level[deepest]), 3)))
    return events


def mouth_openings(times: np.ndarray, mar: np.ndarray, *, open_at: float = 0.5, closed_at: float = 0.35,
                   shortest: float = 0.12) -> list[Event]:
    """The mouth opened wide (`open_at`) for at least `shortest` seconds, from a smaller
    opening before it (talking keeps the lips at ~0.3)."""
    valid = np.isfinite(mar)
    events = []
    for first, last in _runs(valid & (mar >= open_at)):
        if times[last] - times[first] < shortest - 1e-6 and last - first < 1:
            continue
        if not any(mar[i] < closed_at for i in range(first) if valid[i]):
            continue  # open from the first frame: no opening seen
        peak = first + int(np.nanargmax(mar[first:last + 1]))
        events.append(Event("open_mouth", float(times[first]), float(times[last]), float(times[peak]),
                            round(float(mar[peak]), 3)))
    return events


def head_turns(times: np.ndarray, yaw: np.ndarray, *, straight: float, degrees: float = 12.0,
               shortest: float = 0.1, mirrored: bool = False) -> list[Event]:
    """The head turned at least `degrees` away from the person's own straight-ahead yaw
    (`straight`) and held for `shortest` seconds. turn_left is the subject's own left: the
    nose to the image's right in an unmirrored recording (to its left when `mirrored`)."""
    valid = np.isfinite(yaw)
    offset = np.where(valid, yaw - straight, 0.0)
    if mirrored:
        offset = -offset
    events = []
    for kind, mask in (("turn_left", offset >= degrees), ("turn_right", offset <= -degrees)):
        for first, last in _runs(valid & mask):
            if last == first and shortest > 0:
                continue  # one frame: a landmark glitch, not a turn
            if times[last] - times[first] < shortest - 1e-6:
                continue
            seg = np.abs(offset[first:last + 1])
            peak = first + int(np.argmax(seg))
            events.append(Event(kind, float(times[first]), float(times[last]), float(times[peak]),
                                round(float(seg.max()), 1)))
    return sorted(events, key=lambda e: e.start)
