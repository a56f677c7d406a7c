"""Applications received but never decided, found from the archive alone and enqueued again
(`onewindow reprocess --undecided`): for when Redis lost its data (a restart without an
append-only file, a failover to an empty replica) while applications were in flight.

Every live application leaves a work order (its manifest, sealed under the citizen's key,
workers/manifest.py) before its first job is enqueued; it is decided once its submission
record exists in the archive. An order with no record is enqueued again — unless its first job
is still known to Redis (queued, running, waiting a retry or its dependencies), so running this
twice, or while the workers are busy, enqueues nothing twice. Applications without an
applicant leave no work order (the CLI and the portal always name one)."""

from __future__ import annotations

import logging

from rq.job import Job, JobStatus

from pipeline.records import CitizenRecords
from storage.archive import Archive
from workers.context import WorkerContext
from workers.jobs import enqueue_intake
from workers.manifest import ACTOR, WORK_ORDERS, Manifest, put_manifest

log = logging.getLogger(__name__)
ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def undecided(archive: Archive) -> list[Manifest]:
    """Work orders with no submission record, oldest first."""
    orders = CitizenRecords(archive, WORK_ORDERS)
    found = []
    for ck in orders.citizens():
        for manifest in orders.read_key(ck, Manifest, actor=ACTOR, purpose="find undecided applications"):
            if not archive.store.exists(archive.submission_key(manifest.submission_id)):
                found.append(manifest)
    return sorted(found, key=lambda m: m.submission_id)


def _first_job(ctx: WorkerContext, manifest: Manifest) -> str:
    step = "verify" if manifest.video is not None else "intake"
    return ctx.names.job_id(manifest.submission_id, manifest.revision, step)


def _in_flight(ctx: WorkerContext, manifest: Manifest) -> bool:
    """Redis still carries the application: its first job or its review job is waiting or running."""
    for job_id in (_first_job(ctx, manifest), ctx.names.job_id(manifest.submission_id, manifest.revision, "review")):
        try:
            job = Job.fetch(job_id, connection=ctx.redis)
        except Exception:  # noqa: BLE001 - gone from Redis
            continue
        if job.get_status(refresh=False) in ALIVE:
            return True
    return False


def requeue_undecided(ctx: WorkerContext, dry_run: bool = False) -> dict:
    """Enqueue again every undecided application Redis no longer carries; a summary back."""
    from workers.verification import enqueue_verification

    pending = undecided(ctx.archive)
    requeued, in_flight = [], []
    for manifest in pending:
        if _in_flight(ctx, manifest):
            in_flight.append(manifest.submission_id)
            continue
        requeued.append(manifest.submission_id)
        if dry_run:
            continue
        sha = put_manifest(ctx.archive, manifest)  # content addressed: the sha the jobs named before
        if manifest.video is not None:
            enqueue_verification(ctx, manifest.submission_id, sha, manifest.service, manifest.revision)
        else:
            enqueue_intake(ctx, manifest.submission_id, sha, len(manifest.uploads), manifest.service,
                           manifest.revision)
        log.warning("re-enqueued undecided application %s (%s)", manifest.submission_id, manifest.service)
    return {"undecided": len(pending), "requeued": requeued, "in_flight": in_flight, "dry_run": dry_run}
