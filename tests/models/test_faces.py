"""The face models: dlib's HOG detector, 68-point landmarks and the 128-d encoder that
face_recognition ships, loaded on first use, once per process; real photos of real people."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from models.faces import Box, FaceModels, face_distance, face_models
from schemas.settings import Settings, shared_data_dir

FACES = shared_data_dir() / "faces"
THRESHOLD = Settings().face_match_threshold


def photo(name: str) -> np.ndarray:
    image = cv2.imread(str(FACES / name))
    assert image is not None
    return image


def test_face_recognition_and_its_models_import_here():
    """face_recognition_models finds its files with pkg_resources (setuptools < 81)."""
    code = ("import warnings; warnings.simplefilter('error');"
            "warnings.filterwarnings('ignore', message='pkg_resources is deprecated');"
            "import face_recognition, face_recognition_models, setuptools;"
            "print(setuptools.__version__, face_recognition_models.face_recognition_model_location())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    version, model = done.stdout.split()
    assert int(version.split(".")[0]) < 81 and model.endswith(".dat")


def test_models_load_on_first_use_once_per_process():
    code = ("import sys, models.faces as f; m = f.face_models(); "
            "assert not m.loaded and 'face_recognition' not in sys.modules and 'dlib' not in sys.modules;"
            "assert f.face_models() is m; m.detect(__import__('numpy').zeros((64, 64), 'uint8')); assert m.loaded")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_detects_on_a_downscaled_copy_in_the_images_own_pixels():
    image = photo("obama/obama.jpg")
    (full,) = face_models().detect(image, side=None)
    (small,) = face_models().detect(image, side=320)
    assert abs(small.center[0] - full.center[0]) < 0.1 * full.width
    assert 0.8 < small.width / full.width < 1.25


def test_nothing_found_is_an_empty_answer_not_an_error():
    assert face_models().detect(np.full((480, 640, 3), 200, np.uint8)) == []
    assert face_models().find(np.zeros((100, 100), np.uint8)) == []


def test_landmarks_fall_inside_the_face():
    image = photo("biden/biden.jpg")
    (face,) = face_models().find(image, side=None)
    assert face.landmarks.shape == (68, 2)
    x0, y0 = face.landmarks.min(axis=0)
    x1, y1 = face.landmarks.max(axis=0)
    box = face.box
    assert box.left - 0.2 * box.width < x0 < x1 < box.right + 0.2 * box.width
    assert face.landmarks[36, 0] < face.landmarks[45, 0]  # the image-left eye is on the left


def test_encodings_tell_people_apart_at_the_calibrated_threshold():
    models = face_models()

    def encode(name: str) -> np.ndarray:
        image = photo(name)
        (box,) = models.detect(image, side=None, upsample=1)[:1]
        encoding = models.encode(image, box)
        assert encoding.shape == (128,) and encoding.dtype == np.float32
        return encoding

    obama, obama2, biden = encode("obama/obama.jpg"), encode("obama/obama2.jpg"), encode("biden/biden.jpg")
    katy, katy2 = encode("katy/26.jpg"), encode("katy/27.jpg")
    assert face_distance(obama, obama2) < THRESHOLD
    assert face_distance(katy, katy2) < THRESHOLD
    assert face_distance(obama, biden) >= THRESHOLD
    assert face_distance(katy, obama) >= THRESHOLD
    assert face_distance(obama, biden) == pytest.approx(face_distance(biden, obama))


def test_box_arithmetic():
    box = Box(10, 20, 110, 140)
    assert (box.width, box.height, box.center) == (100, 120, (60.0, 80.0))
    assert box.scaled(0.5) == Box(5, 10, 55, 70) and box.shifted(-10, 5) == Box(0, 25, 100, 145)
    assert isinstance(FaceModels(), FaceModels)
