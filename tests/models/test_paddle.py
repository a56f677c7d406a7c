"""The PaddleOCR adapter: result mapping against recorded PaddleOCR 3.x output, and the
configuration errors people meet before any model loads.

The fixtures in data/ are what `save_to_json` wrote (paddleocr 3.7.0, paddlex 3.7.2) when
paddleocr's real TextDetection / TextRecognition / TextLineOrientationClassification and
PaddleOCR pipeline classes ran on a synthetic 856×540 ID-card layout turned 2°, with tiny
stand-in models in place of the PP-OCR weights (which cannot be downloaded here); see
data/record_paddle.py. The stand-in recognizer reads every line alike, so the pipeline
fixture's rec_texts/rec_scores were then set to what each line of the card says."""

import importlib.util
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.errors import ModelError
from models.factory import load_ocr_engine
from models.ocr import crop_quad
from models.paddle import (
    PaddleOcrEngine,
    lines_from_ocr_pipeline,
    model_name_of,
    orientation_from_classification,
    quads_from_detection,
    texts_from_recognition,
)
from schemas.settings import Settings

DATA = Path(__file__).parent / "data"
PADDLE_INSTALLED = all(importlib.util.find_spec(m) for m in ("paddleocr", "paddle"))

# The card's lines in reading order, with the quad PaddleOCR found for each (x, y pixels,
# clockwise from the top-left).
CARD = [
    ("姓名 张三", 0.98731, [[56, 76], [259, 69], [261, 111], [58, 117]]),
    ("性别", 0.99912, [[60, 147], [135, 145], [136, 184], [62, 187]]),
    ("男", 0.99868, [[152, 145], [189, 145], [189, 182], [152, 182]]),
    ("民族", 0.99935, [[269, 139], [344, 137], [345, 177], [271, 179]]),
    ("汉", 0.99790, [[360, 137], [398, 136], [399, 174], [362, 175]]),
    ("出生", 0.99901, [[62, 212], [137, 209], [138, 249], [63, 251]]),
    ("1949年12月31日", 0.99452, [[150, 207], [424, 197], [425, 241], [152, 250]]),
    ("住址", 0.99893, [[64, 282], [139, 279], [140, 318], [66, 322]]),
    ("北京市朝阳区建国路88号", 0.98817, [[152, 277], [536, 264], [537, 306], [154, 320]]),
    ("院3号楼2单元501室", 0.97964, [[154, 322], [407, 312], [409, 356], [156, 366]]),
    ("公民身份号码", 0.99706, [[69, 456], [271, 448], [273, 490], [71, 498]]),
    ("11010519491231002X", 0.99613, [[297, 444], [772, 428], [774, 477], [299, 494]]),
]


def recorded(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def wrapped(result: dict) -> dict:
    """The `res.json` form of a result: the file's fields under "res"."""
    return {"res": result}


def model_dir(root: Path, name: str, model_name: str) -> Path:
    path = root / name
    path.mkdir()
    (path / "inference.yml").write_text(f"Global:\n  model_name: {model_name}\n", encoding="utf-8")
    return path


def paddle_settings(tmp_path: Path, **dirs) -> Settings:
    values = {"paddle_det_dir": None, "paddle_rec_dir": None, "paddle_cls_dir": None} | dirs
    return Settings(_env_file=None, ocr_engine="paddleocr", ocr_threads=3, **values)


# --- detection ---------------------------------------------------------------------------

def test_detection_maps_recorded_polys_to_quads_in_reading_order():
    result = recorded("paddle_det_result.json")
    assert result["dt_polys"][0] == CARD[10][2]  # as emitted: bottom of the card first

    quads = quads_from_detection(result)

    assert [q.tolist() for q in quads] == [line[2] for line in CARD]
    assert all(q.dtype == np.float32 and q.shape == (4, 2) for q in quads)


def test_detection_quads_run_clockwise_from_top_left():
    for quad in quads_from_detection(recorded("paddle_det_result.json")):
        x, y = quad[:, 0], quad[:, 1]
        area = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) / 2
        assert area > 0  # clockwise on screen (y grows downwards)
        assert np.argmin(quad.sum(axis=1)) == 0


