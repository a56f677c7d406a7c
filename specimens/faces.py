"""ID-photo portraits cut from a folder of face images: head and shoulders at 26:32, face
centred and large enough that the pipeline's face detector (dlib) finds it again on the card,
background lightened towards the white of real ID photos."""

from __future__ import annotations

import hashlib
import json
import random
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from specimens.errors import SpecimenError

PORTRAIT_SIZE = (300, 369)
"""Width, height in card pixels (26×32 mm at the canonical ~300 dpi, slightly reduced)."""
BOX_TABLE = Path(__file__).resolve().parent / "data" / "face_boxes.json"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
MIN_FACE = 80
"""Smallest face (px) worth enlarging into a portrait; smaller ones come out too soft."""


@cache
def _known_boxes() -> dict[str, dict]:
    """Face boxes dlib found in the shipped pool (scripts/face_boxes.py), by SHA-256."""
    return json.loads(BOX_TABLE.read_text(encoding="utf-8")) if BOX_TABLE.is_file() else {}


@cache
def _haar():
    """OpenCV's frontal-face Haar cascade, where this OpenCV build ships it (5.x does not)."""
    data = getattr(getattr(cv2, "data", None), "haarcascades", None)
    if not hasattr(cv2, "CascadeClassifier") or not data:
        return None
    path = Path(data) / "haarcascade_frontalface_default.xml"
    return cv2.CascadeClassifier(str(path)) if path.is_file() else None


