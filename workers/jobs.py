"""The RQ jobs: each wraps one stage function of pipeline/process.py and carries only ids
and sha256s (the manifest and the readings live in the archive, sealed; see manifest.py).

  intake_job   an application whose files are archived → one read job per upload, and a
               review job that depends on all of them (allow_failure: it runs even when a
               read job has failed for good, and turns that upload into processing_failed)
  read_job     `read_upload` on one upload → sha256 of what it read (stored in the archive)
  review_job   `review` over every upload's readings → decision, status, indexes, review queue
  batch_intake_job  the intake of `onewindow reprocess`: manifest rebuilt from the record
  verification_job  remote certification from a selfie video (workers/verification.py)

Every stage can run twice with the same result (at-least-once delivery): job ids are
deterministic, the archive dedupes blobs and history events, and status/batch records are
sets and hashes, not counters. A job that still fails after its retries ends as a
processing_failed finding on the application, in the review queue (`job_failed`)."""

from __future__ import annotations

import logging

from rq import Callback, Queue, Retry
from rq.job import Dependency, Job, JobStatus

from pipeline.process import read_upload, review
from schemas.archive import SubmissionIndexEntry
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, SubmissionResult
from workers import metrics
from workers.batch import BatchBoard, revision_of
from workers.context import WorkerContext, current
from workers.indexes import RedisIndexSink
from workers.manifest import ACTOR, Manifest, UploadRead, load_manifest, load_reads, put_manifest, put_read
from workers.queues import DOCUMENTS, INTAKE, LIVE, REVIEW
from workers.status import StatusBoard

log = logging.getLogger(__name__)


def _status(ctx: WorkerContext) -> StatusBoard:
    return StatusBoard(ctx.redis, ctx.names, ctx.settings.job_result_ttl)


def job_options(ctx: WorkerContext) -> dict:
    s = ctx.settings
    retry = Retry(max=s.job_retries, interval=s.job_backoff) if s.job_retries else None
    return {"timeout": s.job_timeout, "result_ttl": s.job_result_ttl, "failure_ttl": s.job_result_ttl,
            "retry": retry, "on_failure": Callback(job_failed)}


# Enqueuing -------------------------------------------------------------------------------------

def enqueue_intake(ctx: WorkerContext, submission_id: str, manifest_sha: str, documents: int,
                   service: str, revision: str = "0", lane: str = LIVE, batch: str | None = None) -> Job:
    names = ctx.names
    queue = Queue(names.lane_queue(INTAKE, lane), connection=ctx.redis)
    _status(ctx).received(submission_id, service, revision, documents, lane)
    job = queue.enqueue_call(intake_job, args=(submission_id, manifest_sha, lane, batch),
                             job_id=names.job_id(submission_id, revision, "intake"),
                             description=f"intake {submission_id} r{revision}", **job_options(ctx))
    return job


def fan_out(ctx: WorkerContext, manifest: Manifest, manifest_sha: str, lane: str, batch: str | None) -> Job:
    """One read job per upload, then the review job depending on all of them. Done already
    (the review job exists) means a repeated intake: nothing is enqueued twice."""
    names, sid, rev = ctx.names, manifest.submission_id, manifest.revision
    review_id = names.job_id(sid, rev, "review")
    if Job.exists(review_id, connection=ctx.redis):
        return Job.fetch(review_id, connection=ctx.redis)
    options = job_options(ctx)
    docs = Queue(names.lane_queue(DOCUMENTS, lane), connection=ctx.redis)
    read_ids = [names.read_job_id(sid, rev, i) for i in range(len(manifest.uploads))]
    if read_ids:
        docs.enqueue_many([Queue.prepare_data(read_job, args=(sid, manifest_sha, i), job_id=job_id,
                                              description=f"read upload {i} of {sid} r{rev}", **options)
                           for i, job_id in enumerate(read_ids)])
    depends = Dependency(jobs=read_ids, allow_failure=True) if read_ids else None
    return Queue(names.lane_queue(REVIEW, lane), connection=ctx.redis).enqueue_call(
        review_job, args=(sid, manifest_sha, len(read_ids), batch), job_id=review_id, depends_on=depends,
        description=f"review {sid} r{rev}", **options)


