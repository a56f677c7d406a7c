"""`onewindow reprocess` after a rule change: submissions first decided under a tiny upload
limit (every photo "too large", flagged) are re-run under the normal limit on real workers
and flip to accepted; the batch runs in chunks, stops and resumes without re-running what it
finished, and a dry run changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from rq.job import Job

from schemas.catalog import default_catalog
from schemas.documents import DocType
from storage.archive import open_archive
from tests.workers.conftest import id_number, make_person, photos, run_burst, start_worker
from workers.reprocess import Reprocess, select
from workers.review_queue import ReviewQueue
from workers.submit import submit_application

SERVICE = default_catalog().get("bank_account_change")
ALL = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)


def reprocess(env, *args):
    return subprocess.run([sys.executable, "-m", "cli", "reprocess", *args], env=env, capture_output=True,
                          text=True, timeout=600)


def test_a_batch_reruns_in_chunks_resumes_without_repeating_and_reports_flips(ctx, worker_env, faces):
    person = make_person(faces, 41)
    good = submit_application(ctx, photos(person, ALL, 10), SERVICE, person.id_number, date(2026, 11, 20))
    letters = [submit_application(ctx, [("letter.jpg", f"not a photo {i}".encode())], SERVICE, id_number(40 + i),
                                  date(2026, 11, 21)) for i in range(3)]
    run_burst({**worker_env, "ONEWINDOW_MAX_UPLOAD_BYTES": "4096"})  # the old rule: photos are "too large"
    review = ReviewQueue(ctx.redis, ctx.names)
    assert good in review and len(review) == 4

    dry = reprocess(worker_env, "--dry-run", "--json", "--since", "2026-11-20")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["by_service"] == {SERVICE.id: {"flagged": 4}}
    assert not ctx.redis.keys(f"{ctx.names.prefix}:batch:*")

    # A first chunk of two, then the command is "interrupted": those two finish on a worker.
    batch = Reprocess(ctx, "t1", chunk=2)
    batch.start(select(ctx, SERVICE.id, None, None, None), {"service": SERVICE.id})
    assert batch.step() == 2 and batch.step() == 0  # bounded: nothing more while two are in flight
    run_burst(worker_env)
    first = {sid: Job.fetch(batch._job_id(sid), connection=ctx.redis).ended_at for sid in batch.board.done()}
    assert len(first) == 2

    # Resumed from the command line, with a worker running alongside.
    worker = start_worker(worker_env)
    try:
        done = reprocess(worker_env, "--resume", "t1", "--json")
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["total"], summary["done"], summary["failed"], summary["remaining"]) == (4, 4, 0, 0)
    assert summary["flipped"] == {SERVICE.id: {"flagged→accepted": 1}}
    for sid, ended in first.items():  # not run twice
        assert Job.fetch(batch._job_id(sid), connection=ctx.redis).ended_at == ended

    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])
    assert archive.load_submission(good, actor="test").decision.value == "accepted"
    assert good not in review and all(sid in review for sid in letters)
    decisions = [e.decision.value for e in archive.history(person.id_number, actor="test") if e.decision]
    assert decisions == ["flagged", "accepted"]  # both revisions kept


def test_ctrl_c_leaves_a_batch_that_resumes(ctx, worker_env):
    import signal
    import time

    for i in range(3):
        submit_application(ctx, [("letter.jpg", f"letter {i}".encode())], SERVICE, id_number(60 + i),
                           date(2026, 11, 22))
    run_burst(worker_env)
    command = subprocess.Popen([sys.executable, "-m", "cli", "reprocess", "--batch-id", "c1", "--chunk", "1"],
                               env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ctx.redis.exists(f"{ctx.names.prefix}:batch:c1:enqueued"):  # no worker: it waits on the first
        assert time.monotonic() < deadline and command.poll() is None
        time.sleep(0.05)
    command.send_signal(signal.SIGINT)
    out, err = command.communicate(timeout=60)
    assert command.returncode == 130 and "onewindow reprocess --resume c1" in err
    assert Reprocess(ctx, "c1").counts()["enqueued"] == 1  # bounded: one in flight, none beyond

    run_burst(worker_env)  # the one in flight finishes; the resumed batch does the other two
    worker = start_worker(worker_env)
    try:
        done = reprocess(worker_env, "--resume", "c1")
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    assert done.returncode == 0, done.stderr
    assert "batch c1: 3 re-run, 0 ended as processing_failed" in done.stdout
    assert "no decision changed" in done.stdout
    assert "3/3" in done.stderr  # the progress bar reached the end
