"""Prometheus metrics of a worker process: jobs by stage and outcome, their durations, and
applications decided. Served by `onewindow worker --metrics-port N` (ONEWINDOW_METRICS_PORT);
one port per worker process (SimpleWorker: jobs run in the process that serves them)."""

from __future__ import annotations

import time
from contextlib import contextmanager

from prometheus_client import Counter, Histogram, start_http_server

JOBS = Counter("onewindow_jobs", "jobs run, by stage and outcome", ["stage", "outcome"])
DURATION = Histogram("onewindow_job_seconds", "time a job took, by stage", ["stage"],
                     buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128))
DECISIONS = Counter("onewindow_decisions", "applications decided, by service and decision",
                    ["service", "decision"])
PROCESSING_FAILED = Counter("onewindow_processing_failed", "applications ended as processing_failed",
                            ["stage"])


@contextmanager
def timed(stage: str):
    started = time.perf_counter()
    outcome = "failed"
    try:
        yield
        outcome = "ok"
    finally:
        JOBS.labels(stage, outcome).inc()
        DURATION.labels(stage).observe(time.perf_counter() - started)


def serve(port: int, addr: str = "0.0.0.0") -> None:
    start_http_server(port, addr=addr)
