"""Handing an application to the queues: its files go into the archive first (`receive`),
then a manifest (sealed there too), then one intake job naming both by id and sha256. Returns
at once; the workers do the rest (`onewindow status ID` follows it)."""

from __future__ import annotations

from datetime import date

from pipeline.process import receive
from schemas.catalog import Service
from workers.context import WorkerContext
from workers.jobs import enqueue_intake
from workers.manifest import Manifest, put_manifest


def submit_application(ctx: WorkerContext, files: list[tuple[str, bytes]], service: Service,
                       applicant: str | None, today: date | None = None,
                       submission_id: str | None = None) -> str:
    intake = receive(files, service, applicant, ctx.archive, today, submission_id)
    manifest = Manifest.of_intake(intake)
    sha = put_manifest(ctx.archive, manifest)
    enqueue_intake(ctx, intake.submission_id, sha, len(intake.uploads), service.id)
    return intake.submission_id
