"""Remote certification (`pension_certification`) through the workers: one job on the
`<prefix>.verification` queue runs `pipeline.remote.process_remote`, the function
`onewindow process` runs in-process, with the face models of the worker process.

submit_verification (the CLI's `submit` and, later, the portal call it):
  1. no recorded consent, no applicant, or not exactly one video: decided at once, in this
     process, by process_remote itself (it stores nothing of the video without consent), and
     filed like any decision (status, indexes, review queue);
  2. otherwise "submission received" goes into the citizen's history, the video into the
     biometric vault (apart from identity data, its own key), a sealed manifest naming the
     vault reference into the archive, and one verification job is enqueued.
verification_job: the video from the vault → process_remote (consent checked again, the
challenge redeemed, the decision recorded, the raw video deleted) → status, indexes, review
queue. Delivered twice, it finds the decision archived and only files it again: a challenge
is never redeemed twice for one application. Failing for good, it ends as processing_failed
(workers/jobs.py: job_failed)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone

from rq import Queue
from rq.job import Job

from pipeline.consent import ConsentBook
from pipeline.remote import looks_like_video, process_remote
from pipeline.verify import VerifyOptions
from schemas.archive import BiometricKind
from schemas.catalog import Service
from schemas.errors import InputError
from schemas.submission import new_submission_id
from storage.errors import NotFoundError
from workers import metrics
from workers.context import WorkerContext, current
from workers.jobs import _status, file_decision, job_options
from workers.manifest import ACTOR, Manifest, load_manifest, put_manifest, record_work_order
from workers.queues import LIVE, VERIFICATION

log = logging.getLogger(__name__)
VERIFYING = "verifying"


def submit_verification(ctx: WorkerContext, files: list[tuple[str, bytes]], service: Service,
                        applicant: str | None, today: date | None = None, submission_id: str | None = None,
                        nonce: str | None = None) -> str:
    """Hand a remote certification to the workers; returns its submission id at once."""
    if not service.remote_verification:
        raise InputError(f"{service.id} is not a remote-verification service: use submit_application")
    received_at = datetime.now(timezone.utc)
    submission_id = submission_id or new_submission_id(received_at)
    today = today or received_at.astimezone().date()
    videos = [(name, data) for name, data in files if looks_like_video(data)]
    status = _status(ctx)
    if not applicant or len(videos) != 1 or not ConsentBook(ctx.archive).given(applicant, actor=ACTOR):
        # Nothing to queue: process_remote says why (consent, applicant, video) and records it.
        status.received(submission_id, service.id, "0", len(videos), LIVE)
        result = process_remote(files, service, applicant, ctx.archive, today, options=_options(ctx),
                                period_days=ctx.settings.certification_period_days,
                                submission_id=submission_id, received_at=received_at, nonce=nonce)
        file_decision(ctx, result, None)
        return submission_id
    name, video = videos[0]
    ctx.archive.receive(submission_id, service.id, [], citizen=applicant, actor=ACTOR,
                        purpose=f"intake {service.id}")
    ref = ctx.archive.put_biometric(applicant, BiometricKind.VIDEO, video, actor=ACTOR,
                                    purpose="remote certification: selfie video, queued")
    manifest = Manifest(submission_id=submission_id, service=service.id, applicant=applicant, submitted_on=today,
                        received_at=received_at, uploads=[], video=ref, video_file=name, nonce=nonce)
    sha = put_manifest(ctx.archive, manifest)
    record_work_order(ctx.archive, manifest)
    enqueue_verification(ctx, submission_id, sha, service.id)
    return submission_id


def enqueue_verification(ctx: WorkerContext, submission_id: str, manifest_sha: str, service: str,
                         revision: str = "0") -> Job:
    _status(ctx).received(submission_id, service, revision, 1, LIVE)
    return Queue(ctx.names.queue(VERIFICATION), connection=ctx.redis).enqueue_call(
        verification_job, args=(submission_id, manifest_sha, LIVE, None),
        job_id=ctx.names.job_id(submission_id, revision, "verify"),
        description=f"verify {submission_id} r{revision}", **job_options(ctx))


def _options(ctx: WorkerContext) -> VerifyOptions:
    return VerifyOptions.from_settings(ctx.settings)


def verification_job(submission_id: str, manifest_sha: str, lane: str = LIVE, batch: str | None = None) -> dict:
    """(lane, batch) keep the argument shape of intake_job for job_failed; live work only."""
    ctx = current()
    with metrics.timed("verification"):
        manifest = load_manifest(ctx.archive, manifest_sha, "remote certification: the queued video")
        try:  # delivered again after the decision was archived: file it, redeem nothing twice
            result = ctx.archive.load_submission(submission_id, actor=ACTOR, purpose="remote certification: done?")
            log.info("verification %s: decided already, filing it again", submission_id)
        except NotFoundError:
            _status(ctx).set_state(submission_id, VERIFYING)
            video = ctx.archive.get_biometric(manifest.applicant, manifest.video, actor=ACTOR,
                                              purpose="remote certification: verify the queued video")
            service = manifest.intake().service
            result = process_remote([(manifest.video_file or "video", video)], service, manifest.applicant,
                                    ctx.archive, manifest.submitted_on, options=_options(ctx), models=ctx.faces,
                                    period_days=ctx.settings.certification_period_days,
                                    submission_id=submission_id, received_at=manifest.received_at,
                                    nonce=manifest.nonce, stored=manifest.video)
            if getattr(result, "certification", None) == "consent_required":
                # Consent withdrawn while queued: the video goes at once, unread.
                ctx.archive.biometrics.purge(ctx.archive.citizen_key(manifest.applicant), actor=ACTOR)
        file_decision(ctx, result, batch)
    return {"decision": result.decision.value, "findings": sorted({f.code.value for f in result.findings}),
            "certification": getattr(result, "certification", None)}
