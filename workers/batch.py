"""A reprocessing batch's bookkeeping in Redis: what was selected (with each submission's
decision before), what is done, what failed, which decisions flipped. Jobs record their
outcome here; `onewindow reprocess` reads it for the progress bar, resume and summary."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from redis import Redis

from schemas.errors import InputError
from workers.queues import Names

BATCH_ID = re.compile(r"^[A-Za-z0-9]{1,40}$")


def revision_of(batch_id: str) -> str:
    """The archive revision a batch writes under (letters and digits only)."""
    return f"b{batch_id}"


class BatchBoard:
    def __init__(self, redis: Redis, names: Names, batch_id: str):
        if not BATCH_ID.match(batch_id):
            raise InputError(f"batch id {batch_id!r}: letters and digits only, at most 40")
        self.redis, self.names, self.id = redis, names, batch_id

    def k(self, part: str = "") -> str:
        return self.names.batch(self.id, part)

    def exists(self) -> bool:
        return bool(self.redis.exists(self.k()))

    def create(self, selection: dict[str, tuple[str, str]], filters: dict) -> None:
        """selection: {submission_id: (service, decision before)}, stored in selection order."""
        with self.redis.pipeline() as pipe:
            pipe.hset(self.k(), mapping={"filters": json.dumps(filters), "total": len(selection)})
            if selection:
                pipe.rpush(self.k("ids"), *selection)
                pipe.hset(self.k("before"), mapping={sid: f"{svc}|{dec}" for sid, (svc, dec) in selection.items()})
            pipe.execute()

    def info(self) -> dict:
        raw = {k.decode(): v.decode() for k, v in self.redis.hgetall(self.k()).items()}
        return {"filters": json.loads(raw.get("filters", "{}")), "total": int(raw.get("total", 0))}

    def ids(self) -> list[str]:
        return [m.decode() for m in self.redis.lrange(self.k("ids"), 0, -1)]

    def before(self, submission_id: str) -> tuple[str, str]:
        raw = (self.redis.hget(self.k("before"), submission_id) or b"|").decode()
        service, _, decision = raw.partition("|")
        return service, decision

    def mark_enqueued(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self.redis.sadd(self.k("enqueued"), *ids)

    def enqueued(self) -> set[str]:
        return {m.decode() for m in self.redis.smembers(self.k("enqueued"))}

    def record(self, submission_id: str, decision: str, failed: bool = False) -> None:
        """A submission of this batch reached a decision (idempotent: sets, not counters)."""
        service, before = self.before(submission_id)
        with self.redis.pipeline() as pipe:
            pipe.sadd(self.k("done"), submission_id)
            if failed:
                pipe.sadd(self.k("failed"), submission_id)
            if before and before != decision:
                pipe.hset(self.k("flips"), submission_id, f"{service}|{before}|{decision}")
            else:
                pipe.hdel(self.k("flips"), submission_id)
            pipe.execute()

    def done(self) -> set[str]:
        return {m.decode() for m in self.redis.smembers(self.k("done"))}

    def counts(self) -> dict[str, int]:
        return {"total": self.info()["total"], "done": self.redis.scard(self.k("done")),
                "failed": self.redis.scard(self.k("failed")), "enqueued": self.redis.scard(self.k("enqueued"))}

    def flips(self) -> dict[str, dict[str, int]]:
        """{service: {"flagged→accepted": n, …}}"""
        summary: dict[str, dict[str, int]] = {}
        for raw in self.redis.hvals(self.k("flips")):
            service, before, after = raw.decode().split("|")
            per = summary.setdefault(service, {})
            per[f"{before}→{after}"] = per.get(f"{before}→{after}", 0) + 1
        return summary
