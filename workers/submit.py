"""Handing an application to the queues: its files go into the archive first (`receive`),
then a manifest (sealed there too), then one intake job naming both by id and sha256. Returns
at once; the workers do the rest (`onewindow status ID` follows it)."""

from __future__ import annotations

from datetime import date

from pipeline.process import receive
from schemas.catalog import Service
from schemas.errors import InputError
from workers.context import WorkerContext
from workers.jobs import enqueue_intake
from workers.manifest import Manifest, put_manifest, record_work_order


def submit_application(ctx: WorkerContext, files: list[tuple[str, bytes]], service: Service,
                       applicant: str | None, today: date | None = None,
                       submission_id: str | None = None, inputs: dict[str, str] | None = None) -> str:
    """`inputs`: what the applicant states besides the documents (checked by `receive` against
    the service, kept in the sealed manifest and with the submission; reprocess reuses them)."""
    intake = receive(files, service, applicant, ctx.archive, today, submission_id, inputs=inputs)
    manifest = Manifest.of_intake(intake)
    sha = put_manifest(ctx.archive, manifest)
    record_work_order(ctx.archive, manifest)
    enqueue_intake(ctx, intake.submission_id, sha, len(intake.uploads), service.id)
    return intake.submission_id


def submit(ctx: WorkerContext, files: list[tuple[str, bytes]], service: Service, applicant: str | None,
           today: date | None = None, submission_id: str | None = None, nonce: str | None = None,
           inputs: dict[str, str] | None = None) -> str:
    """Any service: documents through intake/read/review, a remote-verification service's
    video through the verification queue (what the CLI's `submit` and the portal call)."""
    if service.remote_verification:
        from workers.verification import submit_verification

        if service.check_inputs(dict(inputs or {})):
            raise InputError(f"{service.id} takes no application inputs")
        return submit_verification(ctx, files, service, applicant, today, submission_id, nonce)
    if nonce:
        raise InputError("--nonce is for remote-verification services only")
    return submit_application(ctx, files, service, applicant, today, submission_id, inputs)
