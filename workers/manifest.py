"""What a job needs to know about an application, kept in the archive, not in Redis.

Jobs carry a submission id and the sha256 of this manifest. The manifest names the applicant
(an ID number: personal data), so it is sealed in the archive under the citizen's data key
like an upload (content addressed, erased with the citizen, re-hashed by `archive verify`),
and Redis never sees the ID number. Readings of each upload go the same way: a read job
stores them and returns only their sha256."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from pipeline.process import Intake
from schemas.archive import BiometricRef
from schemas.catalog import default_catalog
from schemas.documents import DocumentReading
from schemas.findings import Finding
from schemas.submission import SubmissionResult, Upload
from storage.archive import Archive

ACTOR = "worker"


class Manifest(BaseModel):
    submission_id: str
    service: str
    applicant: str | None = None
    submitted_on: date
    received_at: datetime
    uploads: list[Upload]
    revision: str = "0"
    inputs: dict[str, str] = Field(default_factory=dict)
    """What the applicant stated besides the documents (checked at receive, archived with it)."""
    video: BiometricRef | None = None
    """Remote certification: the selfie video, held in the biometric vault (never here)."""
    video_file: str | None = None
    nonce: str | None = None

    @classmethod
    def of_intake(cls, intake: Intake, revision: str = "0") -> "Manifest":
        return cls(submission_id=intake.submission_id, service=intake.service.id, applicant=intake.applicant,
                   submitted_on=intake.submitted_on, received_at=intake.received_at,
                   uploads=[u.model_copy() for u in intake.uploads], revision=revision,
                   inputs=dict(intake.inputs))

    @classmethod
    def of_record(cls, record: SubmissionResult, revision: str) -> "Manifest":
        """Re-running an archived submission: its uploads as handed in (errors forgotten) and
        the inputs it was received with."""
        return cls(submission_id=record.submission_id, service=record.service, applicant=record.applicant,
                   submitted_on=record.submitted_on, received_at=record.received_at,
                   uploads=[u.model_copy(update={"error": None}) for u in record.uploads], revision=revision,
                   inputs=dict(record.inputs))

    def intake(self) -> Intake:
        return Intake(self.submission_id, default_catalog().get(self.service), self.applicant,
                      self.received_at, self.submitted_on, [u.model_copy() for u in self.uploads],
                      dict(self.inputs))


class UploadRead(BaseModel):
    """What one read job found in one upload (timings left out: the same upload read again
    stores the same bytes, so a repeated job adds nothing to the archive)."""

    index: int
    readings: list[DocumentReading] = Field(default_factory=list)
    failure: Finding | None = None
    error: str | None = None


def _put(archive: Archive, model: BaseModel, citizen: str | None, purpose: str) -> str:
    return archive.put_upload(model.model_dump_json().encode("utf-8"), citizen=citizen, actor=ACTOR,
                              purpose=purpose)


def put_manifest(archive: Archive, manifest: Manifest) -> str:
    return _put(archive, manifest, manifest.applicant, "intake: work manifest")


WORK_ORDERS = "workorders"
"""CitizenRecords kind: every live application's manifest, sealed beside the citizen's history,
so an application received but never decided can be found from the archive alone
(workers/recover.py) when Redis has lost its queues."""


def record_work_order(archive: Archive, manifest: Manifest) -> None:
    from pipeline.records import CitizenRecords

    if manifest.applicant:
        CitizenRecords(archive, WORK_ORDERS).put(manifest.applicant, f"{manifest.submission_id}-{manifest.revision}",
                                                 manifest, actor=ACTOR, purpose="intake: work order")


def load_manifest(archive: Archive, sha256: str, purpose: str) -> Manifest:
    return Manifest.model_validate_json(archive.get_upload(sha256, actor=ACTOR, purpose=purpose))


def put_read(archive: Archive, manifest: Manifest, read: UploadRead) -> str:
    for reading in read.readings:
        reading.timings = {}
    return _put(archive, read, manifest.applicant, "pre-review: upload read")


def load_reads(archive: Archive, manifest: Manifest, shas: list[str]) -> list[UploadRead]:
    """Every upload's readings in one audited read."""
    found = archive.get_uploads(shas, citizen=manifest.applicant, actor=ACTOR, purpose="pre-review: review")
    return [UploadRead.model_validate_json(data) for data in found]
