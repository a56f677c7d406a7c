"""Reviewer decisions in the citizen's history (dual-track, 双轨运行): the system of record for
how machine and reviewer compare is the archive, not the portal's case store.

A review event is sealed with the citizen's data key like every event (its note may name
people). Its id is unique per decision (a reviewer may correct an earlier decision; the latest
on a submission revision counts), and its object key names the kind, so the reviews of the
whole archive are found from the key listing without opening any other event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from schemas.archive import ArchiveEvent, AuditAction, EventKind, ReviewRecord
from storage.history import event_prefix, make_event_id, now

if TYPE_CHECKING:
    from storage.archive import Archive

_MARK = f"-{EventKind.REVIEW_DECISION.value}."


def record_review(archive: Archive, citizen: str, submission_id: str, service: str, review: ReviewRecord, *,
                  actor: str, purpose: str = "reviewer decision") -> ArchiveEvent:
    """Append the reviewer's decision to the citizen's history, under one audit entry."""
    at = now()
    stamp = f"{review.revision}x{at:%Y%m%d%H%M%S%f}"  # unique per decision, sorts in time order
    ck = archive.citizen_key(citizen)
    event = ArchiveEvent(event_id=make_event_id(EventKind.REVIEW_DECISION, submission_id=submission_id, at=at,
                                                revision=stamp),
                         kind=EventKind.REVIEW_DECISION, at=at, actor=actor, citizen_key=ck,
                         submission_id=submission_id, service=service, review=review)
    archive.record_events([event], actor=actor, purpose=purpose)
    return event


def review_events(archive: Archive, *, actor: str, purpose: str = "dual-track agreement report"
                  ) -> Iterator[ArchiveEvent]:
    """Every reviewer decision in the archive, citizen by citizen; each citizen's reads audited.
    Histories whose data key is gone (erased citizens) are skipped."""
    history = archive.history_store
    for citizen_key in history.citizens():
        keys = [k for k in history.event_keys(citizen_key) if _MARK in k.removeprefix(event_prefix(citizen_key))]
        if not keys or not archive.readable(citizen_key):
            continue
        archive.audit_log.append(citizen_key, actor=actor, action=AuditAction.READ, purpose=purpose, objects=keys)
        for key in keys:
            yield history.read_key(key, citizen_key)
