"""Nothing is lost when things go wrong: a job that keeps failing ends as processing_failed on
the application, first in the review queue; a worker killed with -9 mid-job leaves a job that
the next worker takes over; SIGTERM lets the current job finish."""

from __future__ import annotations

import hashlib
import signal
import time
from datetime import date

from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry

from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.findings import FindingCode
from schemas.submission import Decision
from storage.archive import open_archive
from tests.workers.conftest import make_person, photos, processes, run_burst, start_worker, wait_for_started_read
from workers.review_queue import ReviewQueue
from workers.status import StatusBoard
from workers.submit import submit_application

TODAY = date(2026, 11, 28)
SERVICE = default_catalog().get("bank_account_change")
ALL = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)


def test_a_read_job_that_keeps_failing_ends_as_processing_failed_first_in_the_review_queue(ctx, worker_env, faces):
    person, other = make_person(faces, 21), make_person(faces, 22)
    files = photos(person, ALL, 4)
    sid = submit_application(ctx, files, SERVICE, person.id_number, TODAY)
    earlier = submit_application(ctx, photos(other, ALL[:2], 5), SERVICE, other.id_number, TODAY)
    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])
    sha = hashlib.sha256(files[2][1]).hexdigest()
    archive.store.delete(archive.upload_key(sha, archive.citizen_key(person.id_number)))  # lost from storage

    run_burst(worker_env)

    record = archive.load_submission(sid, actor="test")
    assert record.decision is Decision.FLAGGED
    failed = [f for f in record.findings if f.code is FindingCode.PROCESSING_FAILED]
    assert [f.file for f in failed] == [files[2][0]]
    read = Job.fetch(ctx.names.read_job_id(sid, "0", 2), connection=ctx.redis)
    assert read.get_status() == "failed" and read.retries_left == 0  # retried, then given up
    queue = ReviewQueue(ctx.redis, ctx.names)
    assert queue.ids() == [sid, earlier]  # processing_failed goes before an older missing_document
    assert StatusBoard(ctx.redis, ctx.names, 60).get(sid)["decision"] == "flagged"


def test_an_intake_that_keeps_failing_still_reaches_the_review_queue(ctx, worker_env, faces):
    person = make_person(faces, 23)
    sid = submit_application(ctx, photos(person, ALL[:1], 6), SERVICE, person.id_number, TODAY)
    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])
    intake = Job.fetch(ctx.names.job_id(sid, "0", "intake"), connection=ctx.redis)
    manifest_sha = intake.args[1]
    stored = list(archive.store.list(f"uploads/{manifest_sha[:2]}/{manifest_sha}"))
    assert stored  # the manifest is there, and goes
    for key in stored:
        archive.store.delete(key)

    run_burst(worker_env)

    assert intake.get_status(refresh=True) == "failed"
    items = ReviewQueue(ctx.redis, ctx.names).items()
    assert [(i.submission_id, i.finding_codes, i.priority) for i in items] == [(sid, ["processing_failed"], 0)]
    status = StatusBoard(ctx.redis, ctx.names, 60).get(sid)
    assert (status["state"], status["decision"]) == ("failed", "flagged")


def orphan_report(ctx, job) -> str:
    """What Redis holds about a job that should be "started": its own fields, and where its queue
    and registries place it."""
    queue = Queue(job.origin, connection=ctx.redis)
    fields = {k.decode(): v.decode(errors="replace")[:80] for k, v in ctx.redis.hgetall(job.key).items()
              if k.decode() in {"status", "worker_name", "enqueued_at", "started_at", "ended_at", "retries_left",
                                "last_heartbeat", "created_at"}}
    return (f"job {job.id}: {fields}; in queue: {job.id in queue.job_ids}; "
            f"started registry: {StartedJobRegistry(queue=queue).get_job_ids(cleanup=False)}; "
            f"intermediate: {[i.decode() for i in ctx.redis.lrange(queue.intermediate_queue_key, 0, -1)]}")


def test_a_worker_killed_mid_job_loses_nothing(ctx, worker_env, faces):
    person = make_person(faces, 24)
    sid = submit_application(ctx, photos(person, ALL, 7), SERVICE, person.id_number, TODAY)
    victim = start_worker(worker_env, "--name", f"{ctx.names.prefix}-victim")
    job_id = wait_for_started_read(ctx, victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(f"{ctx.names.prefix}-victim" in line for line in processes()):  # its scheduler child goes too
        assert time.monotonic() < deadline, "the killed worker's scheduler process lingers"
        time.sleep(0.1)
    orphan = Job.fetch(job_id, connection=ctx.redis)
    assert orphan.get_status() == "started", orphan_report(ctx, orphan)  # orphaned mid-job

    run_burst(worker_env)

    record = open_archive(worker_env["ONEWINDOW_ARCHIVE"]).load_submission(sid, actor="test")
    assert record.decision is Decision.ACCEPTED, record.findings
    assert [d.doc_type for d in record.documents] == list(ALL)
    job = Job.fetch(job_id, connection=ctx.redis)
    assert job.get_status() == "finished" and job.retries_left == 1  # taken over as a retry


def test_sigterm_finishes_the_current_job_then_stops(ctx, worker_env, faces):
    person = make_person(faces, 25)
    sid = submit_application(ctx, photos(person, ALL, 8), SERVICE, person.id_number, TODAY)
    worker = start_worker(worker_env)
    job_id = wait_for_started_read(ctx, worker)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=120) == 0
    assert Job.fetch(job_id, connection=ctx.redis).get_status() == "finished"

    run_burst(worker_env)
    record = open_archive(worker_env["ONEWINDOW_ARCHIVE"]).load_submission(sid, actor="test")
    assert record.decision is Decision.ACCEPTED, record.findings
