"""What `onewindow queues` shows: per queue its depth, jobs running, waiting on others,
waiting a retry, failed for good, and the workers serving it; plus the review queue."""

from __future__ import annotations

from rq import Queue, Worker

from workers.context import WorkerContext
from workers.queues import KINDS
from workers.review_queue import ReviewQueue


def queue_report(ctx: WorkerContext) -> dict:
    rows = []
    for kind in KINDS:
        queue = Queue(ctx.names.queue(kind), connection=ctx.redis)
        workers = Worker.all(queue=queue)
        rows.append({"queue": kind, "name": queue.name, "queued": queue.count,
                     "started": queue.started_job_registry.count, "deferred": queue.deferred_job_registry.count,
                     "scheduled": queue.scheduled_job_registry.count, "failed": queue.failed_job_registry.count,
                     "finished": queue.finished_job_registry.count,
                     "workers": len(workers), "busy": sum(1 for w in workers if w.get_state() == "busy")})
    review = ReviewQueue(ctx.redis, ctx.names)
    return {"queues": rows, "review_queue": len(review),
            "review_next": [i.model_dump(mode="json") for i in review.items(5)]}