def test_detection_reorders_corners_given_in_any_order():
    result = {"dt_polys": [[[261, 111], [58, 117], [56, 76], [259, 69]]], "dt_scores": [0.9]}
    assert quads_from_detection(result)[0].tolist() == CARD[0][2]


def test_detection_reads_the_wrapped_json_form_alike():
    result = recorded("paddle_det_result.json")
    bare = [q.tolist() for q in quads_from_detection(result)]
    assert [q.tolist() for q in quads_from_detection(wrapped(result))] == bare


def test_detection_drops_boxes_below_min_score():
    result = recorded("paddle_det_result.json")
    scores = result["dt_scores"]
    kept = quads_from_detection(result, min_score=0.95)
    assert len(kept) == sum(s >= 0.95 for s in scores) < len(scores)


def test_detection_of_blank_image_is_no_quads():
    assert quads_from_detection({"input_path": None, "page_index": None,
                                 "dt_polys": [], "dt_scores": []}) == []


def test_detection_turns_a_polygon_into_its_enclosing_quad():
    octagon = [[10, 0], [90, 0], [100, 10], [100, 30], [90, 40], [10, 40], [0, 30], [0, 10]]
    (quad,) = quads_from_detection({"dt_polys": [octagon], "dt_scores": [0.8]})
    np.testing.assert_allclose(quad, [[0, 0], [100, 0], [100, 40], [0, 40]], atol=1e-4)


def test_detection_with_scores_not_matching_boxes_is_an_error():
    with pytest.raises(ModelError, match="2 boxes but 1 scores"):
        quads_from_detection({"dt_polys": [CARD[0][2], CARD[1][2]], "dt_scores": [0.9]})


def test_a_result_of_the_wrong_kind_names_the_missing_key():
    with pytest.raises(ModelError, match="text detection result with 'dt_polys'.*rec_text"):
        quads_from_detection(recorded("paddle_rec_result.json"))


# --- recognition -------------------------------------------------------------------------

def test_recognition_maps_text_and_score():
    result = recorded("paddle_rec_result.json")
    assert texts_from_recognition(result) == ("11010519491231002X", 0.9959906339645386)
    assert texts_from_recognition(wrapped(result)) == ("11010519491231002X", 0.9959906339645386)


def test_recognition_with_word_boxes_keeps_the_text():
    result = {"rec_text": ["公民身份号码", [["公民身份号码"], [[0, 1, 2, 3, 4, 5]], ["cn"]]],
              "rec_score": 0.99706}
    assert texts_from_recognition(result) == ("公民身份号码", 0.99706)


# --- text-line orientation ---------------------------------------------------------------

def test_orientation_maps_180_degree_label():
    result = recorded("paddle_textline_ori_result.json")
    assert result["class_ids"] == [[1]]  # the batch array, not split per image
    assert orientation_from_classification(result) == (180, pytest.approx(0.99618, abs=1e-5))
    assert orientation_from_classification(wrapped(result))[0] == 180


def test_orientation_maps_0_degree_label():
    result = {"class_ids": [[0]], "scores": [0.98342], "label_names": ["0_degree"]}
    assert orientation_from_classification(result) == (0, 0.98342)


def test_orientation_trusts_the_label_over_a_batch_of_class_ids():
    # Second image of a batch of two: PaddleX 3.7 hands every item the whole class_ids array.
    result = {"class_ids": [[0], [1]], "scores": [0.97], "label_names": ["180_degree"]}
    assert orientation_from_classification(result) == (180, 0.97)


def test_orientation_falls_back_to_class_ids_without_labels():
    assert orientation_from_classification({"class_ids": [[1]], "scores": [0.9]}) == (180, 0.9)
    assert orientation_from_classification({"class_ids": [0], "scores": [0.8]}) == (0, 0.8)


