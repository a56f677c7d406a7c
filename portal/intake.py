"""Applications as the portal runs them, on the pipeline's own stage functions
(receive → read_all → review) in this process: a first application, and re-uploads of only
the missing or wrong items into the same application. Documents already on the citizen's
record fill materials the citizen did not hand in again (shown as reused).

The case index (portal/store.py) is updated after each review, so the reviewer queue and the
metrics never have to decrypt the archive."""

from __future__ import annotations

import importlib.util
import threading
from datetime import date
from typing import Callable

from pipeline.process import Intake, read_all, receive, review
from schemas.catalog import Catalog, Service
from schemas.documents import DocType, DocumentReading, Quality
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, SubmissionResult, Upload
from storage.archive import Archive
from portal.store import Case, PortalStore, Status, utcnow

ACTOR = "portal"
REUSED_PREFIX = "档案中已有："
"""File name given to a document reused from the citizen's record (not an upload)."""


def is_reused(reading: DocumentReading) -> bool:
    """Taken from the citizen's record, by the pipeline (`reused_from`) or by the portal."""
    return bool(reading.reused_from) or reading.file.startswith(REUSED_PREFIX)


def pipeline_reuses() -> bool:
    """Whether the pipeline's review fills materials from the record itself (pipeline/reuse.py,
    the catalog work of issue 3); until it does, the portal does it here."""
    return importlib.util.find_spec("pipeline.reuse") is not None




class Applications:
    def __init__(self, archive: Archive, reader: Callable[[], object], store: PortalStore, catalog: Catalog,
                 today: Callable[[], date] | None = None):
        self.archive = archive
        self._reader = reader
        self.store = store
        self.catalog = catalog
        self.today = today or date.today
        self._lock = threading.Lock()
        """One application read at a time: OCR already uses every core it is given."""

    # Public -----------------------------------------------------------------------------------

    def apply(self, service: Service, applicant: str, name: str, files: list[tuple[str, bytes]],
              inputs: dict[str, str] | None = None) -> SubmissionResult:
        with self._lock:
            intake = receive(files, service, applicant, self.archive, self.today(), inputs=inputs)
            documents, failures = self._read(intake.uploads, files)
            documents += self._reuse(service, applicant, documents)
            failures += name_findings(name, documents)
            result = review(intake, documents, failures, self.archive)
            self._index(result, revision=0, previous=None)
            return result

    def reupload(self, submission_id: str, files: list[tuple[str, bytes]]) -> SubmissionResult:
        """Add the new files; each new reading replaces the earlier one of its type, and earlier
        unreadable files give way. Everything else read before stands (no second OCR)."""
        with self._lock:
            before = self.archive.load_submission(submission_id, actor=ACTOR, purpose="re-upload into application")
            case = self.store.case(submission_id)
            revision = (case.revision if case else 0) + 1
            service = self.catalog.get(before.service)
            new = receive(files, service, before.applicant, self.archive, self.today(), submission_id=submission_id,
                          inputs=before.inputs)
            documents, failures = self._read(new.uploads, files)
            new_types = {d.doc_type for d in documents if d.doc_type is not DocType.UNKNOWN}
            kept = [d for d in before.documents
                    if not is_reused(d) and d.doc_type is not DocType.UNKNOWN and d.doc_type not in new_types]
            kept_files = {d.file for d in kept}
            carried = [f for f in before.findings if f.code is FindingCode.INCONSISTENT_FIELD
                       and f.field == "name" and f.file in kept_files]
            documents = kept + documents
            documents += self._reuse(service, before.applicant, documents)
            old_uploads = [u for u in before.uploads if u.file in kept_files and not u.error]
            intake = Intake(submission_id, service, before.applicant, before.received_at,
                            before.submitted_on, old_uploads + new.uploads, dict(before.inputs))
            result = review(intake, documents, carried + failures, self.archive, revision=str(revision))
            self._index(result, revision=revision, previous=case)
            return result

    # Steps ------------------------------------------------------------------------------------

    def _read(self, uploads: list[Upload], files: list[tuple[str, bytes]]) -> tuple[list[DocumentReading], list[Finding]]:
        return read_all(self._reader(), uploads, files)

    def _reuse(self, service: Service, applicant: str | None, documents: list[DocumentReading]) -> list[DocumentReading]:
        """Readings from the citizen's record for materials this application lacks (reusable
        ones, as the catalog says)."""
        if not applicant or pipeline_reuses():
            return []
        have = {d.doc_type for d in documents}
        wanted = [m for m in service.materials if m.reusable and not have.intersection(m.doc_types)]
        if not wanted:
            return []
        on_record = {d.doc_type: d for d in self.archive.documents_on_record(
            applicant, actor=ACTOR, purpose=f"reuse of documents on record for {service.id}")}
        reused = []
        for material in wanted:
            found = next((on_record[t] for t in material.doc_types if t in on_record), None)
            if found is not None and found.doc_type not in {r.doc_type for r in reused}:
                reused.append(DocumentReading(
                    file=f"{REUSED_PREFIX}{material.label}", sha256=found.sha256, doc_type=found.doc_type,
                    confidence=1.0, fields=dict(found.fields), quality=Quality(ok=True)))
        return reused

    def _index(self, result: SubmissionResult, *, revision: int, previous: Case | None) -> None:
        index_result(self.store, self.archive, result, revision=revision, previous=previous)

    # The same surface as the queued variant (portal/queued.py) ---------------------------------

    def submit(self, service: Service, applicant: str, name: str, files: list[tuple[str, bytes]],
               inputs: dict[str, str] | None = None) -> str:
        return self.apply(service, applicant, name, files, inputs).submission_id

    def sync(self, case: Case) -> Case:
        """In-process the index is written as each review ends: nothing to catch up on."""
        return case

    def progress(self, submission_id: str) -> dict[str, str]:
        return {}

    def closed(self, submission_id: str) -> None:
        """A reviewer closed the case (nothing else holds it in-process)."""

    def health(self) -> str:
        return "本机处理（未配置 Redis 队列）：申请在门户进程内逐件识别、预审"


