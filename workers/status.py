"""Where an application is (`onewindow status ID`): one small hash per submission in Redis,
no personal data (service, stage, counts, decision, finding codes). Redis may lose it; the
archive still has the decision, and `status` falls back to it."""

from __future__ import annotations

import time
from collections.abc import Iterable

from redis import Redis
from redis.client import Pipeline

from workers.queues import Names

RECEIVED, READING, REVIEWING, DECIDED, FAILED = "received", "reading", "reviewing", "decided", "failed"


class StatusBoard:
    def __init__(self, redis: Redis, names: Names, ttl: int):
        self.redis, self.names, self.ttl = redis, names, ttl

    def _set(self, submission_id: str, fields: dict, pipe: Pipeline | None = None) -> None:
        target = pipe if pipe is not None else self.redis.pipeline()
        key = self.names.status(submission_id)
        target.hset(key, mapping={k: str(v) for k, v in fields.items() if v is not None} | {"updated_at": time.time()})
        target.expire(key, self.ttl)
        if pipe is None:
            target.execute()

    def received(self, submission_id: str, service: str, revision: str, documents: int, lane: str,
                 pipe: Pipeline | None = None) -> None:
        self._set(submission_id, {"service": service, "revision": revision, "state": RECEIVED,
                                  "documents": documents, "lane": lane}, pipe)

    def read(self, submission_id: str, revision: str, index: int, read_sha: str) -> None:
        """One upload read; the hash of reads doubles as the review's fallback to job results."""
        key = self.names.status_reads(submission_id, revision)
        with self.redis.pipeline() as pipe:
            pipe.hset(key, str(index), read_sha)
            pipe.expire(key, self.ttl)
            self._set(submission_id, {"state": READING}, pipe)
            pipe.execute()

    def reads(self, submission_id: str, revision: str) -> dict[int, str]:
        raw = self.redis.hgetall(self.names.status_reads(submission_id, revision))
        return {int(k): v.decode() for k, v in raw.items()}

    def reviewing(self, submission_id: str) -> None:
        self._set(submission_id, {"state": REVIEWING})

    def set_state(self, submission_id: str, state: str) -> None:
        self._set(submission_id, {"state": state})

    def decided(self, submission_id: str, decision: str, codes: Iterable[str], failed: bool = False) -> None:
        self._set(submission_id, {"state": FAILED if failed else DECIDED, "decision": decision,
                                  "findings": ",".join(sorted(set(codes)))})

    def get(self, submission_id: str) -> dict[str, str]:
        raw = self.redis.hgetall(self.names.status(submission_id))
        found = {k.decode(): v.decode() for k, v in raw.items()}
        if found:
            found["documents_read"] = str(self.redis.hlen(self.names.status_reads(
                submission_id, found.get("revision", "0"))))
        return found
