"""Queue names, job ids and Redis keys, all under one prefix (ONEWINDOW_REDIS_PREFIX), so
several deployments or test runs share one Redis without touching each other's keys.

Queues, by kind of work (a worker listens to them in this order, so live applications go
before batch reprocessing):
  <prefix>.intake     fan an application out into one job per upload
  <prefix>.review     check the documents against the service and decide (cheap)
  <prefix>.verification  remote certification from a selfie video (face models, ~2 s)
  <prefix>.documents  read one upload (OCR: the expensive part)
  <prefix>.batch      all stages of `onewindow reprocess`, behind live work

Job ids and keys carry submission ids, revisions, citizen keys and sha256s only: never an
ID number or a name."""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

from schemas.errors import InputError
from schemas.settings import Settings

INTAKE, REVIEW, VERIFICATION, DOCUMENTS, BATCH = "intake", "review", "verification", "documents", "batch"
KINDS = (INTAKE, REVIEW, VERIFICATION, DOCUMENTS, BATCH)
LIVE = "live"


class NotConfiguredError(InputError):
    """Asked for a queue with no Redis configured."""


def connect(settings: Settings) -> Redis:
    """The Redis of ONEWINDOW_REDIS_URL (explicit: nothing guesses a default server)."""
    if not settings.redis_url:
        raise NotConfiguredError("no Redis configured: set ONEWINDOW_REDIS_URL=redis://host:6379/0 "
                                 "(or use `onewindow process`, which runs in-process)")
    return Redis.from_url(settings.redis_url, health_check_interval=30, socket_keepalive=True)


@dataclass(frozen=True)
class Names:
    prefix: str

    @classmethod
    def of(cls, settings: Settings) -> "Names":
        return cls(settings.redis_prefix)

    def queue(self, kind: str) -> str:
        if kind not in KINDS:
            raise InputError(f"unknown queue {kind!r}; known: {', '.join(KINDS)}")
        return f"{self.prefix}.{kind}"

    def lane_queue(self, kind: str, lane: str) -> str:
        """Live work goes to the queue of its kind; a batch's every stage to the batch queue."""
        return self.queue(kind if lane == LIVE else BATCH)

    # Job ids: deterministic, so enqueuing the same step twice names the same job.
    def job_id(self, submission_id: str, revision: str, step: str) -> str:
        return f"{self.prefix}-{submission_id}-{revision}-{step}"

    def read_job_id(self, submission_id: str, revision: str, index: int) -> str:
        return self.job_id(submission_id, revision, f"read{index}")

    # Keys of OneWindow's own structures.
    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def status(self, submission_id: str) -> str:
        return self.key("status", submission_id)

    def status_reads(self, submission_id: str, revision: str) -> str:
        return self.key("status", submission_id, revision, "reads")

    @property
    def review_queue(self) -> str:
        return self.key("review")

    def review_item(self, submission_id: str) -> str:
        return self.key("review", "item", submission_id)

    def batch(self, batch_id: str, part: str = "") -> str:
        return self.key("batch", batch_id, part) if part else self.key("batch", batch_id)
