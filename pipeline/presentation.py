"""What the probe shows, judged apart from who it shows: quality gates, the liveness events
and the challenge they answer, and the attack cues (a still, a print, a screen, a swap).
`pipeline.verify` runs these on a capture and decides."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from models.liveness import Event, blinks, head_turns, mouth_openings, turn_angle
from pipeline.capture import Capture, FrameSample
from schemas.verification import Action, Reason

if TYPE_CHECKING:
    from pipeline.verify import VerifyOptions


# Quality --------------------------------------------------------------------------------------

def quality(seen: Capture, o: VerifyOptions) -> list[Reason]:
    reasons: list[Reason] = []
    if seen.most_faces > 1:
        reasons.append(Reason.MULTIPLE_FACES)
    if not seen.samples:
        return reasons + [Reason.NO_FACE]
    if seen.faceless > 0.3 * seen.sampled:
        reasons.append(Reason.NO_FACE)  # the face left the picture for much of the time
    samples = seen.samples
    if np.median([s.box.width for s in samples]) < o.min_face_px or \
            np.median([s.face_share for s in samples]) < o.min_face_share:
        reasons.append(Reason.FACE_TOO_SMALL)
    if np.median([s.sharpness for s in samples]) < o.min_sharpness:
        reasons.append(Reason.TOO_BLURRY)
    light = float(np.median([s.light for s in samples]))
    if light < o.min_light:
        reasons.append(Reason.TOO_DARK)
    elif light > o.max_light or np.median([s.white for s in samples]) > o.max_white:
        reasons.append(Reason.TOO_BRIGHT)
    if not any(frontal(s, o) for s in samples):
        reasons.append(Reason.POSE)
    if np.median([s.open_eyes for s in samples]) < o.min_eye_opening:
        reasons.append(Reason.EYES_NOT_VISIBLE)
    return reasons


def frontal(sample: FrameSample, o: VerifyOptions) -> bool:
    return abs(turn_angle(sample.points)) <= o.frontal_degrees and abs(sample.pose.pitch) <= o.frontal_degrees + 5


def quality_numbers(seen: Capture) -> dict[str, float]:
    if not seen.samples:
        return {"frames_with_face": 0.0}
    s = seen.samples
    return {
        "frames_with_face": round(len(s) / max(seen.sampled, 1), 3),
        "face_px": float(np.median([x.box.width for x in s])),
        "face_share": round(float(np.median([x.face_share for x in s])), 3),
        "sharpness": round(float(np.median([x.sharpness for x in s])), 1),
        "light": round(float(np.median([x.light for x in s])), 1),
        "faces": float(seen.most_faces),
    }


# Events and challenge -------------------------------------------------------------------------

def events(seen: Capture, o: VerifyOptions) -> list[Event]:
    samples = seen.samples
    times = np.array([s.t for s in samples])
    eyes = np.array([s.open_eyes for s in samples])
    mouth = np.array([s.mar for s in samples])
    turn = np.array([turn_angle(s.points) for s in samples])
    smooth = np.array([np.median(turn[max(0, i - 1):i + 2]) for i in range(len(turn))])  # one-frame slips
    first = times <= times[0] + 1.0
    straight = float(np.median(turn[first] if first.sum() >= 3 else turn))  # asked to face the camera first
    events = blinks(times, eyes) + mouth_openings(times, mouth) + head_turns(
        times, smooth, straight=straight, degrees=o.turn_degrees, mirrored=o.mirrored)
    return sorted(events, key=lambda e: (e.start, e.kind))


def match_challenge(wanted: list[Action], events: list[Event],
                     max_seconds: float) -> tuple[list[Event], list[Action], bool]:
    """The earliest events doing the asked actions one after the other, within `max_seconds`
    (greedy earliest matching finds an in-order match whenever one exists). Returns the
    matched events, the actions not found in order, and whether all were seen but in
    another order."""
    usable = [e for e in events if e.end <= max_seconds + 0.5]
    matched: list[Event] = []
    after = -1.0
    for action in wanted:
        found = next((e for e in usable if e.kind == action.value and e.start > after), None)
        if found is None:
            break
        matched.append(found)
        after = found.end
    missing = wanted[len(matched):]
    if not missing:
        return matched, [], False
    every_seen = all(any(e.kind == a.value for e in usable) for a in wanted)
    return matched, missing, every_seen


# Attacks --------------------------------------------------------------------------------------

def attacks(seen: Capture, events: list[Event], o: VerifyOptions) -> tuple[list[Reason], dict]:
    samples = seen.samples
    motion = picture_motion(samples)
    eyes = np.array([s.open_eyes for s in samples])
    mouth = np.array([s.mar for s in samples])
    eye_range = float((np.percentile(eyes, 95) - np.percentile(eyes, 5)) / max(np.median(eyes), 1e-6))
    mouth_range = float(np.percentile(mouth, 95) - np.percentile(mouth, 5))
    moire = float(np.percentile(seen.moire, 90)) if seen.moire else 0.0  # the pattern comes and goes
    checks: dict[str, float | bool] = {
        "motion": round(motion, 2), "eye_range": round(eye_range, 3), "mouth_range": round(mouth_range, 3),
        "moire": round(moire, 3), "bezel": round(max(seen.bezel, default=0.0), 2),
    }
    reasons: list[Reason] = []
    lively = any(e.kind in ("blink", "open_mouth") for e in events)
    if len(samples) >= 3 and motion < o.still_motion and not lively:
        reasons.append(Reason.STILL_IMAGE)
    elif len(samples) >= 3 and not lively and mouth_range < o.rigid_mouth_range and eye_range < o.rigid_eye_range:
        reasons.append(Reason.PRINTED_PHOTO)  # it moves, but only as a whole: eyes and mouth never do
    if moire >= o.moire_limit:
        reasons.append(Reason.SCREEN_REPLAY)
    return reasons, checks


def picture_motion(samples: list[FrameSample]) -> float:
    """How much the picture changes where the face first was, between sampled frames: the
    90th percentile of the mean absolute grey-level difference (0–255) of consecutive 32×32
    thumbnails of that fixed area. Camera noise alone stays under ~0.5."""
    thumbs = [cv2.GaussianBlur(s.still, (3, 3), 0) for s in samples if s.still is not None]
    diffs = [float(np.abs(a - b).mean()) for a, b in zip(thumbs, thumbs[1:])]
    return float(np.percentile(diffs, 90)) if diffs else 0.0
