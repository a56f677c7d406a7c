"""Rebuild, from the archive alone, what the indexes need: one entry per submission (service,
date, decision, finding codes) and one per citizen (current state summary). The entries go to
an IndexSink; the Redis sink arrives with the workers issue, and until then `CountingSink`
only tallies what an index would hold. Entries carry no personal data (citizens by key)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Protocol

from schemas.archive import AuditAction, CitizenIndexEntry, ReindexSummary, SubmissionIndexEntry
from schemas.submission import SubmissionResult
from storage.crypto import sealed_scope, unseal
from storage.errors import StorageError
from storage.history import derive_state
from storage.keys import SYSTEM_SCOPE

if TYPE_CHECKING:
    from storage.archive import Archive


class IndexSink(Protocol):
    def submission(self, entry: SubmissionIndexEntry) -> None: ...

    def citizen(self, entry: CitizenIndexEntry) -> None: ...


class CountingSink:
    """Keeps the entries in memory (tests, and the summary `archive reindex` prints)."""

    def __init__(self, keep: bool = False):
        self.keep = keep
        self.submissions: list[SubmissionIndexEntry] = []
        self.citizens: list[CitizenIndexEntry] = []
        self.counts: Counter[str] = Counter()

    def submission(self, entry: SubmissionIndexEntry) -> None:
        self.counts["submissions"] += 1
        if self.keep:
            self.submissions.append(entry)

    def citizen(self, entry: CitizenIndexEntry) -> None:
        self.counts["citizens"] += 1
        if self.keep:
            self.citizens.append(entry)


def _load_record(archive: Archive, key: str) -> tuple[SubmissionResult, str | None]:
    raw = archive.store.get(key)
    if not key.endswith(".enc"):
        return SubmissionResult.model_validate_json(raw), None
    scope = sealed_scope(raw, key)
    record = SubmissionResult.model_validate_json(unseal(archive.keys.get(scope), key, raw))
    return record, (None if scope == SYSTEM_SCOPE else scope)


def reindex_archive(archive: Archive, sink: IndexSink, *, actor: str) -> ReindexSummary:
    summary = ReindexSummary()
    citizens = archive.history_store.citizens()
    for scope in [SYSTEM_SCOPE, *citizens]:
        archive.audit_log.append(scope, actor=actor, action=AuditAction.REINDEX,
                                 purpose="rebuild indexes from the archive")
    by_service, by_decision, by_finding = Counter(), Counter(), Counter()
    for key in archive.store.list("submissions/"):
        try:
            record, citizen_key = _load_record(archive, key)
        except (StorageError, ValueError):
            summary.unreadable += 1
            continue
        codes = sorted({f.code for f in record.findings})
        sink.submission(SubmissionIndexEntry(
            submission_id=record.submission_id, service=record.service, submitted_on=record.submitted_on,
            decision=record.decision, finding_codes=codes, citizen_key=citizen_key))
        summary.submissions += 1
        by_service[record.service] += 1
        by_decision[record.decision.value] += 1
        by_finding.update(code.value for code in codes)
    for citizen_key in citizens:
        try:
            state = derive_state(citizen_key, archive.history_store.read(citizen_key))
        except (StorageError, ValueError):
            summary.unreadable += 1
            continue
        decided = [s for s in state.submissions if s.decision is not None]
        sink.citizen(CitizenIndexEntry(
            citizen_key=citizen_key, submissions=len(state.submissions),
            last_decision=decided[-1].decision if decided else None,
            documents_on_record=sorted(state.documents),
            last_verification=state.last_verification.decision if state.last_verification else None,
            updated_at=state.updated_at))
        summary.citizens += 1
    summary.by_service, summary.by_decision = dict(by_service), dict(by_decision)
    summary.by_finding = dict(by_finding)
    return summary
