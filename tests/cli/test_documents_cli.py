"""`onewindow extract`, `process` and `demo` as a user runs them: real files, real models,
the JSON contract of DESIGN.md, and one clear line (exit 2, no traceback) for bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pypdfium2 as pdfium
import pytest
from PIL import Image


def onewindow(*args, cwd, env_extra=None):
    env = {**os.environ, "ONEWINDOW_ARCHIVE": str(cwd / "archive"), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "letter.jpg").write_text("尊敬的领导：这是一封信，不是照片。", encoding="utf-8")
    good = io.BytesIO()
    Image.new("RGB", (640, 400), "white").save(good, "JPEG")
    (folder / "truncated.jpg").write_bytes(good.getvalue()[: len(good.getvalue()) // 3])
    huge = io.BytesIO()
    Image.new("1", (20000, 20000)).save(huge, "PNG")
    (folder / "huge.png").write_bytes(huge.getvalue())
    blank = io.BytesIO()
    pdfium.PdfDocument.new().save(blank)
    (folder / "no-pages.pdf").write_bytes(blank.getvalue())
    return folder


@pytest.mark.parametrize("name, words", [
    ("empty.jpg", "empty"),
    ("letter.jpg", "not an image"),
    ("truncated.jpg", "truncated"),
    ("huge.png", "pixels"),
    ("no-pages.pdf", "no pages"),
    ("missing.jpg", "no such file"),
])
def test_bad_input_gets_one_clear_line_and_exit_2(bad_files, tmp_path, name, words):
    done = onewindow("extract", bad_files / name, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("onewindow: error:") and name in lines[0]
    assert words in lines[0].lower()


def test_extract_json_follows_the_contract(easy_specimens, easy_truth, tmp_path):
    docs = [d for d in easy_truth if d["difficulty"] == 0][:4]
    done = onewindow("extract", *(easy_specimens / d["file"] for d in docs), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == len(docs)
    for result, doc in zip(results, docs):
        assert {"file", "doc_type", "confidence", "fields", "quality"} <= result.keys()
        assert result["doc_type"] == doc["doc_type"]
        assert result["fields"] == doc["fields"]
        assert isinstance(result["quality"]["ok"], bool) and isinstance(result["quality"]["issues"], list)


def test_one_bad_file_does_not_stop_the_others(easy_specimens, easy_truth, bad_files, tmp_path):
    doc = easy_truth[0]
    done = onewindow("extract", bad_files / "letter.jpg", easy_specimens / doc["file"], "--json", cwd=tmp_path)
    assert done.returncode == 2
    assert [r["doc_type"] for r in json.loads(done.stdout)] == [doc["doc_type"]]


def test_process_json_follows_the_contract_and_masks_nothing_it_was_not_asked_to(easy_specimens, easy_truth,
                                                                                  tmp_path):
    person = easy_truth[0]["person"]
    files = [easy_specimens / d["file"] for d in easy_truth
             if d["person"] == person and d["doc_type"] in ("id_card_front", "id_card_back", "bank_card")]
    id_number = next(d["fields"]["id_number"] for d in easy_truth
                     if d["person"] == person and d["doc_type"] == "id_card_front")
    done = onewindow("process", *files, "--service", "bank_account_change", "--applicant", id_number,
                     "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"submission_id", "service", "decision", "documents", "findings"} <= result.keys()
    assert result["service"] == "bank_account_change"
    assert result["decision"] in ("accepted", "flagged")
    for finding in result["findings"]:
        assert {"code", "severity", "message"} <= finding.keys()
    assert (tmp_path / "archive").is_dir()


def test_process_refuses_an_invalid_applicant_and_an_unknown_service(easy_specimens, easy_truth, tmp_path):
    file = easy_specimens / easy_truth[0]["file"]
    done = onewindow("process", file, "--service", "bank_account_change", "--applicant", "123", cwd=tmp_path)
    assert done.returncode == 2 and "applicant" in done.stderr and "Traceback" not in done.stderr
    done = onewindow("process", file, "--service", "no_such_service", cwd=tmp_path)
    assert done.returncode == 2 and "unknown service" in done.stderr


def test_the_human_report_masks_id_numbers(easy_specimens, easy_truth, tmp_path):
    doc = next(d for d in easy_truth if d["doc_type"] == "id_card_front")
    done = onewindow("extract", easy_specimens / doc["file"], cwd=tmp_path)
    assert done.returncode == 0
    assert doc["fields"]["id_number"] not in done.stdout
    assert doc["fields"]["id_number"][:6] in done.stdout


def test_demo_accepts_one_application_and_flags_the_other(tmp_path):
    done = onewindow("demo", "--out", tmp_path / "photos", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("通过（无需人工）") == 1
    assert done.stdout.count("转人工复核") == 1
    assert "过期" in done.stdout and "缺少" in done.stdout
    assert len(list((tmp_path / "photos").iterdir())) == 5
