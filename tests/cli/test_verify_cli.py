"""`onewindow verify` and `onewindow certify` as an operator runs them: real clips, real
models, DESIGN.md's JSON contract, consent before any face is read, one clear line for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import pytest

from schemas.settings import Settings
from tests.pipeline import verify_kit as kit

APPLICANT = "11010519491231002X"


def onewindow(*args, cwd):
    env = {**os.environ, "ONEWINDOW_ARCHIVE": str(cwd / "archive")}
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verify-cli")
    reference = folder / "reference.png"
    cv2.imwrite(str(reference), kit.frame_at("d12", 7.2))
    return {"reference": reference, "probe": kit.live_clip(folder, "d12", 7.0),
            "other": kit.live_clip(folder, "d18", 5.0)}


def test_verify_prints_the_design_contract(files, tmp_path):
    done = onewindow("verify", "--reference", files["reference"], "--probe", files["probe"],
                     "--challenge", "blink,turn_right", "--consent-given", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "pass" and body["reasons"] == []
    assert body["match"]["distance"] < body["match"]["threshold"] == Settings().face_match_threshold
    assert [e["action"] for e in body["liveness"]["matched"]] == ["blink", "turn_right"]


def test_verify_says_why_a_probe_fails(files, tmp_path):
    done = onewindow("verify", "--reference", files["reference"], "--probe", files["other"],
                     "--challenge", "turn_left,blink", "--consent-given", cwd=tmp_path)
    assert done.returncode == 0
    assert "不通过" in done.stdout and "challenge_not_met" in done.stdout


def test_no_consent_no_processing(files, tmp_path):
    done = onewindow("verify", "--reference", files["reference"], "--probe", files["probe"], "--json", cwd=tmp_path)
    assert done.returncode == 2
    body = json.loads(done.stdout)
    assert body["decision"] == "fail" and body["reasons"] == ["consent_missing"]
    assert body["liveness"]["assessed"] is False and body["match"]["distance"] is None
    assert done.stderr.count("\n") == 1 and "consent" in done.stderr and "Traceback" not in done.stderr
    recorded = onewindow("verify", "--reference", files["reference"], "--probe", files["probe"],
                         "--applicant", APPLICANT, "--json", cwd=tmp_path)
    assert recorded.returncode == 2 and json.loads(recorded.stdout)["reasons"] == ["consent_missing"]


def test_a_recorded_consent_and_an_issued_challenge_used_once(files, tmp_path):
    assert onewindow("certify", "consent", "--applicant", APPLICANT, cwd=tmp_path).returncode == 0
    issued = onewindow("certify", "challenge", "--applicant", APPLICANT, "--json", cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    challenge = json.loads(issued.stdout)
    assert 2 <= len(challenge["actions"]) <= 3 and APPLICANT not in issued.stdout
    args = ("verify", "--reference", files["reference"], "--probe", files["probe"], "--applicant", APPLICANT,
            "--nonce", challenge["nonce"], "--json")
    first = json.loads(onewindow(*args, cwd=tmp_path).stdout)
    assert first["nonce"] == challenge["nonce"] and first["liveness"]["challenge"] == challenge["actions"]
    second = json.loads(onewindow(*args, cwd=tmp_path).stdout)
    assert second["decision"] == "fail" and second["reasons"] == ["nonce_reused"]


@pytest.mark.parametrize("args, words", [
    (("--challenge", "blink,smile"), "unknown action 'smile'"),
    (("--applicant", "123"), "not a valid ID number"),
])
def test_bad_input_gets_one_clear_line(files, tmp_path, args, words):
    done = onewindow("verify", "--reference", files["reference"], "--probe", files["probe"], "--consent-given"
                     if "--applicant" not in args else "--json", *args, cwd=tmp_path)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_certify_import_and_status(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text(f"id_number,date,source\n{APPLICANT},2026-04-02,hospital_settlement\n"
                       f"110105194805050410,2026-07-15,death\n110101195001011239,2026-13-01,bank\n", encoding="utf-8")
    first = onewindow("certify", "import", records, "--date", "2026-11-28", "--json", cwd=tmp_path)
    assert first.returncode == 2  # one bad row: reported, and the exit code says so
    report = json.loads(first.stdout)
    assert (report["imported"], report["deaths"], [b["line"] for b in report["bad"]]) == (2, 1, [4])
    again = json.loads(onewindow("certify", "import", records, "--date", "2026-11-28", "--json", cwd=tmp_path).stdout)
    assert (again["imported"], again["already"]) == (0, 2)
    status = json.loads(onewindow("certify", "status", "--date", "2026-11-28", "--json", cwd=tmp_path).stdout)
    assert {s["id_number"]: s["status"] for s in status} == {APPLICANT: "certified", "110105194805050410": "stopped"}
    due = json.loads(onewindow("certify", "status", "--date", "2026-11-28", "--due-within", "150", "--json",
                               cwd=tmp_path).stdout)
    assert [s["status"] for s in due] == ["stopped", "due"]
    human = onewindow("certify", "status", "--date", "2026-11-28", cwd=tmp_path)
    assert "110105********0410" in human.stdout and "110105194805050410" not in human.stdout


def test_process_sends_a_video_for_pension_certification_to_remote_verification(files, tmp_path):
    done = onewindow("process", files["probe"], "--service", "pension_certification", "--applicant", APPLICANT,
                     "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "flagged" and body["certification"] == "consent_required"
    assert body["findings"][0]["code"] == "verification_failed" and body["uploads"] == []
