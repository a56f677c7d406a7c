"""Capture: a probe (selfie video or still image) → the face in sampled frames, measured.

Frames are sampled at `sample_fps` (every frame is grabbed, as the codec needs, but only the
sampled ones are converted and looked at). The face is found once in the whole frame, then
followed by detecting it again in a small window round its last place, its box size smoothed
so the landmark model sees a steady box (dlib's HOG boxes jump between pyramid levels, and the
landmarks with them). Every second or so the whole frame is searched again to count faces and
look for a screen's bezel. What is kept per frame is a crop round the face (for the encodings
chosen later), the 68 points and the measurements: eye and mouth opening, head pose,
sharpness, light."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import cv2
import numpy as np

from models.faces import Box, FaceModels
from models.liveness import (
    Pose,
    bezel_score,
    brightness,
    eye_aspect_ratio,
    eyes_open,
    head_pose,
    moire_score,
    mouth_opening,
    sharpness,
)
from pipeline.ingest import Limits, decode, sniff_media_type
from schemas.errors import InputError

ENCODE_FACE_PX = 200
"""Faces are kept at most this wide for encoding later (the encoder looks at 150 px)."""
TRACK_FACE_PX = 90
"""Width the face is scaled to for the detector in its tracking window (HOG finds ≥ 80 px)."""


class ProbeError(InputError):
    """The probe cannot be opened as a video or an image."""


@dataclass
class FrameSample:
    t: float
    box: Box
    """The face in frame pixels."""
    points: np.ndarray
    """68 landmarks in frame pixels."""
    ear: float
    open_eyes: float
    """EAR of the more open eye (what blinks are found on)."""
    mar: float
    pose: Pose
    sharpness: float
    light: float
    white: float
    face_share: float
    """Face width over the frame's short side."""
    crop: np.ndarray
    """BGR region round the face (maybe scaled down), for encoding and key frames."""
    crop_box: Box
    """The face inside `crop`."""
    still: np.ndarray | None = None
    """32×32 grey of one fixed part of the frame (where the face was first found): a still
    picture gives the same pixels in every frame, whatever the face tracker does."""


@dataclass
class Capture:
    is_video: bool
    fps: float
    duration: float
    frame_size: tuple[int, int]
    samples: list[FrameSample] = field(default_factory=list)
    sampled: int = 0
    """Frames looked at, with or without a face."""
    faceless: int = 0
    most_faces: int = 0
    """The most faces seen at once in a whole-frame search."""
    moire: list[float] = field(default_factory=list)
    bezel: list[float] = field(default_factory=list)
    truncated: bool = False
    """The video runs longer than the analysis limit; the rest was not decoded."""


@dataclass(frozen=True)
class CaptureOptions:
    sample_fps: float = 15.0
    max_seconds: float = 20.0
    recount_every: float = 1.0
    """Seconds between whole-frame searches (face count, bezel)."""
    moire_every: int = 4
    """Sampled frames between moiré measurements."""


def capture(path: str | os.PathLike, models: FaceModels, options: CaptureOptions = CaptureOptions(),
            limits: Limits = Limits()) -> Capture:
    """Sample and measure the probe at `path`: a video (any container FFmpeg opens) or an image."""
    path = os.fspath(path)
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        raise ProbeError("the probe file is empty")
    media = sniff_media_type(head)
    if media is not None and media.startswith("image/"):
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            image = decode(data, limits)[0].image
        except InputError as exc:
            raise ProbeError(f"the probe image cannot be read: {exc}") from exc
        return _from_image(image, models)
    return _from_video(path, models, options)


def _from_image(image: np.ndarray, models: FaceModels) -> Capture:
    h, w = image.shape[:2]
    result = Capture(is_video=False, fps=0.0, duration=0.0, frame_size=(h, w), sampled=1)
    boxes = models.detect(image, side=960, upsample=1 if max(h, w) < 900 else 0)
    result.most_faces = len(boxes)
    if not boxes:
        result.faceless = 1
        return result
    result.samples.append(_measure(image, cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), boxes[0], 0.0, models))
    return result


