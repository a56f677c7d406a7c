"""`onewindow submit`, `status`, `worker`, `queues` as an operator runs them: real files, a real
Redis (database 11, a prefix of this test's own), a real burst worker; bad input is one line
and exit 2."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest
from redis import Redis

from specimens.faces import FacePool
from specimens.generate import encode, specimen_images
from specimens.people import make_person

REDIS_URL = "redis://127.0.0.1:6379/11"


def cleanup(prefix: str) -> None:
    redis = Redis.from_url(REDIS_URL)
    for pattern in (f"{prefix}:*", f"rq:*{prefix}-*", f"rq:*{prefix}.*"):
        keys = list(redis.scan_iter(match=pattern, count=1000))
        if keys:
            redis.delete(*keys)
    for key in ("rq:queues", "rq:workers"):
        stale = [m for m in redis.smembers(key) if prefix.encode() in m]
        if stale:
            redis.srem(key, *stale)


@pytest.fixture
def env(tmp_path):
    prefix = f"owcli{os.getpid()}"
    cleanup(prefix)
    yield {**os.environ, "ONEWINDOW_ARCHIVE": str(tmp_path / "archive"), "ONEWINDOW_REDIS_URL": REDIS_URL,
           "ONEWINDOW_REDIS_PREFIX": prefix}
    cleanup(prefix)


def onewindow(env, *args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_submit_returns_an_id_at_once_and_status_follows_it_to_the_decision(env, tmp_path, settings):
    person = make_person(random.Random(7), faces=FacePool(settings.faces_dir), valid_from="2020-06-01",
                         birth_date="1961-03-15")
    files = []
    for doc_type, (photo, info) in specimen_images(person, ["id_card_front", "id_card_back"], 0,
                                                   random.Random(1)).items():
        data, ext = encode(photo, info)
        (tmp_path / f"{doc_type.value}{ext}").write_bytes(data)
        files.append(tmp_path / f"{doc_type.value}{ext}")

    submitted = onewindow(env, "submit", *files, "--service", "bank_account_change",
                          "--applicant", person.id_number)
    assert submitted.returncode == 0, submitted.stderr
    sid = submitted.stdout.strip()
    waiting = json.loads(onewindow(env, "status", sid, "--json").stdout)
    assert (waiting["state"], waiting["documents"], waiting["documents_read"]) == ("received", "2", "0")

    worker = onewindow(env, "worker", "--burst")
    assert worker.returncode == 0, worker.stderr
    done = json.loads(onewindow(env, "status", sid, "--json").stdout)
    assert (done["state"], done["decision"], done["findings"]) == ("decided", "flagged", "missing_document")
    shown = onewindow(env, "status", sid)
    assert "预审完成" in shown.stdout and "flagged" in shown.stdout

    queues = json.loads(onewindow(env, "queues", "--json").stdout)
    finished = {row["queue"]: row["finished"] for row in queues["queues"]}
    assert finished == {"intake": 1, "review": 1, "verification": 0, "documents": 2, "batch": 0}
    assert queues["review_queue"] == 1 and queues["review_next"][0]["submission_id"] == sid
    assert "review queue: 1" in onewindow(env, "queues").stdout
    assert person.id_number not in submitted.stdout + worker.stdout + worker.stderr


@pytest.mark.parametrize("args, words", [
    (["submit", "{file}", "--service", "bank_account_change", "--applicant", "123"], "not a valid ID number"),
    (["submit", "{file}", "--service", "no_such_service", "--applicant", "110101195001010009"], "no_such_service"),
    (["submit", "missing.jpg", "--service", "bank_account_change", "--applicant", "110101195001010009"],
     "no such file"),
    (["status", "20990101T000000-deadbeef"], "no application"),
    (["worker", "--queues", "intake,bogus"], "unknown bogus"),
    (["reprocess", "--resume", "nope"], "no batch nope"),
])
def test_bad_input_is_one_line_and_exit_2(env, tmp_path, args, words):
    (tmp_path / "a.jpg").write_bytes(b"x")
    done = onewindow(env, *[a.replace("{file}", str(tmp_path / "a.jpg")) for a in args], cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_without_redis_the_queue_commands_say_how_to_configure_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ONEWINDOW_REDIS_URL"}
    env["ONEWINDOW_ARCHIVE"] = str(tmp_path / "archive")
    (tmp_path / "a.jpg").write_bytes(b"x")
    for args in (["submit", "a.jpg", "--service", "bank_account_change", "--applicant", "110101195001010009"],
                 ["status", "x"], ["worker", "--burst"], ["queues"], ["reprocess", "--dry-run"]):
        done = onewindow(env, *args, cwd=tmp_path)
        assert done.returncode == 2 and "ONEWINDOW_REDIS_URL" in done.stderr, (args, done.stderr)