def index_result(store: PortalStore, archive: Archive, result: SubmissionResult, *, revision: int,
                 previous: Case | None) -> Case:
    """Write (or update) the case row of a reviewed application."""
    citizen_key = archive.citizen_key(result.applicant) if result.applicant else None
    accepted = result.decision is Decision.ACCEPTED
    now = utcnow()
    case = previous or Case(
        submission_id=result.submission_id, service=result.service, citizen_key=citizen_key,
        received_at=result.received_at.isoformat(timespec="seconds"), updated_at=now, revision=revision,
        machine_decision=result.decision.value, first_machine_decision=result.decision.value,
        finding_codes=[], reused=[], status=Status.PENDING)
    if previous is not None and previous.status == Status.WAITING:
        case.reworks += 1
    if case.first_machine_decision == Status.PROCESSING:
        case.first_machine_decision = result.decision.value
    case.updated_at, case.revision = now, revision
    case.machine_decision = result.decision.value
    case.finding_codes = sorted({f.code.value for f in result.blockers})
    case.reused = [d.doc_type.value for d in result.documents if is_reused(d)]
    if case.status in (Status.PENDING, Status.WAITING, Status.ACCEPTED, Status.PROCESSING):
        case.status = Status.ACCEPTED if accepted else Status.PENDING
        if accepted:
            case.decided_at = now
    store.put_case(case)
    return case


def name_findings(name: str, documents: list[DocumentReading]) -> list[Finding]:
    """The name the citizen typed against the name on the ID card they uploaded."""
    name = "".join(name.split())
    for doc in documents:
        read = doc.fields.get("name")
        if doc.doc_type is DocType.ID_CARD_FRONT and not is_reused(doc) and read and name and read != name:
            return [Finding(code=FindingCode.INCONSISTENT_FIELD, severity=Severity.BLOCKER, file=doc.file,
                            page=doc.page, document_type=doc.doc_type, field="name",
                            region=doc.regions.get("name"),
                            message="身份证上的姓名与填写的申请人姓名不一致，请核对姓名，或上传申请人本人的身份证。")]
    return []
