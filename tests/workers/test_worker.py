"""The worker process as operators run it: two burst workers drain a burst of 200
applications, every one to a decision; a long-running worker serves Prometheus metrics and
stops cleanly on SIGTERM when idle.

The 200 are cheap on purpose: each is one file that is not an image (a letter), so its read
job ends at ingest, in milliseconds, with unreadable_document. Every one still goes the whole
way — receive into the archive, intake job, read job, review job (RQ dependency), decision
archived, status, index and review queue — which is what this test is about; OCR throughput
is bench/workers.py's business."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from datetime import date

from schemas.catalog import default_catalog
from storage.archive import open_archive
from tests.workers.conftest import id_number, start_worker, worker_command
from workers.review_queue import ReviewQueue
from workers.status import StatusBoard
from workers.submit import submit_application

SERVICE = default_catalog().get("bank_account_change")


def test_a_burst_of_200_applications_all_reach_a_decision_with_two_workers(ctx, worker_env):
    ids = [submit_application(ctx, [("letter.jpg", f"申请书 {i}".encode())], SERVICE, id_number(1000 + i),
                              date(2026, 11, 28)) for i in range(200)]
    workers = [subprocess.Popen(worker_command("--burst"), env=worker_env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=600) == 0, worker.stderr.read()[-3000:]

    board = StatusBoard(ctx.redis, ctx.names, 60)
    states = [board.get(sid) for sid in ids]
    assert all(s["state"] == "decided" and s["decision"] == "flagged" for s in states), \
        [s for s in states if s.get("state") != "decided"][:3]
    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])
    assert set(archive.submission_ids()) == set(ids)
    assert sorted(ReviewQueue(ctx.redis, ctx.names).ids()) == sorted(ids)
    assert {f.code.value for f in archive.load_submission(ids[-1], actor="test").findings} == \
        {"unreadable_document", "missing_document"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_serves_metrics_and_stops_on_sigterm(ctx, worker_env):
    port = free_port()
    worker = start_worker(worker_env, "--metrics-port", str(port), "--queues", "intake,review,documents")
    sid = submit_application(ctx, [("letter.jpg", b"not a photo")], SERVICE, id_number(7), date(2026, 11, 28))
    board = StatusBoard(ctx.redis, ctx.names, 60)
    deadline = time.monotonic() + 120
    while board.get(sid).get("state") != "decided":
        assert time.monotonic() < deadline and worker.poll() is None, worker.stderr.read()[-3000:]
        time.sleep(0.05)
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    for stage in ("intake", "read", "review"):
        assert f'onewindow_jobs_total{{outcome="ok",stage="{stage}"}} 1.0' in metrics
        assert f'onewindow_job_seconds_count{{stage="{stage}"}} 1.0' in metrics
    assert f'onewindow_decisions_total{{decision="flagged",service="{SERVICE.id}"}} 1.0' in metrics

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    log = worker.stderr.read()
    assert '"level": "info"' in log and "decided " + sid in log  # structured JSON lines
