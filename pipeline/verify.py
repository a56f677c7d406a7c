"""Verify: a probe (selfie video or still) against a reference face, with a challenge.

probe → capture (sampled frames, landmarks, cues) → quality gates → events (blinks, mouth
openings, head turns with their times) → attack checks (still image, printed photo, screen
replay, face swap) → challenge (the asked actions, in order, within the time) → encodings of
the best frames → match against the reference → decision.

The decision is `pass` only with no reason against it; a distance within `review_margin` of
the threshold, either side, goes to a person (`review`) with key frames, never silently
through. Every other reason fails: the citizen can record again, or choose a non-face
alternative (pipeline/remote.py)."""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import cv2
import numpy as np

from models.faces import FaceModels, face_distance
from models.liveness import Event, turn_angle
from pipeline import presentation
from pipeline.capture import Capture, CaptureOptions, FrameSample, ProbeError, capture
from schemas.verification import (
    ATTACKS,
    Action,
    Challenge,
    KeyFrame,
    Liveness,
    LivenessEvent,
    MatchResult,
    Reason,
    VerificationDecision,
    VerificationResult,
)

REVIEW_REASONS = frozenset({Reason.MATCH_BORDERLINE, Reason.REFERENCE_NO_FACE, Reason.NO_REFERENCE})
"""Reasons a person settles; every other reason fails."""


@dataclass(frozen=True)
class VerifyOptions:
    threshold: float = 0.56
    """Encoding distance at and above which two faces are different people (a setting,
    calibrated in bench/faces.py)."""
    review_margin: float = 0.04
    sample_fps: float = 15.0
    max_seconds: float = 20.0
    """Never decode more than this much of a video."""
    mirrored: bool = False
    """The client recorded a mirrored (selfie-preview) video: left and right swap."""
    turn_degrees: float = 12.0
    min_face_px: int = 80
    min_face_share: float = 0.2
    """Face width over the frame's short side."""
    min_sharpness: float = 12.0
    min_light: float = 45.0
    max_light: float = 225.0
    max_white: float = 0.25
    frontal_degrees: float = 20.0
    min_eye_opening: float = 0.12
    still_motion: float = 0.6
    """Change of the picture where the face is, between sampled frames (0–255), below which
    nothing moves: a filmed photo measures ~0.25–0.35 (camera noise), the stillest live clip 0.9."""
    rigid_mouth_range: float = 0.2
    rigid_eye_range: float = 0.4
    moire_limit: float = 0.28
    """90th percentile of the per-frame moiré score: live clips ≤ 0.16, screens 0.31 and up."""
    same_person: float = 0.48
    """Two frames of one video this far apart (or more) show different people: the live
    clips keep their own frames within 0.44, the closest two different people 0.51."""
    encode_frames: int = 3

    @classmethod
    def from_settings(cls, settings) -> VerifyOptions:
        return cls(threshold=settings.face_match_threshold, review_margin=settings.face_review_margin,
                   sample_fps=settings.verify_sample_fps, mirrored=settings.verify_mirrored)


@dataclass
class Reference:
    """The face the probe is compared with."""

    encoding: np.ndarray
    source: str
    """"image", "id_card_front" or "template"."""
    picture: np.ndarray | None = None
    """The reference face (BGR crop) for a reviewer's side-by-side, if there is one."""


@dataclass
class Verification:
    """The result, plus what must not go into it: the key frames' pictures (for a reviewer,
    stored in the biometric vault) and the probe's encoding (the template for next year)."""

    result: VerificationResult
    pictures: list[tuple[KeyFrame, bytes]] = field(default_factory=list)
    encoding: np.ndarray | None = None


def reference_from_image(image: np.ndarray, models: FaceModels, source: str = "image") -> Reference | None:
    """The largest face of `image` (BGR) as a reference, or None if it has none. Small
    images (an ID-card portrait) are searched at twice their size."""
    upsample = 1 if max(image.shape[:2]) < 700 else 0
    boxes = models.detect(image, side=None if max(image.shape[:2]) <= 1600 else 1600, upsample=upsample)
    if not boxes:
        return None
    box = boxes[0]
    encoding = models.encode(image, box)
    h, w = image.shape[:2]
    m = int(0.3 * box.width)
    picture = image[max(box.top - m, 0):min(box.bottom + m, h), max(box.left - m, 0):min(box.right + m, w)].copy()
    return Reference(encoding, source, picture)


