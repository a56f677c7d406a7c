"""Re-record the PaddleOCR fixtures beside this file (run where paddleocr and paddlepaddle are
installed; never in the project venv):

    python tests/models/data/record_paddle.py tests/models/data

The PP-OCR weights cannot be downloaded here, so paddleocr's real module and pipeline classes
run on tiny stand-in models with the real exported layout (inference.json, .pdiparams,
inference.yml): a "detector" that calls dark pixels text, a "recognizer" that always reads
the same ID number, an "orientation classifier" that calls a strip upside down when its top
half is darker. Their outputs are nonsense as OCR but are exactly the shapes PaddleOCR emits."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import yaml

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
ID_NUMBER = "11010519491231002X"
# (x0, y0, x1, y1) on the upright 856×540 card (10 px/mm), what PP-OCR would read, its score.
LINES = [
    ((70, 70, 262, 100), "姓名 张三", 0.98731),
    ((70, 140, 135, 170), "性别", 0.99912), ((160, 140, 190, 170), "男", 0.99868),
    ((280, 140, 345, 170), "民族", 0.99935), ((370, 140, 400, 170), "汉", 0.99790),
    ((70, 205, 135, 235), "出生", 0.99901), ((160, 205, 420, 235), "1949年12月31日", 0.99452),
    ((70, 275, 135, 305), "住址", 0.99893),
    ((160, 275, 530, 305), "北京市朝阳区建国路88号", 0.98817),
    ((160, 320, 400, 350), "院3号楼2单元501室", 0.97964),
    ((70, 450, 260, 480), "公民身份号码", 0.99706), ((300, 448, 760, 482), ID_NUMBER, 0.99613),
]
TILT = cv2.getRotationMatrix2D((428, 270), 2.0, 1.0)  # photographed turned 2° anticlockwise


def card_image() -> np.ndarray:
    """The card's text lines as dark bars, turned by TILT (BGR)."""
    img = np.full((540, 856, 3), 255, np.uint8)
    for (x0, y0, x1, y1), _, _ in LINES:
        img[y0:y1, x0:x1] = 30
    return cv2.warpAffine(img, TILT, (856, 540), borderValue=(255, 255, 255))


def upside_down_strip() -> np.ndarray:
    strip = np.full((48, 320, 3), 255, np.uint8)
    strip[4:22, 8:312] = 30
    return strip


def build_stand_in_models(root: Path) -> dict[str, Path]:
    """Export the three stand-in models under `root`; {"det"|"rec"|"cls": directory}."""
    import paddle
    from paddle.nn.initializer import Assign, Constant
    from paddle.static import InputSpec

    class Det(paddle.nn.Layer):
        def __init__(self):
            super().__init__()
            self.k = self.create_parameter([1], default_initializer=Constant(-20.0))

        def forward(self, x):
            return paddle.nn.functional.sigmoid(self.k * x.mean(axis=1, keepdim=True))

    class Rec(paddle.nn.Layer):
        def __init__(self, logits: np.ndarray):
            super().__init__()
            init = Assign(logits)
            self.logits = self.create_parameter(list(logits.shape), default_initializer=init)

        def forward(self, x):
            zero = (x[:, 0:1, 0:1, 0:1] * 0).reshape([-1, 1, 1])
            return paddle.nn.functional.softmax(self.logits, axis=-1).unsqueeze(0) + zero

    class Cls(paddle.nn.Layer):
        def __init__(self):
            super().__init__()
            self.k = self.create_parameter([1], default_initializer=Constant(1.0))

        def forward(self, x):
            gray = x.mean(axis=1)
            half = x.shape[2] // 2
            d = (gray[:, half:, :].mean(axis=[1, 2]) - gray[:, :half, :].mean(axis=[1, 2])) * self.k
            return paddle.nn.functional.softmax(paddle.stack([-d, d], axis=1), axis=1)

    chars = list("0123456789X")
    steps, classes = 40, len(chars) + 2  # CTC blank + characters + space
    logits = np.full((steps, classes), -4.0, np.float32)
    sequence, previous = [], None
    for ch in ID_NUMBER:
        if ch == previous:
            sequence.append(0)  # a blank between repeats
        sequence.append(chars.index(ch) + 1)
        previous = ch
    for t, index in enumerate(sequence + [0] * (steps - len(sequence))):
        logits[t, index] = 4.0

    models = {
        "det": (Det(), [None, 3, None, None], {
            "Global": {"model_name": "PP-OCRv5_mobile_det"},
            "PreProcess": {"transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetLabelEncode": None},
                {"DetResizeForTest": {"resize_long": 960}},
                {"NormalizeImage": {"mean": MEAN, "std": STD, "order": "hwc", "scale": "1./255."}},
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
            ]},
            "PostProcess": {"name": "DBPostProcess", "thresh": 0.3, "box_thresh": 0.6,
                            "max_candidates": 1000, "unclip_ratio": 1.5},
        }),
        "rec": (Rec(logits), [None, 3, 48, None], {
            "Global": {"model_name": "PP-OCRv5_mobile_rec"},
            "PreProcess": {"transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
            ]},
            "PostProcess": {"name": "CTCLabelDecode", "character_dict": chars},
        }),
        "cls": (Cls(), [None, 3, 80, 160], {
            "Global": {"model_name": "PP-LCNet_x0_25_textline_ori"},
            "PreProcess": {"transform_ops": [
                {"ResizeImage": {"size": [160, 80]}},
                {"NormalizeImage": {"mean": MEAN, "std": STD, "scale": 1 / 255, "order": "",
                                    "channel_num": 3}},
                {"ToCHWImage": None},
            ]},
            "PostProcess": {"Topk": {"topk": 1, "label_list": ["0_degree", "180_degree"]}},
        }),
    }
    dirs = {}
    for kind, (layer, shape, config) in models.items():
        path = root / kind
        path.mkdir(parents=True, exist_ok=True)
        layer.eval()
        spec = [InputSpec(shape, "float32", "x")]
        paddle.jit.save(layer, str(path / "inference"), input_spec=spec)
        config_text = yaml.safe_dump(config, allow_unicode=True)
        (path / "inference.yml").write_text(config_text, encoding="utf-8")
        dirs[kind] = path
    return dirs


