"""The indicators agencies report, computed from the case index (no personal data needed)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from portal.store import Case, Status


@dataclass
class Metrics:
    total: int = 0
    no_touch: int = 0
    open_pending: int = 0
    open_waiting: int = 0
    oldest_open_hours: float | None = None
    decision_minutes_p50: float | None = None
    decision_minutes_p90: float | None = None
    findings: dict[str, Counter] = field(default_factory=dict)
    """service → finding code → open or last-reviewed applications carrying it."""
    by_reviewer: dict[str, Counter] = field(default_factory=dict)
    reworks: int = 0
    agreement: dict[str, tuple[int, int]] = field(default_factory=dict)
    """service → (reviewed flagged cases where the reviewer also found a gap, reviewed flagged cases)."""

    @property
    def no_touch_share(self) -> float | None:
        return self.no_touch / self.total if self.total else None


def _minutes(case: Case) -> float | None:
    if not case.decided_at:
        return None
    return (datetime.fromisoformat(case.decided_at) - datetime.fromisoformat(case.received_at)).total_seconds() / 60


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def compute(cases: list[Case], now: datetime) -> Metrics:
    m = Metrics(total=len(cases))
    durations, findings, reviewers = [], defaultdict(Counter), defaultdict(Counter)
    agree = defaultdict(lambda: [0, 0])
    for case in cases:
        if case.status == Status.ACCEPTED and case.reviewer is None:
            m.no_touch += 1
        if case.status == Status.PENDING:
            m.open_pending += 1
        if case.status == Status.WAITING:
            m.open_waiting += 1
        if case.open:
            hours = (now - datetime.fromisoformat(case.received_at)).total_seconds() / 3600
            m.oldest_open_hours = max(hours, m.oldest_open_hours or 0.0)
        if case.status in (Status.ACCEPTED, Status.APPROVED, Status.REJECTED):
            minutes = _minutes(case)
            if minutes is not None:
                durations.append(minutes)
        for code in case.finding_codes:
            findings[case.service][code] += 1
        if case.reviewer and case.reviewer_decision:
            reviewers[case.reviewer][case.reviewer_decision] += 1
        m.reworks += case.reworks
        if case.reviewer_decision and case.first_machine_decision == "flagged":
            agree[case.service][1] += 1
            agree[case.service][0] += case.reviewer_decision != "approved"
    m.decision_minutes_p50 = median(durations) if durations else None
    m.decision_minutes_p90 = _quantile(durations, 0.9)
    m.findings = dict(findings)
    m.by_reviewer = dict(reviewers)
    m.agreement = {service: (a, n) for service, (a, n) in agree.items()}
    return m
