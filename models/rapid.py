"""RapidOCR on ONNX Runtime with the PP-OCRv6 detection/recognition models its wheel ships
(no download, ever). The default OCR engine."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np

from models.ctc import rank_texts
from models.errors import ModelError
from models.ocr import OcrResult, TextLine, crop_quad, order_quad, sort_reading_order

# What the wheel must contain; checked before anything could trigger a download.
SHIPPED_MODELS = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx",
                  "ch_ppocr_mobile_v2.0_cls_mobile.onnx")

REC_MIN_WIDTH = 192
"""Recognition pads every line to at least this width at 48 px high. RapidOCR's 320 (PaddleOCR's
default) makes a short line such as 性别 女 cost as much as a 320-px one; recognition time grows
with the padded width, and 192 reads the same text on 287 specimen lines (bench/RESULTS.md)."""


def shipped_model_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


class RapidOcrEngine:
    """One RapidOCR instance, built on first use. Not fork-safe once built: build it in the
    process that uses it (workers do so after forking)."""

    name = "rapidocr"
    thread_safe = True
    """Several threads may read at once (ONNX Runtime's `run` is thread-safe; RapidOCR keeps
    no per-call state and loads its models under a lock)."""

    def __init__(self, threads: int = 2, det_limit: int = 2048):
        self.threads = threads
        self.det_limit = det_limit
        self._engine = None
        self._lock = threading.Lock()

    def _load(self):
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build()
        return self._engine

    def _build(self):
        model_dir = shipped_model_dir()
        missing = [m for m in SHIPPED_MODELS if not (model_dir / m).is_file()]
        if missing:
            raise ModelError(
                f"RapidOCR models missing from {model_dir}: {', '.join(missing)}; "
                "reinstall with `bash scripts/setup.sh`"
            )
        from rapidocr import ModelType, OCRVersion, RapidOCR

        engine = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.use_cls": False,
                "Global.max_side_len": 4096,
                "Det.ocr_version": OCRVersion.PPOCRV6,
                "Det.model_type": ModelType.SMALL,
                "Rec.ocr_version": OCRVersion.PPOCRV6,
                "Rec.model_type": ModelType.SMALL,
                # The caller sizes the image; detection must not resize it again.
                "Det.limit_type": "max",
                "Det.limit_side_len": self.det_limit,
                # One line per run: no padding to the widest line of a batch (measured fastest).
                "Rec.rec_batch_num": 1,
                "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                # ONNX Runtime's own memory pool (RapidOCR turns it off): detection reuses its
                # buffers instead of allocating them per call, ≈ 16% faster (bench/RESULTS.md)
                "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
            }
        )
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        return engine

    def warm_up(self) -> None:
        """Load all three models now (for workers and benchmarks that time steady state)."""
        blank = np.full((64, 256, 3), 255, np.uint8)
        self.detect(blank)
        self.recognize([blank[:48]])
        self.line_orientation([blank[:48]])

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        engine = self._load()
        out = engine(image, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(out, "boxes", None)
        if boxes is None or len(boxes) == 0:
            return []
        return sort_reading_order([order_quad(b) for b in np.asarray(boxes, dtype=np.float32)])

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        engine = self._load()
        out = engine.recognize_txt(list(crops))
        return [(str(t), float(s)) for t, s in zip(out.txts, out.scores)]

    def rank_texts(self, crop: np.ndarray, texts: list[str]) -> list[float]:
        """log P(text | crop) for each of `texts` under the recognition model (models.ctc):
        how well each entry of a closed list explains the line. It reaches into RapidOCR's
        recognizer (its ONNX session, resize and dictionary: pinned 3.10.0, covered by
        tests/pipeline/test_closed_lists.py) because RapidOCR returns only the greedy text."""
        if not texts:
            return []
        recognizer = self._load()._load_rec_model()
        height, width = crop.shape[:2]
        ratio = max(REC_MIN_WIDTH / 48, width / max(height, 1))
        batch = recognizer.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
        probs = recognizer.session(batch)[0]
        return rank_texts(probs, texts, recognizer.postprocess_op.dict)

    def line_orientation(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        if not crops:
            return []
        engine = self._load()
        _, out = engine.cls_and_rotate(list(crops))
        return [(int(label), float(score)) for label, score in out.cls_res]

    def read(self, image: np.ndarray) -> OcrResult:
        started = time.perf_counter()
        quads = self.detect(image)
        detected = time.perf_counter()
        texts = self.recognize([crop_quad(image, q) for q in quads])
        done = time.perf_counter()
        lines = [TextLine(t, s, q) for q, (t, s) in zip(quads, texts) if t.strip()]
        return OcrResult(lines, {"detect": detected - started, "recognize": done - detected})
