"""Applications through real workers: submitted here, read and reviewed by `onewindow worker
--burst` subprocesses on the real Redis, with the real OCR, into a tmp archive. The result is
the one `onewindow process` gets in-process; Redis never holds an ID number."""

from __future__ import annotations

from datetime import date

from rq import Queue
from rq.job import Job

from pipeline.process import process_submission
from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.findings import FindingCode
from schemas.submission import Decision
from storage.archive import open_archive
from tests.workers.conftest import make_person, photos, run_burst
from workers.review_queue import ReviewQueue
from workers.status import StatusBoard
from workers.submit import submit_application

TODAY = date(2026, 11, 28)
SERVICE = default_catalog().get("bank_account_change")
ALL = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)


def redis_bytes(redis, prefix: str) -> bytes:
    """Every key and value RQ and OneWindow keep for this prefix, as one blob of bytes."""
    out = []
    for key in list(redis.scan_iter(match=f"*{prefix}*", count=1000)):
        out.append(key)
        kind = redis.type(key)
        if kind == b"hash":
            out.extend(b for kv in redis.hgetall(key).items() for b in kv)
        elif kind == b"string":
            out.append(redis.get(key))
        elif kind == b"list":
            out.extend(redis.lrange(key, 0, -1))
        elif kind in (b"set",):
            out.extend(redis.smembers(key))
        elif kind == b"zset":
            out.extend(redis.zrange(key, 0, -1))
    return b"\n".join(out)


def test_applications_go_through_real_workers_to_the_same_decision_as_in_process(ctx, worker_env, faces, reader,
                                                                               tmp_path, prefix):
    complete = make_person(faces, 11)
    partial = make_person(faces, 12)
    complete_files = photos(complete, ALL, 1)
    partial_files = photos(partial, ALL[:2], 2)  # no bank card
    accepted_id = submit_application(ctx, complete_files, SERVICE, complete.id_number, TODAY)
    flagged_id = submit_application(ctx, partial_files, SERVICE, partial.id_number, TODAY)
    board = StatusBoard(ctx.redis, ctx.names, 3600)
    assert board.get(accepted_id)["state"] == "received"

    run_burst(worker_env)

    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])
    accepted = archive.load_submission(accepted_id, actor="test")
    flagged = archive.load_submission(flagged_id, actor="test")
    assert accepted.decision is Decision.ACCEPTED, accepted.findings
    assert flagged.decision is Decision.FLAGGED
    assert {f.code for f in flagged.blockers} == {FindingCode.MISSING_DOCUMENT}
    assert [d.doc_type for d in accepted.documents] == list(ALL)  # upload order kept

    # The same applications in-process decide the same, with the same findings.
    local = open_archive(str(tmp_path / "in-process"))
    for files, person, queued in ((complete_files, complete, accepted), (partial_files, partial, flagged)):
        direct = process_submission(files, SERVICE, person.id_number, local, reader, TODAY)
        assert direct.decision is queued.decision
        assert sorted((f.code, f.field) for f in direct.findings) == sorted((f.code, f.field) for f in queued.findings)
        assert [d.fields for d in direct.documents] == [d.fields for d in queued.documents]

    assert board.get(accepted_id)["decision"] == "accepted"
    assert board.get(flagged_id)["state"] == "decided"
    review = ReviewQueue(ctx.redis, ctx.names)
    assert review.ids() == [flagged_id]
    assert review.items()[0].finding_codes == ["missing_document"]
    history = [e.kind.value for e in archive.history(complete.id_number, actor="test")]
    assert history == ["submission_received", "documents_read", "findings", "decision"]

    stored = redis_bytes(ctx.redis, prefix)
    assert stored, "the test looked at the wrong keys"
    for person in (complete, partial):
        assert person.id_number.encode() not in stored
        assert person.name.encode() not in stored


def test_running_every_stage_again_changes_nothing_in_the_archive(ctx, worker_env, faces, prefix):
    person = make_person(faces, 13)
    sid = submit_application(ctx, photos(person, ALL, 3), SERVICE, person.id_number, TODAY)
    run_burst(worker_env)
    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])

    def snapshot():
        keys = sorted(k for k in archive.store.list("") if not k.startswith("audit/"))
        record = archive.load_submission(sid, actor="test").model_dump(mode="json")
        return keys, record

    before = snapshot()
    # At-least-once delivery: every job of the application delivered a second time.
    steps = [ctx.names.job_id(sid, "0", step) for step in ("intake", "read0", "read1", "read2", "review")]
    first = {}
    for job_id in steps:
        job = Job.fetch(job_id, connection=ctx.redis)
        first[job_id] = job.ended_at
        Queue(job.origin, connection=ctx.redis).enqueue_job(job)
    run_burst(worker_env)
    for job_id in steps:
        again = Job.fetch(job_id, connection=ctx.redis)
        assert again.get_status() == "finished" and again.ended_at > first[job_id]  # it really ran again
    assert snapshot() == before
