"""Faces with dlib, the models face_recognition ships: HOG detection, 68-point landmarks, and
the 128-d ResNet encoding. A small typed surface over numpy arrays (BGR uint8 in, plain
results out); the models load on first use, once per process (`face_models()`), never at
import (face_recognition's own module loads every model, the CNN detector included, when it
is imported, which is why it is not imported here).

Detection runs on a downscaled copy of the frame; landmarks run on a crop around the face at
full resolution (dlib copies the whole image it is given: a crop is 3× faster); encodings use
the 5-point alignment the recognition model was trained with."""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from models.errors import ModelError

ENCODING_MODEL = "dlib_face_recognition_resnet_model_v1"
"""Recorded with every stored template: distances are only comparable within one model."""
DETECT_SIDE = 320
"""Default long side of the copy HOG detection runs on; dlib's HOG finds faces of about
80 px and up, so at 320 px a face must cover a quarter of the frame's long side."""
LANDMARK_FACE_PX = 240
"""Faces wider than this are scaled down for the landmark model (a 720p selfie's face is ~300
px): the blinks, mouth openings and turns found on the live clips stay the same; at 180 px
one shallow blink was lost."""


@dataclass(frozen=True)
class Box:
    """A face rectangle in pixels of the image it was found in."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def scaled(self, factor: float) -> Box:
        return Box(*(int(round(v * factor)) for v in (self.left, self.top, self.right, self.bottom)))

    def shifted(self, dx: int, dy: int) -> Box:
        return Box(self.left + dx, self.top + dy, self.right + dx, self.bottom + dy)


@dataclass(frozen=True)
class Face:
    box: Box
    landmarks: np.ndarray
    """68×2 float32, dlib's iBUG order (jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67)."""


class FaceModels:
    """dlib's detector, the 68- and 5-point shape predictors and the recognition network.
    Build one per process (or use `face_models()`); each model loads when first needed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._detector = None
        self._shape68 = None
        self._shape5 = None
        self._encoder = None

    def _load(self) -> None:
        with self._lock:
            if self._encoder is not None:
                return
            try:
                import dlib
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # face_recognition_models imports pkg_resources
                    import face_recognition_models as files
                detector = dlib.get_frontal_face_detector()
                shape68 = dlib.shape_predictor(files.pose_predictor_model_location())
                shape5 = dlib.shape_predictor(files.pose_predictor_five_point_model_location())
                encoder = dlib.face_recognition_model_v1(files.face_recognition_model_location())
            except (ImportError, RuntimeError) as exc:
                raise ModelError(f"the face models cannot be loaded ({exc}); install dlib-bin and "
                                 "face_recognition_models (scripts/setup.sh)") from exc
            self._detector, self._shape68, self._shape5, self._encoder = detector, shape68, shape5, encoder

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def detect(self, image: np.ndarray, *, side: int | None = DETECT_SIDE, upsample: int = 0) -> list[Box]:
        """Faces in a BGR or grey image, largest first, in the image's own pixels. The search runs
        on a copy whose long side is `side` (None: as it is)."""
        self._load()
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        scale = 1.0
        if side is not None and max(grey.shape[:2]) > side:
            scale = side / max(grey.shape[:2])
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        found = self._detector(grey, upsample)
        boxes = [Box(r.left(), r.top(), r.right(), r.bottom()).scaled(1 / scale) for r in found]
        return sorted(boxes, key=lambda b: -b.width * b.height)

    def landmarks(self, image: np.ndarray, box: Box, *, max_face: int | None = LANDMARK_FACE_PX) -> np.ndarray:
        """The 68 points of the face in `box`, computed on a crop around it, scaled down first
        so the face is at most `max_face` pixels wide (None: as it is)."""
        import dlib

        self._load()
        crop, (x0, y0) = _crop(image, box)
        grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        local = box.shifted(-x0, -y0)
        scale = 1.0
        if max_face is not None and box.width > max_face:
            scale = max_face / box.width
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            local = local.scaled(scale)
        shape = self._shape68(np.ascontiguousarray(grey),
                              dlib.rectangle(local.left, local.top, local.right, local.bottom))
        points = np.array([(p.x, p.y) for p in shape.parts()], np.float32) / scale
        return points + np.array([x0, y0], np.float32)

    def find(self, image: np.ndarray, *, side: int | None = DETECT_SIDE, upsample: int = 0) -> list[Face]:
        """Every face with its landmarks, largest first."""
        return [Face(box, self.landmarks(image, box)) for box in self.detect(image, side=side, upsample=upsample)]

    def encode(self, image: np.ndarray, box: Box, *, jitters: int = 1) -> np.ndarray:
        """The 128-d encoding of the face in `box` (BGR image), aligned on dlib's 5 points."""
        import dlib

        self._load()
        crop, (x0, y0) = _crop(image, box, margin=0.6)
        rgb = np.ascontiguousarray(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
        local = box.shifted(-x0, -y0)
        shape = self._shape5(rgb, dlib.rectangle(local.left, local.top, local.right, local.bottom))
        chip = dlib.get_face_chip(rgb, shape, 150, 0.25)
        return np.asarray(self._encoder.compute_face_descriptor(chip, jitters), np.float32)


def _crop(image: np.ndarray, box: Box, margin: float = 0.35) -> tuple[np.ndarray, tuple[int, int]]:
    """The region around `box` (plus `margin` of its size on each side), and its origin."""
    h, w = image.shape[:2]
    mx, my = int(box.width * margin), int(box.height * margin)
    x0, y0 = max(box.left - mx, 0), max(box.top - my, 0)
    x1, y1 = min(box.right + mx, w), min(box.bottom + my, h)
    return image[y0:y1, x0:x1], (x0, y0)


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two encodings (face_recognition's measure)."""
    return float(np.linalg.norm(np.asarray(a, np.float32) - np.asarray(b, np.float32)))


@cache
def face_models() -> FaceModels:
    """The process's face models (each loads on first use)."""
    return FaceModels()