def test_orientation_from_a_four_way_document_model_is_an_error():
    with pytest.raises(ModelError, match="0/180"):
        orientation_from_classification({"class_ids": [[1]], "scores": [0.9],
                                         "label_names": ["90"]})


# --- the full PaddleOCR pipeline ---------------------------------------------------------

def test_pipeline_lines_map_text_score_and_quad_in_reading_order():
    result = recorded("paddle_ocr_result.json")
    # PaddleOCR sorts by top-left y within 10 px, so on the tilted card it emits 男 before 性别.
    assert result["rec_texts"][:5] == ["姓名 张三", "男", "民族", "汉", "性别"]

    lines = lines_from_ocr_pipeline(result)

    assert [(line.text, line.score, line.box.tolist()) for line in lines] == CARD
    assert all(line.box.dtype == np.float32 for line in lines)


def test_pipeline_reads_the_wrapped_json_form_alike():
    result = recorded("paddle_ocr_result.json")
    assert [line.text for line in lines_from_ocr_pipeline(wrapped(result))] == [c[0] for c in CARD]


def test_pipeline_drops_blank_lines():
    result = {"rec_texts": ["公民身份号码", " "], "rec_scores": [0.99706, 0.41],
              "rec_polys": [CARD[10][2], CARD[11][2]]}
    assert [line.text for line in lines_from_ocr_pipeline(result)] == ["公民身份号码"]


def test_pipeline_without_text_is_no_lines():
    result = {"dt_polys": [], "rec_texts": [], "rec_scores": [], "rec_polys": [], "rec_boxes": []}
    assert lines_from_ocr_pipeline(result) == []


def test_pipeline_with_uneven_lists_is_an_error():
    result = {"rec_texts": ["姓名 张三"], "rec_scores": [], "rec_polys": [CARD[0][2]]}
    with pytest.raises(ModelError, match="1 texts, 0 scores, 1 polygons"):
        lines_from_ocr_pipeline(result)


# --- configuration -----------------------------------------------------------------------

def test_model_name_comes_from_the_model_directory(tmp_path):
    assert model_name_of(model_dir(tmp_path, "det", "PP-OCRv5_server_det")) == "PP-OCRv5_server_det"
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="inference.yml is missing"):
        model_name_of(tmp_path / "empty")


@pytest.mark.parametrize(("missing", "env_var"), [
    ("paddle_det_dir", "ONEWINDOW_PADDLE_DET_DIR"),
    ("paddle_rec_dir", "ONEWINDOW_PADDLE_REC_DIR"),
])
def test_from_settings_names_the_unset_directory(tmp_path, missing, env_var):
    dirs = {"paddle_det_dir": model_dir(tmp_path, "det", "PP-OCRv5_server_det"),
            "paddle_rec_dir": model_dir(tmp_path, "rec", "PP-OCRv5_server_rec")}
    dirs[missing] = None
    with pytest.raises(ModelError, match=f"set {env_var}$"):
        PaddleOcrEngine.from_settings(paddle_settings(tmp_path, **dirs))


@pytest.mark.parametrize(("field", "env_var"), [
    ("paddle_det_dir", "ONEWINDOW_PADDLE_DET_DIR"),
    ("paddle_rec_dir", "ONEWINDOW_PADDLE_REC_DIR"),
    ("paddle_cls_dir", "ONEWINDOW_PADDLE_CLS_DIR"),
])
def test_from_settings_names_a_directory_that_is_not_one(tmp_path, field, env_var):
    dirs = {"paddle_det_dir": model_dir(tmp_path, "det", "PP-OCRv5_server_det"),
            "paddle_rec_dir": model_dir(tmp_path, "rec", "PP-OCRv5_server_rec")}
    dirs[field] = tmp_path / "nowhere"
    with pytest.raises(ModelError, match=f"{env_var}=.*nowhere is not a directory"):
        PaddleOcrEngine.from_settings(paddle_settings(tmp_path, **dirs))


