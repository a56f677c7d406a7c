"""PaddleOCR 3.x as the alternative OCR engine: its text detection, text recognition and
(optional) text-line orientation modules, each built from a local model directory, never a
download. The mapping from PaddleOCR's results to our types lives in pure functions over the
plain dict form of a result (a live result object is a dict; `save_to_json` writes the same
keys, `res.json` wraps them in {"res": ...}), so it is tested without paddle installed."""

from __future__ import annotations

import importlib.util
import re
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from models.errors import ModelError
from models.ocr import OcrResult, TextLine, crop_quad, order_quad, sort_reading_order
from schemas.settings import Settings

INSTALL_HINT = "install with pip install 'onewindow[paddle]' plus paddlepaddle"
# Every exported Paddle inference model directory holds this; PaddleX refuses a model_dir
# whose Global.model_name differs from the model_name it is given.
MODEL_CONFIG = "inference.yml"
_DEGREES = re.compile(r"^(\d+)_degree$")


def _fields(result: Mapping[str, Any], key: str, kind: str) -> Mapping[str, Any]:
    """The result fields, whether given bare (save_to_json, live result) or as {"res": ...}.
    PaddleX picks the predictor by the model name in the directory, not by the module class
    asked for, so a directory holding the wrong kind of model shows up here, as a missing key."""
    inner = result.get("res")
    res = inner if isinstance(inner, Mapping) else result
    if key not in res:
        raise ModelError(
            f"expected a PaddleOCR {kind} result with {key!r}, got keys {sorted(res)}; "
            f"is the {kind} model directory the right kind of model?"
        )
    return res


def _as_quad(poly: Any) -> np.ndarray:
    """A detected polygon as 4×2 float32 corners, clockwise from the top-left."""
    pts = np.asarray(poly, dtype=np.float32).reshape(-1, 2)
    if len(pts) != 4:  # "poly" box type (seal models): the smallest rectangle around it
        pts = cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float32)
    return order_quad(pts)


def quads_from_detection(result: Mapping[str, Any], min_score: float = 0.0) -> list[np.ndarray]:
    """`dt_polys` (N×4×2 int pixels, unsorted) of a TextDetection result, as ordered quads in
    reading order; boxes scoring (`dt_scores`) below `min_score` are dropped."""
    res = _fields(result, "dt_polys", "text detection")
    polys = list(res["dt_polys"])
    scores = [float(s) for s in res.get("dt_scores", [1.0] * len(polys))]
    if len(scores) != len(polys):
        raise ModelError(f"PaddleOCR detection gave {len(polys)} boxes but {len(scores)} scores")
    kept = [_as_quad(p) for p, s in zip(polys, scores, strict=True) if s >= min_score]
    return sort_reading_order(kept)


def texts_from_recognition(result: Mapping[str, Any]) -> tuple[str, float]:
    """`rec_text` / `rec_score` of one TextRecognition result (one crop)."""
    res = _fields(result, "rec_text", "text recognition")
    text = res["rec_text"]
    if isinstance(text, (tuple, list)):  # return_word_box=True: (text, word boxes)
        text = text[0]
    return str(text), float(res.get("rec_score", 0.0))


def orientation_from_classification(result: Mapping[str, Any]) -> tuple[int, float]:
    """(0 or 180, score) of one TextLineOrientationClassification result.

    `label_names` ("0_degree"/"180_degree") is read first: PaddleX 3.7 splits it per image,
    while `class_ids` stays the whole batch's array ([[1]] for one image), so the index is
    only a fallback for label-less models at batch size 1."""
    res = _fields(result, "scores", "text-line orientation")
    labels = list(res.get("label_names") or [])
    scores = np.asarray(res.get("scores", []), dtype=np.float64).ravel()
    score = float(scores[0]) if scores.size else 0.0
    if labels:
        match = _DEGREES.match(str(labels[0]))
        angle = int(match.group(1)) if match else -1
    else:
        ids = np.asarray(res.get("class_ids", []), dtype=np.int64).ravel()
        if ids.size == 0:
            raise ModelError("PaddleOCR orientation result has neither label_names nor class_ids")
        angle = {0: 0, 1: 180}.get(int(ids[0]), -1)
    if angle not in (0, 180):
        raise ModelError(
            f"unexpected text-line orientation {labels[:1] or res.get('class_ids')!r}; "
            "is ONEWINDOW_PADDLE_CLS_DIR a text-line orientation (0/180) model?"
        )
    return angle, score


def lines_from_ocr_pipeline(result: Mapping[str, Any]) -> list[TextLine]:
    """Recognized lines of a full `PaddleOCR.predict` result (`rec_texts`, `rec_scores`,
    `rec_polys`), blank ones dropped, re-sorted in our reading order: PaddleOCR's own sort
    compares top-left y within 10 px, which mixes up the lines of a slightly tilted card."""
    res = _fields(result, "rec_texts", "OCR pipeline")
    texts, scores, polys = res["rec_texts"], res.get("rec_scores", []), res.get("rec_polys", [])
    if not len(texts) == len(scores) == len(polys):
        raise ModelError(
            f"PaddleOCR result has {len(texts)} texts, {len(scores)} scores, {len(polys)} polygons"
        )
    by_quad: dict[int, TextLine] = {}
    for text, score, poly in zip(texts, scores, polys, strict=True):
        if str(text).strip():
            quad = _as_quad(poly)
            by_quad[id(quad)] = TextLine(str(text), float(score), quad)
    return [by_quad[id(q)] for q in sort_reading_order([line.box for line in by_quad.values()])]