# The jobs --------------------------------------------------------------------------------------

def intake_job(submission_id: str, manifest_sha: str, lane: str = LIVE, batch: str | None = None) -> int:
    ctx = current()
    with metrics.timed("intake"):
        manifest = load_manifest(ctx.archive, manifest_sha, "intake: plan the reading")
        fan_out(ctx, manifest, manifest_sha, lane, batch)
    log.info("intake %s: %d uploads to read", submission_id, len(manifest.uploads))
    return len(manifest.uploads)


def batch_intake_job(submission_id: str, batch: str, revision: str) -> int:
    """Reprocessing: the archived record gives the uploads as handed in; read them afresh."""
    ctx = current()
    with metrics.timed("intake"):
        record = ctx.archive.load_submission(submission_id, actor=ACTOR, purpose=f"reprocess batch {batch}")
        manifest = Manifest.of_record(record, revision)
        sha = put_manifest(ctx.archive, manifest)
        _status(ctx).received(submission_id, manifest.service, revision, len(manifest.uploads), "batch")
        fan_out(ctx, manifest, sha, "batch", batch)
    return len(manifest.uploads)


def read_job(submission_id: str, manifest_sha: str, index: int) -> str:
    ctx = current()
    with metrics.timed("read"):
        manifest = load_manifest(ctx.archive, manifest_sha, "pre-review: read an upload")
        upload = manifest.uploads[index]
        data = ctx.archive.get_upload(upload.sha256, citizen=manifest.applicant, actor=ACTOR,
                                      purpose=f"pre-review {manifest.service}")
        readings, failure = read_upload(ctx.reader, upload, data)
        sha = put_read(ctx.archive, manifest, UploadRead(index=index, readings=readings, failure=failure,
                                                         error=upload.error))
        _status(ctx).read(submission_id, manifest.revision, index, sha)
    log.info("read %s upload %d: %s", submission_id, index,
             ", ".join(r.doc_type.value for r in readings) or "unreadable")
    return sha


def _failed_upload(file: str) -> Finding:
    return Finding(code=FindingCode.PROCESSING_FAILED, severity=Severity.BLOCKER, file=file,
                   message=f"文件“{file}”系统多次处理未成功（不是材料本身的问题），已转人工复核，无需重新上传。")


def review_job(submission_id: str, manifest_sha: str, count: int, batch: str | None = None) -> dict:
    ctx = current()
    with metrics.timed("review"):
        manifest = load_manifest(ctx.archive, manifest_sha, "pre-review: review")
        status = _status(ctx)
        status.reviewing(submission_id)
        stored = status.reads(submission_id, manifest.revision)
        shas = {i: stored.get(i) or _read_result(ctx, submission_id, manifest.revision, i) for i in range(count)}
        found = [i for i in range(count) if shas[i]]
        reads = dict(zip(found, load_reads(ctx.archive, manifest, [shas[i] for i in found])))
        documents, failures = [], []
        for index, upload in enumerate(manifest.uploads[:count]):
            if index not in reads:
                failures.append(_failed_upload(upload.file))
                continue
            read = reads[index]
            upload.error = read.error
            documents.extend(read.readings)
            if read.failure:
                failures.append(read.failure)
        result = review(_intake(manifest), documents, failures, ctx.archive, revision=manifest.revision)
        file_decision(ctx, result, batch)
    return {"decision": result.decision.value, "findings": sorted({f.code.value for f in result.findings})}


def _intake(manifest: Manifest):
    intake = manifest.intake()
    intake.uploads = manifest.uploads  # carries the errors the read jobs found
    return intake


def _read_result(ctx: WorkerContext, submission_id: str, revision: str, index: int) -> str | None:
    try:
        job = Job.fetch(ctx.names.read_job_id(submission_id, revision, index), connection=ctx.redis)
    except Exception:  # noqa: BLE001 - gone from Redis: treated as a failed read
        return None
    return job.return_value() if job.get_status() == JobStatus.FINISHED else None


