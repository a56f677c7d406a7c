"""The archive's own records: a citizen's history events and the state derived from them,
audit entries, biometric references, and the reports of verify / erase / export / reindex.

Whatever here names a citizen does so by `citizen_key` (an HMAC of the ID number), never by
the ID number itself, so these records can be listed, logged and indexed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from schemas.documents import DocType, DocumentReading
from schemas.findings import Finding, FindingCode
from schemas.submission import Decision, Upload


class EventKind(StrEnum):
    SUBMISSION_RECEIVED = "submission_received"
    DOCUMENTS_READ = "documents_read"
    FINDINGS = "findings"
    DECISION = "decision"
    VERIFICATION = "verification"
    BIOMETRIC_STORED = "biometric_stored"
    BIOMETRIC_PURGED = "biometric_purged"
    REVIEW_DECISION = "review_decision"
    """A reviewer's decision on a pre-reviewed submission (dual-track, 双轨运行)."""


EVENT_ORDER: dict[EventKind, int] = {kind: i for i, kind in enumerate(EventKind, start=1)}
"""Within one submission, events sort in this order whatever time they were written."""


class BiometricKind(StrEnum):
    VIDEO = "video"
    SELFIE = "selfie"
    TEMPLATE = "template"

    @property
    def raw(self) -> bool:
        """Raw captures go once verification is recorded; the template stays."""
        return self is not BiometricKind.TEMPLATE


class BiometricRef(BaseModel):
    kind: BiometricKind
    ref: str
    """Random id; the object lives under biometric/<citizen_key>/<kind>/<ref>."""
    size: int
    stored_at: datetime


class VerificationRecord(BaseModel):
    """The outcome of one remote verification, as the history keeps it."""

    decision: Literal["pass", "fail", "review"]
    distance: float | None = None
    threshold: float | None = None
    liveness: dict[str, float | bool | str] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)
    probes: list[str] = Field(default_factory=list)
    """BiometricRef.ref of the selfies / videos the decision was made from."""
    template: str | None = None
    """BiometricRef.ref of the face template kept for next year."""


class ReviewerDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    REQUESTED_ITEM = "requested_item"
    """The citizen is asked for one more (or one redone) item."""


class ReviewRecord(BaseModel):
    """A reviewer's decision beside the machine's, as the history keeps it (sealed with the
    citizen's data key like every event: the note may name people)."""

    revision: str = "0"
    """The submission revision the reviewer decided on."""
    reviewer: str
    decision: ReviewerDecision
    machine_decision: Decision
    """The machine's decision on that revision, kept here so the pair is compared as it was."""
    machine_codes: list[FindingCode] = Field(default_factory=list)
    """The codes of the machine's blockers on that revision."""
    disagreed_codes: list[FindingCode] = Field(default_factory=list)
    """Machine findings the reviewer judged wrong (false alarms), if they said which."""
    requested_item: str | None = None
    note: str | None = None


class ArchiveEvent(BaseModel):
    """One entry of a citizen's append-only history. Which fields are set depends on `kind`."""

    event_id: str
    kind: EventKind
    at: datetime
    actor: str
    citizen_key: str
    submission_id: str | None = None
    service: str | None = None
    uploads: list[Upload] = Field(default_factory=list)
    documents: list[DocumentReading] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    decision: Decision | None = None
    verification: VerificationRecord | None = None
    biometrics: list[BiometricRef] = Field(default_factory=list)
    inputs: dict[str, str] = Field(default_factory=dict)
    """submission_received: what the applicant stated besides the documents."""
    review: ReviewRecord | None = None
    """review_decision: the reviewer's decision beside the machine's."""


class RecordedDocument(BaseModel):
    """The latest reading of one document type: what a later application may reuse."""

    doc_type: DocType
    submission_id: str | None
    sha256: str | None
    read_at: datetime
    fields: dict[str, str] = Field(default_factory=dict)


class SubmissionSummary(BaseModel):
    submission_id: str
    service: str | None = None
    received_at: datetime | None = None
    decision: Decision | None = None
    finding_codes: list[FindingCode] = Field(default_factory=list)
    reviewer_decision: ReviewerDecision | None = None
    """The latest reviewer decision on this submission, if a reviewer has decided."""


class CitizenState(BaseModel):
    """Derived from the history alone: fold the events in order and this is what you get."""

    citizen_key: str
    events: int = 0
    updated_at: datetime | None = None
    submissions: list[SubmissionSummary] = Field(default_factory=list)
    documents: dict[DocType, RecordedDocument] = Field(default_factory=dict)
    last_verification: VerificationRecord | None = None
    last_verified_at: datetime | None = None
    biometrics: list[BiometricRef] = Field(default_factory=list)
    """Biometric objects still held (raw captures disappear once purged)."""


class AuditAction(StrEnum):
    READ = "read"
    WRITE = "write"
    ERASE = "erase"
    EXPORT = "export"
    VERIFY = "verify"
    REINDEX = "reindex"
    PURGE = "purge"
    AUDIT_READ = "audit_read"


class AuditEntry(BaseModel):
    """Who did what to which objects, when and why. Linked to the previous entry of the same
    scope by `prev` (its hash); `hash` covers every other field."""

    scope: str
    seq: int
    at: datetime
    actor: str
    action: AuditAction
    purpose: str
    objects: list[str] = Field(default_factory=list)
    prev: str
    hash: str = ""


class Problem(BaseModel):
    kind: Literal["missing", "corrupted", "unreadable", "chain_broken", "orphan"]
    key: str
    detail: str


class VerifyReport(BaseModel):
    blobs: int = 0
    events: int = 0
    submissions: int = 0
    biometrics: int = 0
    audit_entries: int = 0
    problems: list[Problem] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class EraseReport(BaseModel):
    citizen_key: str
    erased_at: datetime
    removed: dict[str, int] = Field(default_factory=dict)
    """Objects removed, by category: events, uploads, submissions, biometrics, keys."""
    keys_destroyed: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class ExportEntry(BaseModel):
    path: str
    sha256: str
    size: int


class ExportManifest(BaseModel):
    citizen_key: str
    generated_at: datetime
    archive: str
    files: list[ExportEntry] = Field(default_factory=list)
    events: int = 0
    submissions: int = 0


class SubmissionIndexEntry(BaseModel):
    """What an index keeps per submission (no personal data: the citizen by key only)."""

    submission_id: str
    service: str
    submitted_on: date
    decision: Decision
    finding_codes: list[FindingCode] = Field(default_factory=list)
    citizen_key: str | None = None


class CitizenIndexEntry(BaseModel):
    citizen_key: str
    submissions: int
    last_decision: Decision | None = None
    documents_on_record: list[DocType] = Field(default_factory=list)
    last_verification: Literal["pass", "fail", "review"] | None = None
    updated_at: datetime | None = None


class ReindexSummary(BaseModel):
    submissions: int = 0
    citizens: int = 0
    unreadable: int = 0
    by_service: dict[str, int] = Field(default_factory=dict)
    by_decision: dict[str, int] = Field(default_factory=dict)
    by_finding: dict[str, int] = Field(default_factory=dict)