def verify(reference: Reference | None, probe: str | os.PathLike, models: FaceModels,
           options: VerifyOptions = VerifyOptions(), *, challenge: Challenge | None = None,
           now: datetime | None = None, reference_reason: Reason | None = None) -> Verification:
    """Decide whether the probe shows a live person, doing what `challenge` asks, who is the
    person of `reference`. `reference_reason` says why there is no reference, if there is none."""
    started = time.perf_counter()
    now = now or datetime.now(timezone.utc)
    per_frame: dict[int, float] = {}
    best: int | None = None
    match = MatchResult(threshold=options.threshold, review_margin=options.review_margin,
                        reference=reference.source if reference else None)
    wanted = list(challenge.actions) if challenge else []
    liveness = Liveness(assessed=False, challenge=wanted)

    def finish(reasons: list[Reason], **extra) -> Verification:
        result = VerificationResult(decision=_decide(reasons), match=match, liveness=liveness,
                                    reasons=_unique(reasons), nonce=challenge.nonce if challenge else None, **extra)
        result.timings["total"] = round(time.perf_counter() - started, 3)
        return Verification(result)

    if challenge is not None and challenge.expired(now):
        return finish([Reason.CHALLENGE_EXPIRED])  # nothing of the face is looked at
    try:
        seen = capture(probe, models, CaptureOptions(sample_fps=options.sample_fps,
                                                     max_seconds=max(options.max_seconds, challenge.max_seconds + 2
                                                                     if challenge else 0)))
    except ProbeError:
        return finish([Reason.UNREADABLE_PROBE])
    captured = time.perf_counter()
    liveness.duration = round(seen.duration, 3)
    liveness.fps = round(seen.fps, 2)
    liveness.frames_analyzed = seen.sampled

    reasons = presentation.quality(seen, options)
    quality = presentation.quality_numbers(seen)
    if not seen.samples:
        return finish(reasons or [Reason.NO_FACE], quality=quality)

    observed: list[Event] = []
    if seen.is_video:
        liveness.assessed = True
        observed = presentation.events(seen, options)
        liveness.observed = [_event(e) for e in observed]
        attack, checks = presentation.attacks(seen, observed, options)
        liveness.checks.update(checks)
        reasons += attack
        if challenge is not None:
            if seen.duration > challenge.max_seconds + 1.0:
                reasons.append(Reason.VIDEO_TOO_LONG)
            matched, missing, order = presentation.match_challenge(wanted, observed, challenge.max_seconds)
            liveness.matched = [_event(e) for e in matched]
            liveness.missing = missing
            if order:
                reasons.append(Reason.ACTIONS_OUT_OF_ORDER)
            elif missing:
                reasons.append(Reason.CHALLENGE_NOT_MET)
    elif challenge is not None:
        liveness.assessed = True
        liveness.missing = wanted
        reasons.append(Reason.STILL_IMAGE)

    encoded_at, spread = _identity(seen, models, options)
    chosen = list(encoded_at)
    encodings = list(encoded_at.values())
    encoded = time.perf_counter()
    liveness.checks["identity_spread"] = round(spread, 3)
    if spread >= options.same_person:
        reasons.append(Reason.FACE_SWAP)

    if reference is None:
        reasons.append(reference_reason or Reason.NO_REFERENCE)
    elif encodings and not (set(reasons) & ATTACKS):
        per_frame = {i: face_distance(reference.encoding, e) for i, e in encoded_at.items()}
        best = min(per_frame, key=per_frame.get)
        match.distance = round(float(np.median(list(per_frame.values()))), 4)
        match.frames = len(per_frame)
        if match.distance >= options.threshold + options.review_margin:
            reasons.append(Reason.FACE_MISMATCH)
        elif match.distance >= options.threshold - options.review_margin:
            reasons.append(Reason.MATCH_BORDERLINE)

    verification = finish(reasons, quality=quality)
    result = verification.result
    result.timings.update({"capture": round(captured - started, 3), "encode": round(encoded - captured, 3)})
    if result.decision is VerificationDecision.REVIEW:
        verification.pictures = _key_frames(seen, best if best is not None else (chosen[0] if chosen else None),
                                            observed, liveness.matched)
        result.key_frames = [frame for frame, _ in verification.pictures]
    if result.decision is not VerificationDecision.FAIL and encodings:
        verification.encoding = np.mean(encodings, axis=0).astype(np.float32)
    return verification


def _decide(reasons: list[Reason]) -> VerificationDecision:
    if any(r not in REVIEW_REASONS for r in reasons):
        return VerificationDecision.FAIL
    return VerificationDecision.REVIEW if reasons else VerificationDecision.PASS


def _unique(reasons: list[Reason]) -> list[Reason]:
    return list(dict.fromkeys(reasons))


def _event(event: Event) -> LivenessEvent:
    return LivenessEvent(action=Action(event.kind), start=round(event.start, 3), end=round(event.end, 3),
                         value=event.value)


# Frames for encoding and for the reviewer -----------------------------------------------------

