"""The Redis indexes: submissions by service, date, decision and finding code, citizens'
current state by citizen key, and the review queue. The live pipeline keeps them current
(`review_job` files each decision); `onewindow archive reindex` rebuilds all of them from the
archive alone through `RedisIndexSink` (storage/reindex.py's IndexSink)."""

from __future__ import annotations

from datetime import date

from redis import Redis

from schemas.archive import CitizenIndexEntry, SubmissionIndexEntry
from schemas.submission import Decision
from workers.queues import Names
from workers.review_queue import ReviewQueue


class RedisIndexSink:
    def __init__(self, redis: Redis, names: Names):
        self.redis, self.names = redis, names
        self.review = ReviewQueue(redis, names)

    def _k(self, *parts: str) -> str:
        return self.names.key("idx", *parts)

    def clear(self) -> int:
        """Drop every index and the review queue (before a rebuild); returns keys deleted."""
        deleted = 0
        for pattern in (self._k("*"), self.names.review_queue, self.names.key("review", "item", "*")):
            keys = list(self.redis.scan_iter(match=pattern, count=1000))
            for start in range(0, len(keys), 500):
                deleted += self.redis.delete(*keys[start:start + 500])
        return deleted

    def submission(self, entry: SubmissionIndexEntry) -> None:
        sid = entry.submission_id
        old = {k.decode(): v.decode() for k, v in self.redis.hgetall(self._k("sub", sid)).items()}
        codes = [c.value for c in entry.finding_codes]
        with self.redis.pipeline() as pipe:
            if old:
                pipe.srem(self._k("decision", old.get("decision", "")), sid)
                pipe.srem(self._k("service", old.get("service", "")), sid)
                for code in filter(None, old.get("finding_codes", "").split(",")):
                    pipe.srem(self._k("finding", code), sid)
            pipe.hset(self._k("sub", sid), mapping={
                "service": entry.service, "submitted_on": entry.submitted_on.isoformat(),
                "decision": entry.decision.value, "finding_codes": ",".join(codes),
                "citizen_key": entry.citizen_key or ""})
            pipe.zadd(self._k("by-date"), {sid: entry.submitted_on.toordinal()})
            pipe.sadd(self._k("service", entry.service), sid)
            pipe.sadd(self._k("decision", entry.decision.value), sid)
            for code in codes:
                pipe.sadd(self._k("finding", code), sid)
            if entry.decision is Decision.FLAGGED:
                self.review.add(sid, entry.service, codes, entry.submitted_on, entry.citizen_key, pipe=pipe)
            else:
                self.review.remove(sid, pipe=pipe)
            pipe.execute()

    def citizen(self, entry: CitizenIndexEntry) -> None:
        self.redis.hset(self._k("citizen", entry.citizen_key), mapping={
            "submissions": entry.submissions,
            "last_decision": entry.last_decision.value if entry.last_decision else "",
            "documents_on_record": ",".join(d.value for d in entry.documents_on_record),
            "last_verification": entry.last_verification or "",
            "updated_at": entry.updated_at.isoformat() if entry.updated_at else ""})

    # Reading the indexes back ---------------------------------------------------------------

    def submission_entry(self, submission_id: str) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.redis.hgetall(self._k("sub", submission_id)).items()}

    def select(self, service: str | None = None, since: date | None = None, until: date | None = None,
               finding: str | None = None) -> list[str]:
        lo = since.toordinal() if since else "-inf"
        hi = until.toordinal() if until else "+inf"
        ids = [m.decode() for m in self.redis.zrangebyscore(self._k("by-date"), lo, hi)]
        if service:
            keep = {m.decode() for m in self.redis.smembers(self._k("service", service))}
            ids = [i for i in ids if i in keep]
        if finding:
            keep = {m.decode() for m in self.redis.smembers(self._k("finding", finding))}
            ids = [i for i in ids if i in keep]
        return ids

    def counts(self) -> dict[str, int]:
        return {"submissions": self.redis.zcard(self._k("by-date")),
                "flagged": self.redis.scard(self._k("decision", "flagged")),
                "accepted": self.redis.scard(self._k("decision", "accepted")),
                "review_queue": len(self.review)}