def model_name_of(model_dir: Path) -> str:
    """The model name recorded in an exported model directory (PaddleX needs it to match)."""
    config_path = Path(model_dir) / MODEL_CONFIG
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        return str(config["Global"]["model_name"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ModelError(
            f"{config_path} is missing or has no Global.model_name; "
            "point the directory at an exported PaddleOCR inference model"
        ) from exc


def _as_bgr(image: np.ndarray) -> np.ndarray:
    """3-channel contiguous BGR, the only ndarray layout PaddleX's image reader accepts."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image)


class _Module:
    """One PaddleOCR module, built on first use. A PaddleX predictor keeps per-call state (its
    batch sampler) and Paddle Inference wants a predictor per thread, so one lock guards both
    building and every call: threads share the engine safely, one inference at a time."""

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._model: Any = None
        self._lock = threading.Lock()

    def predict(self, inputs: list[np.ndarray]) -> list[Any]:
        with self._lock:
            if self._model is None:
                self._model = self._build()
            return list(self._model.predict(inputs))


class PaddleOcrEngine:
    """PaddleOCR 3.x behind the same protocol as RapidOcrEngine. Without a text-line
    orientation model (`cls_dir=None`) it has no opinion on orientation: every crop gets
    (0, 0.0), which leaves the pipeline's upside-down vote at "not turned"."""

    name = "paddleocr"
    thread_safe = False
    """Paddle's predictors are not documented as safe to share across threads: read one at a time."""

    def __init__(
        self,
        det_dir: Path,
        rec_dir: Path,
        cls_dir: Path | None = None,
        *,
        threads: int = 2,
        det_limit: int = 2048,
        device: str | None = None,
    ):
        self.det_dir, self.rec_dir = Path(det_dir), Path(rec_dir)
        self.cls_dir = Path(cls_dir) if cls_dir is not None else None
        self.threads = threads
        self.det_limit = det_limit
        self.device = device
        # The caller sizes the image; detection must not resize it again (as for RapidOCR).
        self._det = _Module(lambda: self._create("TextDetection", self.det_dir,
                                                 limit_side_len=det_limit, limit_type="max"))
        self._rec = _Module(lambda: self._create("TextRecognition", self.rec_dir))
        self._cls = None
        if cls_dir is not None:
            cls_path = Path(cls_dir)
            self._cls = _Module(
                lambda: self._create("TextLineOrientationClassification", cls_path)
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> PaddleOcrEngine:
        """Check the model directories and that paddleocr is installed; load nothing yet."""
        det_dir = _model_dir(settings.paddle_det_dir, "ONEWINDOW_PADDLE_DET_DIR", "detection")
        rec_dir = _model_dir(settings.paddle_rec_dir, "ONEWINDOW_PADDLE_REC_DIR", "recognition")
        cls_dir = None
        if settings.paddle_cls_dir is not None:
            cls_dir = _model_dir(settings.paddle_cls_dir, "ONEWINDOW_PADDLE_CLS_DIR", "orientation")
        for path in (det_dir, rec_dir, cls_dir):
            if path is not None:
                model_name_of(path)
        require_paddleocr()
        return cls(det_dir, rec_dir, cls_dir, threads=settings.ocr_threads)

    def _create(self, kind: str, model_dir: Path, **options: Any):
        require_paddleocr()
        try:
            import paddleocr

            module_cls = getattr(paddleocr, kind)
        except (ImportError, AttributeError) as exc:
            reason = _first_line(exc)
            raise ModelError(f"paddleocr is not usable ({reason}); {INSTALL_HINT}") from exc
        if self.device is not None:
            options["device"] = self.device
        try:
            return module_cls(model_dir=str(model_dir), model_name=model_name_of(model_dir),
                              cpu_threads=self.threads, **options)
        except ModelError:
            raise
        except Exception as exc:  # PaddleX raises bare ValueError/FileNotFoundError/RuntimeError
            raise ModelError(
                f"PaddleOCR {kind} could not load {model_dir}: {_first_line(exc)}"
            ) from exc

    def warm_up(self) -> None:
        """Load every configured model now (for workers and benchmarks that time steady state)."""
        blank = np.full((64, 256, 3), 255, np.uint8)
        self.detect(blank)
        self.recognize([blank[:48]])
        self.line_orientation([blank[:48]])

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        (result,) = self._det.predict([_as_bgr(image)])
        return quads_from_detection(result)

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        return [texts_from_recognition(r) for r in self._rec.predict([_as_bgr(c) for c in crops])]

    def line_orientation(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        if self._cls is None:
            return [(0, 0.0)] * len(crops)
        if not crops:
            return []
        results = self._cls.predict([_as_bgr(c) for c in crops])
        return [orientation_from_classification(r) for r in results]

    def read(self, image: np.ndarray) -> OcrResult:
        started = time.perf_counter()
        quads = self.detect(image)
        detected = time.perf_counter()
        texts = self.recognize([crop_quad(image, q) for q in quads])
        done = time.perf_counter()
        lines = [TextLine(t, s, q) for q, (t, s) in zip(quads, texts) if t.strip()]
        return OcrResult(lines, {"detect": detected - started, "recognize": done - detected})


def require_paddleocr() -> None:
    """Fail with the install hint when paddleocr or paddlepaddle is absent (no import yet:
    importing paddle takes seconds)."""
    for module, package in (("paddleocr", "paddleocr"), ("paddle", "paddlepaddle")):
        if importlib.util.find_spec(module) is None:
            raise ModelError(
                f"PaddleOCR engine selected but {package} is not installed; {INSTALL_HINT}"
            )


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _model_dir(path: Path | None, env_var: str, what: str) -> Path:
    if path is None:
        raise ModelError(f"PaddleOCR engine needs a local {what} model directory: set {env_var}")
    if not Path(path).is_dir():
        raise ModelError(f"{env_var}={path} is not a directory (PaddleOCR {what} model)")
    return Path(path)