def _from_video(path: str, models: FaceModels, options: CaptureOptions) -> Capture:
    video = cv2.VideoCapture(path)
    try:
        if not video.isOpened():
            raise ProbeError("the probe is neither an image nor a video FFmpeg can open")
        fps = float(video.get(cv2.CAP_PROP_FPS) or 0.0)
        if not 1.0 <= fps <= 240.0:
            fps = 30.0  # some containers do not say; phones record at 30
        total = int(video.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        step = max(1, int(round(fps / options.sample_fps)))
        limit = int(options.max_seconds * fps) + 1
        tracker = _Tracker(models)
        result: Capture | None = None
        index, last_count = 0, -1e9
        anchor: Box | None = None
        while index < limit and video.grab():
            index += 1
            if (index - 1) % step:
                continue  # decoded (the codec needs it) but not converted or looked at
            ok, frame = video.retrieve()
            if not ok or frame is None:
                break
            t = (index - 1) / fps
            if result is None:
                h, w = frame.shape[:2]
                result = Capture(is_video=True, fps=fps, duration=0.0, frame_size=(h, w))
            result.sampled += 1
            recount = t - last_count >= options.recount_every
            grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            box, faces = tracker.find(grey, whole=recount)
            if faces is not None:
                last_count = t
                result.most_faces = max(result.most_faces, faces)
            if box is None:
                result.faceless += 1
                continue
            sample = _measure(frame, grey, box, t, models)
            anchor = anchor or box
            sample.still = cv2.resize(_clip(grey, anchor), (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
            result.samples.append(sample)
            if recount:
                result.bezel.append(bezel_score(grey, (box.left, box.top, box.right, box.bottom)))
            if (len(result.samples) - 1) % options.moire_every == 0:
                result.moire.append(moire_score(_clip(frame, box)))
        if result is None:
            raise ProbeError("the probe video has no frames that can be decoded")
        result.duration = (total / fps) if total > 0 else index / fps
        result.truncated = total > limit or (total <= 0 and index >= limit)
        return result
    finally:
        video.release()


class _Tracker:
    """Follows one face from frame to frame with a steady box."""

    def __init__(self, models: FaceModels):
        self.models = models
        self.box: Box | None = None
        self.size: float | None = None

    def find(self, grey: np.ndarray, whole: bool) -> tuple[Box | None, int | None]:
        """The face's box, and how many faces the frame holds if the whole of it was searched
        (`whole`, or the face was lost); otherwise a window round its last place is searched."""
        faces = None
        found = self._in_window(grey) if self.box is not None and not whole else None
        if found is None:
            boxes = self._whole(grey)
            faces = len(boxes)
            found = self._closest(boxes) if boxes else None
        if found is None:
            self.box = None
            return None, faces
        return self._steady(found), faces

    def _whole(self, grey: np.ndarray) -> list[Box]:
        """A whole-frame search, at a scale where the face we follow is ~2× the smallest the
        detector finds (so a second face half its size still shows)."""
        long_side = max(grey.shape[:2])
        if self.box is not None:
            side = int(np.clip(long_side * 180 / max(self.box.width, 1), 240, 640))
            return self.models.detect(grey, side=min(side, long_side))
        for side in (320, 640):
            boxes = self.models.detect(grey, side=min(side, long_side))
            if boxes:
                return boxes
        return []

    def _in_window(self, grey: np.ndarray) -> Box | None:
        box = self.box
        h, w = grey.shape[:2]
        mx, my = int(box.width * 0.6), int(box.height * 0.6)
        x0, y0 = max(box.left - mx, 0), max(box.top - my, 0)
        x1, y1 = min(box.right + mx, w), min(box.bottom + my, h)
        scale = min(TRACK_FACE_PX / max(box.width, 1), 1.25)
        window = cv2.resize(grey[y0:y1, x0:x1], None, fx=scale, fy=scale,
                            interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        boxes = self.models.detect(window, side=None)
        if not boxes:
            return None
        return self._closest([b.scaled(1 / scale).shifted(x0, y0) for b in boxes])

    def _closest(self, boxes: list[Box]) -> Box:
        if self.box is None:
            return boxes[0]
        cx, cy = self.box.center
        return min(boxes, key=lambda b: np.hypot(b.center[0] - cx, b.center[1] - cy) / max(b.width, 1)
                   - 0.001 * b.width)

    def _steady(self, found: Box) -> Box:
        """The detector's centre, with a size smoothed over frames unless it truly changed."""
        size = float(found.width)
        if self.size is not None and abs(size / self.size - 1) < 0.3:
            size = 0.7 * self.size + 0.3 * size
        self.size = size
        cx, cy = found.center
        half = size / 2
        self.box = Box(int(round(cx - half)), int(round(cy - half)), int(round(cx + half)), int(round(cy + half)))
        return self.box


def _clip(frame: np.ndarray, box: Box) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[max(box.top, 0):min(box.bottom, h), max(box.left, 0):min(box.right, w)]


def _measure(frame: np.ndarray, grey: np.ndarray, box: Box, t: float, models: FaceModels) -> FrameSample:
    points = models.landmarks(grey, box)
    h, w = frame.shape[:2]
    face_grey = _clip(grey, box)
    if not face_grey.size:
        face_grey = np.zeros((1, 1), np.uint8)
    light, white = brightness(face_grey)
    mx, my = int(box.width * 0.6), int(box.height * 0.6)
    x0, y0 = max(box.left - mx, 0), max(box.top - my, 0)
    x1, y1 = min(box.right + mx, w), min(box.bottom + my, h)
    crop = frame[y0:y1, x0:x1]
    crop_box = box.shifted(-x0, -y0)
    if box.width > ENCODE_FACE_PX:
        scale = ENCODE_FACE_PX / box.width
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        crop_box = crop_box.scaled(scale)
    else:
        crop = crop.copy()
    return FrameSample(
        t=round(t, 3), box=box, points=points, ear=eye_aspect_ratio(points), open_eyes=eyes_open(points),
        mar=mouth_opening(points), pose=head_pose(points, (h, w)), sharpness=sharpness(face_grey),
        light=light, white=white, face_share=box.width / max(min(h, w), 1), crop=crop, crop_box=crop_box,
    )
