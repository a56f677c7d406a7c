"""Dual-track (双轨运行): agencies run the machine beside their clerks for months before trusting
it. The machine's decision and findings are archived with each submission; a reviewer's
decision for it goes into the citizen's history beside them (`record_reviewer_decision`, from
`onewindow review` and the portal's reviewer console alike); `agreement` reads the archive and
says, per service and per finding code, how often machine and reviewer agreed.

Agreement, per decided submission revision (the latest reviewer decision on it counts):
- machine accepted, reviewer approved → agree;
- machine flagged, reviewer rejected or asked for an item → agree;
- machine flagged, reviewer approved → a false alarm, counted against every blocker code of
  the case;
- machine accepted, reviewer rejected or asked for an item → a miss.
Per finding code, a flagged case the reviewer rejected still counts a code the reviewer named
as wrong (`disagreed_codes`) as a false alarm of that code."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from schemas.archive import ArchiveEvent, EventKind, ReviewerDecision, ReviewRecord
from schemas.catalog import default_catalog
from schemas.errors import InputError
from schemas.findings import FindingCode, Severity
from schemas.submission import Decision
from storage.archive import Archive
from storage.errors import NotFoundError
from storage.reviews import record_review, review_events


class NoHistoryError(InputError):
    """The submission names no applicant, so there is no citizen history to file a review in."""


def record_reviewer_decision(archive: Archive, submission_id: str, decision: ReviewerDecision | str, *,
                             reviewer: str, note: str | None = None,
                             disagreed_codes: Iterable[FindingCode | str] = (),
                             requested_item: str | None = None, revision: str | None = None,
                             actor: str | None = None) -> ArchiveEvent:
    """File a reviewer's decision on a submission in the citizen's history, beside the machine's
    decision and blocker codes on that revision (the latest one unless `revision` is given)."""
    try:
        decision = ReviewerDecision(decision)
        disagreed = sorted({FindingCode(c) for c in disagreed_codes})
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    actor = actor or f"reviewer:{reviewer}"
    try:
        record = archive.load_submission(submission_id, actor=actor, purpose="reviewer decision")
    except NotFoundError as exc:
        raise InputError(f"no submission {submission_id} in the archive at {archive.location}") from exc
    if not record.applicant:
        raise NoHistoryError(f"submission {submission_id} names no applicant: there is no citizen history "
                             "to record a review in")
    machine_codes = sorted({f.code for f in record.findings if f.severity is Severity.BLOCKER})
    wrong = [c.value for c in disagreed if c not in machine_codes]
    if wrong:
        raise InputError(f"the machine raised no {', '.join(wrong)} blocker on {submission_id}; "
                         f"its blockers: {', '.join(c.value for c in machine_codes) or 'none'}")
    if requested_item is not None:
        if decision is not ReviewerDecision.REQUESTED_ITEM:
            raise InputError("an item is named only with the decision requested_item")
        service = default_catalog().get(record.service)
        if service.material(requested_item) is None:
            raise InputError(f"service '{service.id}' has no material '{requested_item}'; it has: "
                             f"{', '.join(m.id for m in service.materials)}")
    if revision is None:
        revision = _latest_revision(archive, record.applicant, submission_id, actor)
    review = ReviewRecord(revision=str(revision), reviewer=reviewer, decision=decision,
                          machine_decision=record.decision, machine_codes=machine_codes,
                          disagreed_codes=disagreed, requested_item=requested_item, note=note or None)
    return record_review(archive, record.applicant, submission_id, record.service, review, actor=actor,
                         purpose=f"reviewer decision: {decision.value}")


def _latest_revision(archive: Archive, citizen: str, submission_id: str, actor: str) -> str:
    decided = [e for e in archive.history(citizen, actor=actor, purpose="reviewer decision: which revision")
               if e.kind is EventKind.DECISION and e.submission_id == submission_id]
    if not decided:
        return "0"
    return max(decided, key=lambda e: e.at).event_id.rsplit(".", 1)[1]


# The report ------------------------------------------------------------------------------------

class Tally(BaseModel):
    reviewed: int = 0
    agree: int = 0
    both_accepted: int = 0
    """Machine accepted, reviewer approved."""
    both_flagged: int = 0
    """Machine flagged, reviewer rejected or asked for an item."""
    false_alarms: int = 0
    """Machine flagged, reviewer approved."""
    misses: int = 0
    """Machine accepted, reviewer rejected or asked for an item."""

    @property
    def rate(self) -> float | None:
        return round(self.agree / self.reviewed, 4) if self.reviewed else None


class CodeTally(BaseModel):
    flagged: int = 0
    """Reviewed cases where the machine raised this code as a blocker."""
    agree: int = 0
    false_alarms: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.agree / self.flagged, 4) if self.flagged else None


class Agreement(BaseModel):
    service: str | None = None
    """The service the report is limited to, if any."""
    overall: Tally = Field(default_factory=Tally)
    services: dict[str, Tally] = Field(default_factory=dict)
    codes: dict[str, CodeTally] = Field(default_factory=dict)

    def as_json(self) -> dict:
        def with_rate(t: BaseModel) -> dict:
            return {**t.model_dump(), "rate": t.rate}

        return {"service": self.service, "overall": with_rate(self.overall),
                "services": {k: with_rate(v) for k, v in sorted(self.services.items())},
                "codes": {k: with_rate(v) for k, v in sorted(self.codes.items())}}


def agreement(archive: Archive, service: str | None = None, *, actor: str = "report") -> Agreement:
    """How often machine and reviewer agreed, from the reviewer decisions in the archive."""
    if service is not None:
        default_catalog().get(service)  # an unknown service id is an error, not an empty report
    latest: dict[tuple[str, str], ArchiveEvent] = {}
    for event in review_events(archive, actor=actor):
        if event.review is None or (service and event.service != service):
            continue
        key = (event.submission_id or "", event.review.revision)
        if key not in latest or (event.at, event.event_id) > (latest[key].at, latest[key].event_id):
            latest[key] = event
    report = Agreement(service=service)
    for event in latest.values():
        review = event.review
        flagged = review.machine_decision is Decision.FLAGGED
        approved = review.decision is ReviewerDecision.APPROVED
        for tally in (report.overall, report.services.setdefault(event.service or "?", Tally())):
            tally.reviewed += 1
            if flagged and not approved:
                tally.agree += 1
                tally.both_flagged += 1
            elif not flagged and approved:
                tally.agree += 1
                tally.both_accepted += 1
            elif flagged:
                tally.false_alarms += 1
            else:
                tally.misses += 1
        if flagged:
            for code in review.machine_codes:
                tally = report.codes.setdefault(code.value, CodeTally())
                tally.flagged += 1
                if approved or code in review.disagreed_codes:
                    tally.false_alarms += 1
                else:
                    tally.agree += 1
    return report