def file_decision(ctx: WorkerContext, result: SubmissionResult, batch: str | None, failed: bool = False) -> None:
    """Status, indexes (and with them the review queue), batch bookkeeping, metrics."""
    codes = [f.code for f in result.findings]
    citizen_key = ctx.archive.citizen_key(result.applicant) if result.applicant else None
    _status(ctx).decided(result.submission_id, result.decision.value, [c.value for c in codes], failed=failed)
    RedisIndexSink(ctx.redis, ctx.names).submission(SubmissionIndexEntry(
        submission_id=result.submission_id, service=result.service, submitted_on=result.submitted_on,
        decision=result.decision, finding_codes=sorted(set(codes)), citizen_key=citizen_key))
    if batch:
        BatchBoard(ctx.redis, ctx.names, batch).record(result.submission_id, result.decision.value, failed)
    metrics.DECISIONS.labels(result.service, result.decision.value).inc()
    log.info("decided %s (%s): %s %s", result.submission_id, result.service, result.decision.value,
             ",".join(sorted({c.value for c in codes})) or "no findings")


# When a job fails for good -----------------------------------------------------------------------

def job_failed(job: Job, connection, exc_type, exc_value, tb) -> None:
    """RQ failure callback, called on every failure (and for a job abandoned by a dead worker);
    acts only on the last one. A read job's last failure is the review job's business; an intake
    or review job's last failure ends the application as processing_failed."""
    if job.retries_left:
        log.warning("job %s failed (%s), %d retries left", job.id, exc_type.__name__ if exc_type else "?",
                    job.retries_left)
        return
    func = job.func_name.rsplit(".", 1)[-1]
    log.error("job %s failed for good: %s", job.id, exc_type.__name__ if exc_type else "abandoned")
    if func == "read_job":
        return
    args = job.args
    if func in ("intake_job", "review_job", "verification_job"):
        batch = args[3] if len(args) > 3 else None  # (sid, sha, lane, batch); review: (sid, sha, n, batch)
        record_failure(current(), args[0], args[1], func.removesuffix("_job"), batch)
    elif func == "batch_intake_job":
        record_failure(current(), args[0], None, "intake", args[1])


def record_failure(ctx: WorkerContext, submission_id: str, manifest_sha: str | None, stage: str,
                   batch: str | None) -> None:
    """The application ends flagged with processing_failed, in the archive if it can be
    written, and in the review queue in any case: never silently dropped."""
    metrics.PROCESSING_FAILED.labels(stage).inc()
    finding = Finding(code=FindingCode.PROCESSING_FAILED, severity=Severity.BLOCKER,
                      message=f"系统处理未完成（{stage} 阶段多次重试失败，不是材料本身的问题），"
                              "已转人工复核，申请人无需重新提交。")
    try:
        if manifest_sha:
            manifest = load_manifest(ctx.archive, manifest_sha, "processing failed: record it")
        else:
            record = ctx.archive.load_submission(submission_id, actor=ACTOR, purpose="processing failed")
            manifest = Manifest.of_record(record, revision_of(batch) if batch else "0")
        intake = manifest.intake()
        result = SubmissionResult(
            submission_id=submission_id, service=intake.service.id, service_name=intake.service.name,
            decision=Decision.FLAGGED, applicant=manifest.applicant, submitted_on=manifest.submitted_on,
            received_at=manifest.received_at, findings=[finding], uploads=manifest.uploads,
            inputs=dict(manifest.inputs), archive=ctx.archive.location)
        ctx.archive.save_submission(result, actor=ACTOR, purpose="processing failed", revision=manifest.revision)
        file_decision(ctx, result, batch, failed=True)
    except Exception:  # noqa: BLE001 - the archive itself is failing: Redis still gets the case
        log.exception("processing_failed of %s could not be archived; queued for review from Redis", submission_id)
        status = _status(ctx)
        service = status.get(submission_id).get("service", "")
        status.decided(submission_id, Decision.FLAGGED.value, [FindingCode.PROCESSING_FAILED.value], failed=True)
        RedisIndexSink(ctx.redis, ctx.names).review.add(submission_id, service, [FindingCode.PROCESSING_FAILED])
        if batch:
            BatchBoard(ctx.redis, ctx.names, batch).record(submission_id, Decision.FLAGGED.value, failed=True)
