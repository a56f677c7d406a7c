"""`onewindow worker`: run the pipeline's jobs from the Redis queues (ONEWINDOW_REDIS_URL)."""

from __future__ import annotations

import argparse
import logging

from schemas.errors import InputError


def register(sub) -> None:
    cmd = sub.add_parser("worker", help="run pipeline jobs from the Redis queues (ONEWINDOW_REDIS_URL)",
                         description="Run pipeline jobs from the Redis queues. Models load once, in this "
                                     "process; run one worker per core (docs/workers.md).")
    cmd.add_argument("--queues", default=None,
                     help="comma-separated kinds to serve, in priority order (default: intake,review,verification,documents,batch)")
    cmd.add_argument("--burst", action="store_true", help="quit once the queues are empty (and no retry is pending)")
    cmd.add_argument("--name", default=None, help="worker name (default: RQ's random name)")
    cmd.add_argument("--lazy-models", action="store_true",
                     help="load the OCR models on the first read job and the face models on the first "
                          "verification job instead of at start")
    cmd.add_argument("--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from schemas.settings import Settings
    from workers.context import WorkerContext
    from workers.logs import configure
    from workers.queues import KINDS
    from workers.worker import run_worker

    settings = Settings()
    kinds = None
    if args.queues:
        kinds = [k.strip() for k in args.queues.split(",") if k.strip()]
        if unknown := [k for k in kinds if k not in KINDS]:
            raise InputError(f"--queues: unknown {', '.join(unknown)}; known: {', '.join(KINDS)}")
    level = logging.INFO if args.verbose else logging.WARNING
    configure(level)
    ctx = WorkerContext(settings)
    ctx.redis.ping()
    run_worker(ctx, kinds, burst=args.burst, name=args.name,
               metrics_port=args.metrics_port or settings.metrics_port, preload=not args.lazy_models,
               log_level=logging.getLevelName(level))
    return 0
