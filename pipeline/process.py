"""Process one application in-process: archive every upload first, read each, check the
whole against the service, decide, and archive the result."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone

from pipeline.check import check
from pipeline.errors import REASON_TEXT, IngestError
from pipeline.ingest import sniff_media_type
from pipeline.read import DocumentReader
from schemas.catalog import Service
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, SubmissionResult, Upload, new_submission_id
from storage.archive import Archive


def process_submission(
    uploads: list[tuple[str, bytes]],
    service: Service,
    applicant: str | None,
    archive: Archive,
    reader: DocumentReader,
    today: date | None = None,
) -> SubmissionResult:
    started = time.perf_counter()
    received_at = datetime.now(timezone.utc)
    today = today or received_at.astimezone().date()
    submission_id = new_submission_id(received_at)

    records = []
    for name, data in uploads:
        sha256 = archive.put_upload(data)
        records.append(Upload(file=name, sha256=sha256, size=len(data), media_type=sniff_media_type(data)))
    archived = time.perf_counter()

    documents = []
    failed: list[Finding] = []
    for record, (_, data) in zip(records, uploads):
        try:
            documents.extend(reader.read_upload(data, record.file))
        except IngestError as exc:
            record.error = str(exc)
            failed.append(Finding(
                code=FindingCode.UNREADABLE_DOCUMENT, severity=Severity.BLOCKER, file=record.file,
                message=f"文件“{record.file}”无法打开（{REASON_TEXT[exc.reason]}），"
                        "请重新上传证件的清晰照片（JPG、PNG）或 PDF。",
            ))
    read_done = time.perf_counter()

    findings = failed + check(service, documents, applicant, today)
    blocked = any(f.severity is Severity.BLOCKER for f in findings)
    result = SubmissionResult(
        submission_id=submission_id,
        service=service.id,
        service_name=service.name,
        decision=Decision.FLAGGED if blocked else Decision.ACCEPTED,
        applicant=applicant,
        submitted_on=today,
        received_at=received_at,
        documents=documents,
        findings=findings,
        uploads=records,
        archive=archive.location,
    )
    result.timings = {
        "archive_uploads": round(archived - started, 4),
        "read": round(read_done - archived, 4),
        "check": round(time.perf_counter() - read_done, 4),
    }
    archive.save_submission(result)
    result.timings["total"] = round(time.perf_counter() - started, 4)
    return result