def test_from_settings_rejects_a_directory_without_an_exported_model(tmp_path):
    (tmp_path / "det").mkdir()
    settings = paddle_settings(tmp_path, paddle_det_dir=tmp_path / "det",
                               paddle_rec_dir=model_dir(tmp_path, "rec", "PP-OCRv5_server_rec"))
    with pytest.raises(ModelError, match="det/inference.yml is missing"):
        PaddleOcrEngine.from_settings(settings)


@pytest.mark.skipif(PADDLE_INSTALLED, reason="paddleocr and paddlepaddle are installed here")
def test_from_settings_without_paddleocr_says_how_to_install(tmp_path):
    settings = paddle_settings(tmp_path,
                               paddle_det_dir=model_dir(tmp_path, "det", "PP-OCRv5_server_det"),
                               paddle_rec_dir=model_dir(tmp_path, "rec", "PP-OCRv5_server_rec"))
    with pytest.raises(ModelError) as caught:
        PaddleOcrEngine.from_settings(settings)
    message = str(caught.value)
    assert "pip install 'onewindow[paddle]' plus paddlepaddle" in message
    assert "\n" not in message


@pytest.mark.parametrize("configured", [True, False])
def test_factory_gives_the_paddle_engine_or_a_model_error(tmp_path, configured):
    dirs = {}
    if configured:
        dirs = {"paddle_det_dir": model_dir(tmp_path, "det", "PP-OCRv5_server_det"),
                "paddle_rec_dir": model_dir(tmp_path, "rec", "PP-OCRv5_server_rec"),
                "paddle_cls_dir": model_dir(tmp_path, "cls", "PP-LCNet_x0_25_textline_ori")}
    try:
        engine = load_ocr_engine(paddle_settings(tmp_path, **dirs))
    except ModelError:
        assert not (configured and PADDLE_INSTALLED)
    else:
        assert configured and PADDLE_INSTALLED
        assert isinstance(engine, PaddleOcrEngine) and engine.name == "paddleocr"
        assert engine.threads == 3


def test_without_an_orientation_model_every_crop_gets_no_opinion(tmp_path):
    engine = PaddleOcrEngine(tmp_path / "det", tmp_path / "rec", cls_dir=None)
    crop = np.full((48, 320, 3), 255, np.uint8)
    assert engine.line_orientation([crop, crop]) == [(0, 0.0), (0, 0.0)]
    assert engine.recognize([]) == []  # nothing to read: no model is loaded


@pytest.mark.skipif(not PADDLE_INSTALLED, reason="needs paddleocr and paddlepaddle")
def test_engine_runs_real_paddleocr_modules_on_stand_in_models(tmp_path):
    """API drift guard: the engine builds and calls paddleocr's real module classes."""
    spec = importlib.util.spec_from_file_location("record_paddle", DATA / "record_paddle.py")
    recorder = importlib.util.module_from_spec(spec)
    sys.modules["record_paddle"] = recorder
    spec.loader.exec_module(recorder)
    dirs = recorder.build_stand_in_models(tmp_path / "models")
    engine = PaddleOcrEngine.from_settings(paddle_settings(
        tmp_path, paddle_det_dir=dirs["det"], paddle_rec_dir=dirs["rec"],
        paddle_cls_dir=dirs["cls"]))
    card = recorder.card_image()

    quads = engine.detect(card)
    texts = engine.recognize([crop_quad(card, q) for q in quads])
    strip = recorder.upside_down_strip()
    turned = engine.line_orientation([strip, strip[::-1]])

    assert len(quads) == len(CARD)
    for quad, (_, _, recorded_quad) in zip(quads, CARD, strict=True):  # looser boxes
        assert cv2.pointPolygonTest(quad, np.mean(recorded_quad, axis=0), False) > 0
    assert {text for text, _ in texts} == {"11010519491231002X"}
    assert [angle for angle, _ in turned] == [180, 0]
    assert [line.text for line in engine.read(card).lines] == ["11010519491231002X"] * len(CARD)
