"""Flagged applications waiting for a reviewer: a sorted set in Redis, most urgent first and,
within one priority, oldest first. Rebuildable from the archive (`onewindow archive reindex`
feeds it through workers/indexes.py), so it holds ids and finding codes only."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

from pydantic import BaseModel
from redis import Redis
from redis.client import Pipeline

from schemas.findings import FindingCode
from workers.queues import Names

PRIORITY: dict[FindingCode, int] = {
    FindingCode.PROCESSING_FAILED: 0,    # the system failed, not the citizen: look first
    FindingCode.INELIGIBLE: 1,
    FindingCode.INCONSISTENT_FIELD: 1,
    FindingCode.VERIFICATION_FAILED: 1,
}
DEFAULT_PRIORITY = 2
SPAN = 10 ** 11
"""Priorities are bands of the score; within a band the score is the submission time."""


def priority_of(codes: Iterable[str]) -> int:
    return min((PRIORITY.get(FindingCode(c), DEFAULT_PRIORITY) for c in codes), default=DEFAULT_PRIORITY)


def submitted_at(submission_id: str, fallback: date | None = None) -> float:
    """Submission ids start with their UTC time (20261128T120830-…): age survives a rebuild."""
    try:
        return datetime.strptime(submission_id[:15], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        day = fallback or date(1970, 1, 1)
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()


class ReviewItem(BaseModel):
    submission_id: str
    service: str
    priority: int
    finding_codes: list[str]
    submitted_on: date | None = None
    citizen_key: str | None = None


class ReviewQueue:
    def __init__(self, redis: Redis, names: Names):
        self.redis, self.names = redis, names

    def add(self, submission_id: str, service: str, codes: Iterable[str], submitted_on: date | None = None,
            citizen_key: str | None = None, pipe: Pipeline | None = None) -> None:
        codes = sorted({str(c) for c in codes})
        prio = priority_of(codes)
        target = pipe if pipe is not None else self.redis.pipeline()
        item = {"service": service, "priority": prio, "finding_codes": ",".join(codes),
                "submitted_on": submitted_on.isoformat() if submitted_on else "", "citizen_key": citizen_key or ""}
        target.delete(self.names.review_item(submission_id))
        target.hset(self.names.review_item(submission_id), mapping={k: str(v) for k, v in item.items()})
        target.zadd(self.names.review_queue, {submission_id: prio * SPAN + submitted_at(submission_id, submitted_on)})
        if pipe is None:
            target.execute()

    def remove(self, submission_id: str, pipe: Pipeline | None = None) -> None:
        target = pipe if pipe is not None else self.redis.pipeline()
        target.zrem(self.names.review_queue, submission_id)
        target.delete(self.names.review_item(submission_id))
        if pipe is None:
            target.execute()

    def __len__(self) -> int:
        return self.redis.zcard(self.names.review_queue)

    def __contains__(self, submission_id: str) -> bool:
        return self.redis.zscore(self.names.review_queue, submission_id) is not None

    def ids(self, limit: int = -1) -> list[str]:
        stop = -1 if limit < 0 else limit - 1
        return [m.decode() for m in self.redis.zrange(self.names.review_queue, 0, stop)]

    def items(self, limit: int = 50) -> list[ReviewItem]:
        found = []
        for sid in self.ids(limit):
            raw = {k.decode(): v.decode() for k, v in self.redis.hgetall(self.names.review_item(sid)).items()}
            found.append(ReviewItem(
                submission_id=sid, service=raw.get("service", ""), priority=int(raw.get("priority", DEFAULT_PRIORITY)),
                finding_codes=[c for c in raw.get("finding_codes", "").split(",") if c],
                submitted_on=raw.get("submitted_on") or None, citizen_key=raw.get("citizen_key") or None))
        return found
