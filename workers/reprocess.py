"""Batch reprocessing (`onewindow reprocess`): re-run the pipeline over archived submissions
after a rule or model change, in bounded chunks, resumable, with a summary of what changed.

The selection comes from the Redis submission index (kept current by the workers, rebuilt by
`onewindow archive reindex`) and is frozen in the batch record, with each submission's decision
before. The command keeps at most `chunk` applications in flight on the batch queue; each ends
by recording itself done in the batch (workers/batch.py), so an interrupted batch resumes
where it stopped and never re-runs a submission it has finished. Each re-run writes under the
batch's own archive revision, so the history keeps both the first decision and the new one."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timezone

from rq import Queue
from rq.job import Job

from schemas.errors import InputError
from workers.batch import BatchBoard, revision_of
from workers.context import WorkerContext
from workers.indexes import RedisIndexSink
from workers.jobs import batch_intake_job, job_options
from workers.queues import BATCH


def new_batch_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")


def select(ctx: WorkerContext, service: str | None, since: date | None, until: date | None,
           finding: str | None) -> dict[str, tuple[str, str]]:
    """{submission_id: (service, decision)} of what the filters match, oldest first. Remote
    certifications (pension_certification) are left out: their raw video is deleted once the
    decision is recorded, so there is nothing to re-run."""
    sink = RedisIndexSink(ctx.redis, ctx.names)
    if not sink.counts()["submissions"]:
        raise InputError("the submission index in Redis is empty: run `onewindow archive reindex` first")
    from schemas.catalog import default_catalog

    catalog = default_catalog()
    chosen = {}
    for sid in sink.select(service, since, until, finding):
        entry = sink.submission_entry(sid)
        if _remote(catalog, entry.get("service", "")):
            continue  # its video was deleted with the decision: nothing to re-run
        chosen[sid] = (entry.get("service", ""), entry.get("decision", ""))
    return chosen


def _remote(catalog, service_id: str) -> bool:
    try:
        return catalog.get(service_id).remote_verification
    except Exception:  # noqa: BLE001 - a service no longer in the catalog: let the batch report it
        return False


def describe(selection: dict[str, tuple[str, str]]) -> dict[str, dict[str, int]]:
    """{service: {decision: n}} — what a dry run prints."""
    out: dict[str, Counter] = {}
    for service, decision in selection.values():
        out.setdefault(service, Counter())[decision] += 1
    return {service: dict(counts) for service, counts in sorted(out.items())}


class Reprocess:
    def __init__(self, ctx: WorkerContext, batch_id: str, chunk: int | None = None):
        self.ctx = ctx
        self.board = BatchBoard(ctx.redis, ctx.names, batch_id)
        self.chunk = chunk or ctx.settings.reprocess_chunk
        self.revision = revision_of(batch_id)
        self.queue = Queue(ctx.names.queue(BATCH), connection=ctx.redis)

    @property
    def id(self) -> str:
        return self.board.id

    def start(self, selection: dict[str, tuple[str, str]], filters: dict) -> None:
        if self.board.exists():
            raise InputError(f"batch {self.id} exists already: resume it with --resume {self.id}")
        self.board.create(selection, filters)

    def _job_id(self, submission_id: str) -> str:
        return self.ctx.names.job_id(submission_id, self.revision, "intake")

    def step(self) -> int:
        """Top up the applications in flight to `chunk`; returns how many were enqueued."""
        done, enqueued = self.board.done(), self.board.enqueued()
        in_flight = enqueued - done
        lost = [sid for sid in in_flight if not Job.exists(self._job_id(sid), connection=self.ctx.redis)]
        room = self.chunk - (len(in_flight) - len(lost))  # lost: enqueued, then Redis forgot the job
        todo = (lost + [sid for sid in self.board.ids() if sid not in enqueued])[:max(0, room)]
        options = job_options(self.ctx)
        for sid in todo:
            self.queue.enqueue_call(batch_intake_job, args=(sid, self.id, self.revision), job_id=self._job_id(sid),
                                    description=f"reprocess {sid} in batch {self.id}", **options)
        self.board.mark_enqueued(todo)
        return len(todo)

    def counts(self) -> dict[str, int]:
        counts = self.board.counts()
        counts["remaining"] = counts["total"] - counts["done"]
        return counts

    def run(self, on_progress: Callable[[dict[str, int]], None] | None = None, poll: float = 0.5) -> dict:
        """Drive the batch to the end (Ctrl-C leaves it resumable)."""
        while True:
            self.step()
            counts = self.counts()
            if on_progress:
                on_progress(counts)
            if counts["remaining"] <= 0:
                return self.summary()
            time.sleep(poll)

    def summary(self) -> dict:
        return {"batch": self.id, **self.counts(), "flipped": self.board.flips(),
                "filters": self.board.info()["filters"]}
