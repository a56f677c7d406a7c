"""A citizen's append-only history, and the current state derived from it.

Every event is its own sealed object, citizens/<citizen_key>/events/<event_id>.enc, written
with a conditional write and never changed: two workers recording for one citizen at once
write different keys and lose nothing; no read-modify-write anywhere. Event ids sort roughly in
time order (a submission's events by its id, then pipeline order: received → read → findings →
decision); the state is folded in the order the events were made (`at`).
An event about a submission has a deterministic id (submission id, kind, revision), so running
the same step again (a retry after a fault) writes nothing twice."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from schemas.archive import (
    EVENT_ORDER,
    ArchiveEvent,
    CitizenState,
    EventKind,
    RecordedDocument,
    SubmissionSummary,
)
from schemas.documents import DocType
from storage.blobs import BlobStore
from storage.crypto import seal, unseal
from storage.keys import DataKeys


def make_event_id(kind: EventKind, *, submission_id: str | None, at: datetime, revision: str = "0") -> str:
    if submission_id is None:
        anchor = f"{at:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
    else:
        anchor = submission_id
    if not revision.isalnum():
        raise ValueError("an event revision is letters and digits only")
    return f"{anchor}.{EVENT_ORDER[kind]:02d}-{kind.value}.{revision}"


def event_prefix(citizen_key: str) -> str:
    return f"citizens/{citizen_key}/events/"


class History:
    def __init__(self, store: BlobStore, keys: DataKeys):
        self.store = store
        self.keys = keys

    def event_key(self, event: ArchiveEvent) -> str:
        return f"{event_prefix(event.citizen_key)}{event.event_id}.enc"

    def append(self, event: ArchiveEvent) -> bool:
        """Write the event; False if one with the same id is already there (a repeat)."""
        key = self.event_key(event)
        dek = self.keys.get(event.citizen_key, create=True)
        return self.store.create(key, seal(dek, event.citizen_key, key, event.model_dump_json().encode()))

    def event_keys(self, citizen_key: str) -> list[str]:
        return [k for k in self.store.list(event_prefix(citizen_key)) if k.endswith(".enc")]

    def read_key(self, key: str, citizen_key: str) -> ArchiveEvent:
        dek = self.keys.get(citizen_key)
        return ArchiveEvent.model_validate_json(unseal(dek, key, self.store.get(key)))

    def read(self, citizen_key: str) -> list[ArchiveEvent]:
        return [self.read_key(key, citizen_key) for key in self.event_keys(citizen_key)]

    def citizens(self) -> list[str]:
        """Every citizen key with a history (from the object keys alone)."""
        return sorted({key.split("/")[1] for key in self.store.list("citizens/")})


def derive_state(citizen_key: str, events: list[ArchiveEvent]) -> CitizenState:
    """Fold the history, oldest first, into what is true now."""
    state = CitizenState(citizen_key=citizen_key, events=len(events))
    submissions: dict[str, SubmissionSummary] = {}
    upload_sha: dict[tuple[str, str], str] = {}
    held: dict[str, object] = {}
    for event in sorted(events, key=lambda e: (e.at, e.event_id)):
        state.updated_at = max(filter(None, (state.updated_at, event.at)))
        summary = None
        if event.submission_id:
            summary = submissions.setdefault(event.submission_id,
                                             SubmissionSummary(submission_id=event.submission_id))
            summary.service = event.service or summary.service
        if event.kind is EventKind.SUBMISSION_RECEIVED and summary:
            summary.received_at = event.at
            for upload in event.uploads:
                upload_sha[(event.submission_id, upload.file)] = upload.sha256
        elif event.kind is EventKind.DOCUMENTS_READ:
            for reading in event.documents:
                if reading.doc_type is DocType.UNKNOWN:
                    continue
                sha = reading.sha256 or upload_sha.get((event.submission_id or "", reading.file))
                state.documents[reading.doc_type] = RecordedDocument(
                    doc_type=reading.doc_type, submission_id=event.submission_id, sha256=sha,
                    read_at=event.at, fields=dict(reading.fields))
        elif event.kind is EventKind.FINDINGS and summary:
            summary.finding_codes = sorted({f.code for f in event.findings})
        elif event.kind is EventKind.DECISION and summary:
            summary.decision = event.decision
        elif event.kind is EventKind.REVIEW_DECISION and summary and event.review:
            summary.reviewer_decision = event.review.decision
        elif event.kind is EventKind.VERIFICATION:
            state.last_verification = event.verification
            state.last_verified_at = event.at
        elif event.kind is EventKind.BIOMETRIC_STORED:
            held.update({ref.ref: ref for ref in event.biometrics})
        elif event.kind is EventKind.BIOMETRIC_PURGED:
            for ref in event.biometrics:
                held.pop(ref.ref, None)
    state.submissions = sorted(submissions.values(), key=lambda s: s.submission_id)
    state.biometrics = list(held.values())
    return state


def now() -> datetime:
    return datetime.now(timezone.utc)