def _line_at(poly) -> tuple:
    """The LINES entry whose (tilted) bar holds the polygon's centre."""
    cx, cy = np.asarray(poly, np.float64).mean(axis=0)
    x, y = cv2.invertAffineTransform(TILT) @ np.array([cx, cy, 1.0])
    for entry in LINES:
        x0, y0, x1, y1 = entry[0]
        if x0 - 5 <= x <= x1 + 5 and y0 - 5 <= y <= y1 + 5:
            return entry
    raise AssertionError(f"no line at {(cx, cy)}")


def record(out: Path, work: Path) -> None:
    from paddleocr import (
        PaddleOCR,
        TextDetection,
        TextLineOrientationClassification,
        TextRecognition,
    )

    dirs = build_stand_in_models(work)
    names = {k: yaml.safe_load((d / "inference.yml").read_text())["Global"]["model_name"]
             for k, d in dirs.items()}
    card = card_image()
    out.mkdir(parents=True, exist_ok=True)

    det = TextDetection(model_dir=str(dirs["det"]), model_name=names["det"], unclip_ratio=0.5,
                        device="cpu")
    (result,) = det.predict(card)
    result.save_to_json(str(out / "paddle_det_result.json"))

    rec = TextRecognition(model_dir=str(dirs["rec"]), model_name=names["rec"], device="cpu")
    (result,) = rec.predict(card[440:495, 290:775].copy())
    result.save_to_json(str(out / "paddle_rec_result.json"))

    cls = TextLineOrientationClassification(model_dir=str(dirs["cls"]), model_name=names["cls"],
                                            device="cpu")
    (result,) = cls.predict(upside_down_strip())
    result.save_to_json(str(out / "paddle_textline_ori_result.json"))

    ocr = PaddleOCR(
        text_detection_model_dir=str(dirs["det"]), text_detection_model_name=names["det"],
        text_recognition_model_dir=str(dirs["rec"]), text_recognition_model_name=names["rec"],
        textline_orientation_model_dir=str(dirs["cls"]),
        textline_orientation_model_name=names["cls"],
        use_doc_orientation_classify=False, use_doc_unwarping=False, use_textline_orientation=True,
        text_det_unclip_ratio=0.5, device="cpu")
    (result,) = ocr.predict(card)
    path = out / "paddle_ocr_result.json"
    result.save_to_json(str(path))
    # The stand-in recognizer reads every line alike: put in what each line says.
    data = json.loads(path.read_text(encoding="utf-8"))
    data["rec_texts"] = [_line_at(p)[1] for p in data["rec_polys"]]
    data["rec_scores"] = [_line_at(p)[2] for p in data["rec_polys"]]
    data["textline_orientation_angles"] = [0] * len(data["rec_polys"])
    path.write_text(json.dumps(data, indent=4, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        record(Path(sys.argv[1]), Path(scratch))