def find_face(image: np.ndarray, digest: str) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) of the largest face: the recorded dlib box, else Haar, else None."""
    entry = _known_boxes().get(digest)
    if entry is not None:
        return tuple(entry["box"]) if "box" in entry else None
    cascade = _haar()
    if cascade is None:
        return None
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(60, 60))
    return tuple(int(v) for v in max(found, key=lambda b: b[2] * b[3])) if len(found) else None


def _crop_box(shape: tuple[int, ...], face: tuple[int, int, int, int] | None) -> tuple[float, ...]:
    """The 26:32 head-and-shoulders window: face about 1/1.9 of the width, its top at 26 %,
    tightened and shifted to stay inside the image rather than pad it."""
    h_img, w_img = shape[:2]
    aspect = PORTRAIT_SIZE[1] / PORTRAIT_SIZE[0]
    if face is None:  # centred crop of the upper middle, where portraits put the face
        w = min(w_img, h_img / aspect) * 0.8
        return (w_img - w) / 2, h_img * 0.05, w, w * aspect
    x, y, fw, fh = face
    w = max(min(1.9 * fw, w_img, h_img / aspect), 1.45 * fw)
    h = w * aspect
    left = min(max(x + fw / 2 - w / 2, 0), max(w_img - w, 0))
    top = min(max(y - 0.26 * h, 0), max(h_img - h, 0))
    return left, top, w, h


def _whiten_background(rgb: np.ndarray) -> np.ndarray:
    """Fade what GrabCut takes for background towards near-white, as on ID photos. Run at
    half size (speed) and softened, so a misjudged strand of hair fades instead of vanishing."""
    full_h, full_w = rgb.shape[:2]
    small = cv2.resize(rgb, (full_w // 2, full_h // 2), interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    mask = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    cv2.ellipse(mask, (w // 2, int(h * 0.40)), (int(w * 0.42), int(h * 0.37)), 0, 0, 360,
                cv2.GC_PR_FGD, -1)
    upper_head = mask == cv2.GC_PR_FGD
    upper_head[int(h * 0.3):] = False
    cv2.rectangle(mask, (int(w * 0.08), int(h * 0.72)), (w - 1, h - 1), cv2.GC_PR_FGD, -1)
    cv2.rectangle(mask, (0, int(h * 0.80)), (w - 1, h - 1), cv2.GC_PR_FGD, -1)
    cv2.ellipse(mask, (w // 2, int(h * 0.48)), (int(w * 0.2), int(h * 0.18)), 0, 0, 360,
                cv2.GC_FGD, -1)
    corner = int(w * 0.1)
    for x0 in (0, w - corner):
        mask[: int(h * 0.2), x0:x0 + corner] = cv2.GC_BGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(12345)  # GrabCut's k-means draws from OpenCV's global RNG
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), mask, None, bgd, fgd, 3,
                cv2.GC_INIT_WITH_MASK)
    fg = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
    if fg[upper_head].mean() < 0.7:
        return rgb  # much of the hair went to the background: keep the photo as it is
    fg = cv2.resize(fg, (full_w, full_h), interpolation=cv2.INTER_LINEAR)
    fg = cv2.GaussianBlur(fg, (0, 0), 2.5)[..., None]
    keep = 0.12 + 0.88 * fg  # a trace of the old background stays, as on a real print
    white = np.array([248, 248, 246], np.float32)
    return (rgb.astype(np.float32) * keep + white * (1 - keep)).round().astype(np.uint8)


def make_portrait(image: np.ndarray, face: tuple[int, int, int, int] | None) -> Image.Image:
    """An ID-photo crop of an RGB image (border replicated if the image is too small)."""
    x, y, w, h = _crop_box(image.shape, face)
    out_w, out_h = PORTRAIT_SIZE
    scale = out_w / w
    matrix = np.array([[scale, 0, -x * scale], [0, scale, -y * scale]], np.float32)
    crop = cv2.warpAffine(image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)
    return Image.fromarray(_whiten_background(crop) if face is not None else crop)


def silhouette(size: tuple[int, int] = PORTRAIT_SIZE) -> Image.Image:
    """A neutral head-and-shoulders placeholder for people without a face image."""
    w, h = size
    image = Image.new("RGB", size, (246, 246, 244))
    draw = ImageDraw.Draw(image)
    draw.ellipse((w * 0.12, h * 0.72, w * 0.88, h * 1.3), fill=(150, 156, 165))
    draw.ellipse((w * 0.3, h * 0.2, w * 0.7, h * 0.68), fill=(170, 176, 184))
    return image


class FacePool:
    """Face images under `faces_dir`, one folder per person. Read-only: nothing is written
    there. Portraits are computed once per source image and kept in memory."""

    def __init__(self, faces_dir: Path):
        self.faces_dir = Path(faces_dir)
        if not self.faces_dir.is_dir():
            raise SpecimenError(f"face image directory {self.faces_dir} does not exist "
                                "(set ONEWINDOW_FACES_DIR to a folder of per-person folders)")
        self._faces: dict[str, tuple[str, tuple[int, int, int, int] | None]] = {}
        for folder in sorted(p for p in self.faces_dir.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                    self._add(path)
        if not self._faces:
            raise SpecimenError(f"no usable face images in {self.faces_dir} (expected "
                                "per-person folders of JPEG/PNG photos with a frontal face)")
        self.files = sorted(self._faces)
        self._portraits: dict[str, Image.Image] = {}

    def _add(self, path: Path) -> None:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        key = path.relative_to(self.faces_dir).as_posix()
        entry = _known_boxes().get(digest)
        if entry is not None:
            box = entry.get("box")
            if box is None or min(box[2:]) < MIN_FACE:
                return
            size = entry["size"]
            if box[0] < 4 or box[0] + box[2] > size[0] - 4:  # a face cut by the frame
                return
        self._faces[key] = (digest, tuple(entry["box"]) if entry else None)

    def _load(self, key: str) -> Image.Image:
        if key not in self._portraits:
            digest, box = self._faces[key]
            buffer = np.frombuffer((self.faces_dir / key).read_bytes(), np.uint8)
            bgr = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
            if bgr is None:
                raise SpecimenError(f"cannot decode face image {self.faces_dir / key}")
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            self._portraits[key] = make_portrait(rgb, box or find_face(rgb, digest))
        return self._portraits[key]

    def pick(self, rng: random.Random) -> tuple[str, Image.Image]:
        """A random portrait and the relative path of the image it was cut from."""
        key = rng.choice(self.files)
        return key, self._load(key)

    def portrait(self, rng: random.Random) -> Image.Image:
        return self.pick(rng)[1]
