"""Process one application: the stages as plain functions, and `process_submission`, which
runs them in-process. Workers (RQ) call the same three stages as separate jobs:

1. `receive`  — every upload is written to the archive before anything else happens to it;
2. `read_upload` — one upload's pages read into DocumentReadings (one job per upload;
   in-process, `read_all` reads an application's uploads several at once);
3. `review`   — the documents checked against the service, a decision made, all archived.

Each stage can be re-run from the archive with the same result (the archive dedupes blobs
and history events), which is what makes at-least-once delivery safe."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from pipeline.check import pre_review
from pipeline.errors import REASON_TEXT, IngestError
from pipeline.ingest import sniff_media_type
from pipeline.read import DocumentReader
from schemas.catalog import Service
from schemas.documents import DocumentReading
from schemas.errors import InputError
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, SubmissionResult, Upload, new_submission_id
from storage.archive import Archive

ACTOR = "pipeline"


@dataclass
class Intake:
    """An application once its files are safely in the archive."""

    submission_id: str
    service: Service
    applicant: str | None
    received_at: datetime
    submitted_on: date
    uploads: list[Upload]
    inputs: dict[str, str] = field(default_factory=dict)
    """What the applicant stated besides the documents (the service's `inputs`, e.g.
    `post_category`, `insured`), checked against the catalog and archived with the submission."""


def receive(uploads: list[tuple[str, bytes]], service: Service, applicant: str | None, archive: Archive,
            today: date | None = None, submission_id: str | None = None,
            inputs: dict[str, str] | None = None) -> Intake:
    """Archive every file and record "submission received" (with the application's inputs)
    in the citizen's history. Inputs the service does not take are refused (InputError)
    before anything is written."""
    inputs = application_inputs(service, inputs)
    received_at = datetime.now(timezone.utc)
    submission_id = submission_id or new_submission_id(received_at)
    records = archive.receive(submission_id, service.id, uploads, citizen=applicant, actor=ACTOR,
                              purpose=f"intake {service.id}", media_type_of=sniff_media_type, inputs=inputs)
    return Intake(submission_id, service, applicant, received_at,
                  today or received_at.astimezone().date(), records, inputs)


ID_NUMBER_INPUTS = frozenset({"insured"})
"""Inputs that are ID numbers (the IsInsured rule compares them with a document's)."""


def application_inputs(service: Service, inputs: dict[str, str] | None) -> dict[str, str]:
    """The application's inputs as the check uses them: blanks dropped, ID numbers normalized
    and validated; InputError for an input the service does not take or a value it refuses."""
    from pipeline.fields import normalize_id_number, validate_id_number

    cleaned = {}
    for key, value in (inputs or {}).items():
        value = (value or "").strip()
        if not value:
            continue
        if key in ID_NUMBER_INPUTS and any(i.id == key for i in service.inputs):
            number = normalize_id_number(value)
            issue = validate_id_number(number) if number else "format"
            if issue is not None:
                raise InputError(f"input '{key}' is not a valid ID number ({issue})")
            value = number
        cleaned[key] = value
    return service.check_inputs(cleaned)


def read_upload(reader: DocumentReader, upload: Upload, data: bytes) -> tuple[list[DocumentReading], Finding | None]:
    """Every page of one upload, or the finding that says why it cannot be opened."""
    try:
        return reader.read_upload(data, upload.file), None
    except IngestError as exc:
        return [], _unopenable(upload, exc)


def read_all(reader: DocumentReader, uploads: list[Upload], files: list[tuple[str, bytes]]
             ) -> tuple[list[DocumentReading], list[Finding]]:
    """Every upload of an application read (several at once where the reader can), the
    readings in upload order, and a finding for each upload that cannot be opened."""
    documents: list[DocumentReading] = []
    failures: list[Finding] = []
    results = reader.read_uploads([(upload.file, data) for upload, (_, data) in zip(uploads, files)])
    for upload, result in zip(uploads, results):
        if isinstance(result, IngestError):
            failures.append(_unopenable(upload, result))
        else:
            documents.extend(result)
    return documents, failures


def _unopenable(upload: Upload, exc: IngestError) -> Finding:
    upload.error = str(exc)
    return Finding(
        code=FindingCode.UNREADABLE_DOCUMENT, severity=Severity.BLOCKER, file=upload.file,
        message=f"文件“{upload.file}”无法打开（{REASON_TEXT[exc.reason]}），"
                "请重新上传证件的清晰照片（JPG、PNG）或 PDF。",
    )


def review(intake: Intake, documents: list[DocumentReading], failures: list[Finding], archive: Archive,
           revision: str = "0") -> SubmissionResult:
    """Check the documents against the service, decide, and archive the whole record. Valid
    documents already on the applicant's record stand in for materials not uploaded (collect
    once); they join the result's documents with `reused_from` naming their submission."""
    on_record = [d for d in archive.documents_on_record(
        intake.applicant, actor=ACTOR, purpose=f"reuse of documents on record for {intake.service.id}")
        if d.submission_id != intake.submission_id] if intake.applicant else []
    checked = pre_review(intake.service, documents, intake.applicant, intake.submitted_on, on_record,
                         inputs=intake.inputs)
    findings = failures + checked.findings
    documents = documents + checked.reused
    blocked = any(f.severity is Severity.BLOCKER for f in findings)
    result = SubmissionResult(
        submission_id=intake.submission_id,
        service=intake.service.id,
        service_name=intake.service.name,
        decision=Decision.FLAGGED if blocked else Decision.ACCEPTED,
        applicant=intake.applicant,
        submitted_on=intake.submitted_on,
        received_at=intake.received_at,
        documents=documents,
        findings=findings,
        uploads=intake.uploads,
        inputs=dict(intake.inputs),
        archive=archive.location,
    )
    archive.save_submission(result, actor=ACTOR, purpose=f"pre-review {intake.service.id}", revision=revision)
    return result


def process_submission(
    uploads: list[tuple[str, bytes]],
    service: Service,
    applicant: str | None,
    archive: Archive,
    reader: DocumentReader,
    today: date | None = None,
    inputs: dict[str, str] | None = None,
) -> SubmissionResult:
    """All three stages in this process (the uploads read several at once where the reader can)."""
    if service.remote_verification:  # a selfie video, certified by face (pipeline/remote.py)
        from pipeline.remote import process_remote

        return process_remote(uploads, service, applicant, archive, today)
    started = time.perf_counter()
    intake = receive(uploads, service, applicant, archive, today, inputs=inputs)
    archived = time.perf_counter()

    documents, failures = read_all(reader, intake.uploads, uploads)
    read_done = time.perf_counter()

    result = review(intake, documents, failures, archive)
    result.timings = {
        "archive_uploads": round(archived - started, 4),
        "read": round(read_done - archived, 4),
        "review": round(time.perf_counter() - read_done, 4),
        "total": round(time.perf_counter() - started, 4),
    }
    return result