def _identity(seen: Capture, models: FaceModels, o: VerifyOptions) -> tuple[dict[int, np.ndarray], float]:
    """Encodings of the best frame of each stretch of the video, and how far apart the
    furthest two are. One odd frame (a grimace, motion blur) can sit far from the rest of its
    own person, so before that counts as two people the next-best frame of each stretch is
    encoded too and the stretches compared by their means."""
    stretches = _frames_to_encode(seen, o)
    firsts = [ranked[0] for ranked in stretches]

    def encode(i: int) -> np.ndarray:
        return models.encode(seen.samples[i].crop, seen.samples[i].crop_box)

    encoded_at = {i: encode(i) for i in firsts}
    spread = _spread(list(encoded_at.values()))
    if spread < o.same_person:
        return encoded_at, spread
    means = []
    for first, ranked in zip(firsts, stretches):
        second = next((i for i in ranked[1:] if abs(seen.samples[i].t - seen.samples[first].t) >= 0.3), None)
        if second is not None:
            encoded_at[second] = encode(second)
        means.append(np.mean([encoded_at[i] for i in (first, second) if i is not None], axis=0))
    return encoded_at, _spread(means)


def _frames_to_encode(seen: Capture, o: VerifyOptions) -> list[list[int]]:
    """The video in `encode_frames` stretches, each with its frames best first (frontal, eyes
    open, mouth closed, sharp). When the face's appearance jumps somewhere (a cut), one
    stretch ends there, so whoever appears after the cut is encoded as well as whoever came
    before."""
    samples = seen.samples
    n = len(samples)
    if n <= o.encode_frames:
        return [[i] for i in range(n)]
    eyes = float(np.median([s.open_eyes for s in samples]))
    sharp = float(np.median([s.sharpness for s in samples])) or 1.0

    def score(s: FrameSample) -> float:
        penalty = abs(turn_angle(s.points)) / 10 + abs(s.pose.pitch) / 15 + max(0.0, s.mar - 0.3) * 5
        penalty += 2.0 if s.open_eyes < 0.8 * eyes else 0.0
        return min(s.sharpness / sharp, 1.5) - penalty

    bounds = [round(n * k / o.encode_frames) for k in range(o.encode_frames + 1)]
    thumbs = [_aligned_thumb(s) for s in samples]
    jumps = [_dissimilarity(a, b) for a, b in zip(thumbs, thumbs[1:])]
    cut = int(np.argmax(jumps)) + 1
    if jumps[cut - 1] >= 0.25 and cut not in bounds:
        nearest = min(range(1, o.encode_frames), key=lambda k: abs(bounds[k] - cut))
        bounds[nearest] = cut
        bounds = sorted(set(bounds))
    return [sorted(range(start, stop), key=lambda i: -score(samples[i]))
            for start, stop in zip(bounds, bounds[1:]) if stop > start]


def _spread(encodings: list[np.ndarray]) -> float:
    return max((face_distance(a, b) for a, b in itertools.combinations(encodings, 2)), default=0.0)


def _aligned_thumb(sample: FrameSample) -> np.ndarray:
    """48×48 grey face with the eyes and mouth at fixed places: compares faces, not poses."""
    scale = sample.crop_box.width / max(sample.box.width, 1)
    points = (sample.points - np.array([sample.box.left, sample.box.top])) * scale \
        + np.array([sample.crop_box.left, sample.crop_box.top])
    src = np.float32([points[36:42].mean(0), points[42:48].mean(0), points[48:68].mean(0)])
    matrix = cv2.getAffineTransform(src, np.float32([[14, 16], [34, 16], [24, 38]]))
    grey = cv2.cvtColor(sample.crop, cv2.COLOR_BGR2GRAY)
    return cv2.warpAffine(grey, matrix, (48, 48), borderMode=cv2.BORDER_REPLICATE).astype(np.float32)


def _dissimilarity(a: np.ndarray, b: np.ndarray) -> float:
    a = (a - a.mean()) / (a.std() + 1e-3)
    b = (b - b.mean()) / (b.std() + 1e-3)
    return float(1 - (a * b).mean())


def _key_frames(seen: Capture, best: int | None, observed: list[Event],
                matched: list[LivenessEvent]) -> list[tuple[KeyFrame, bytes]]:
    """JPEGs of the best-matching frame and of each matched action at its peak."""
    picks: list[tuple[KeyFrame, int]] = []
    if best is not None:
        picks.append((KeyFrame(t=seen.samples[best].t, role="best_match"), best))
    times = np.array([s.t for s in seen.samples])
    for event in matched:
        peak = next((e.peak for e in observed if e.kind == event.action.value and e.start == event.start), event.start)
        index = int(np.argmin(np.abs(times - peak)))
        picks.append((KeyFrame(t=seen.samples[index].t, role=event.action.value), index))
    out = []
    for frame, index in picks:
        ok, data = cv2.imencode(".jpg", seen.samples[index].crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if ok:
            out.append((frame, data.tobytes()))
    return out

