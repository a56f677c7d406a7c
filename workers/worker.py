"""`onewindow worker`: an RQ worker over OneWindow's queues.

Worker class: `SimpleWorker` (jobs run in the worker process; no fork per job). The reader's
ONNX Runtime sessions and the face models (dlib) are built at start, or with --lazy-models on
the first job that needs them, inside this process, and reused by every later job: models load
once per worker process, and nothing loaded ever crosses a fork.
(RQ's default `Worker` forks a work-horse per job: loading models in the parent would share
sessions across fork, loading them in the horse would load them per job; `SpawnWorker`
spawns a fresh interpreter per job, the same per-job cost.) Scale by running more worker
processes, one inference thread each (docs/workers.md).

What this class adds to SimpleWorker:
- abandoned jobs are reclaimed quickly: a job still "started" by a worker that is gone
  (its Redis record expired, or it ran on this host and its process no longer exists, e.g.
  after `kill -9`) is handed to RQ's own abandoned-job handling, which retries it (or, with no
  retries left, fails it: its failure callback files processing_failed). RQ alone waits for
  the job's heartbeat to expire (job timeout + 60 s).
- `--burst` waits for retries still scheduled on its queues (backoff) instead of quitting.
- dependents that RQ left "ready" after losing a race (it concedes contended enqueues to its
  periodic maintenance) are enqueued before every dequeue, and an idle worker wakes every
  maintenance interval, so no review job waits minutes for a sweep.
- a job whose end cannot be written because Redis went away does not kill the worker: it
  waits for Redis, then the job is reclaimed and retried. Between jobs too (RQ itself survives
  a lost connection only inside its dequeue wait and quits on one anywhere else in its loop):
  heartbeats, state, suspension checks and maintenance that find Redis gone are skipped, the
  dequeue waits for it, and a worker whose registration went with Redis's data registers again.
SIGTERM (or Ctrl-C) is a warm shutdown: the current job finishes, then the worker exits; a
second SIGTERM stops at once, and the interrupted job is retried (a retry is spent)."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import time

import redis
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.utils import current_timestamp

from workers.context import WorkerContext, install
from workers.queues import KINDS

REDIS_GONE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

log = logging.getLogger(__name__)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OneWindowWorker(SimpleWorker):
    preload: WorkerContext | None = None
    """If set, the models load as the worker starts (after the scheduler process is forked, so
    that process never holds a copy of them), not on the first job that needs them."""
    preload_ocr: bool = True
    preload_faces: bool = False

    def _install_signal_handlers(self):
        super()._install_signal_handlers()
        if self.preload is not None:
            if self.preload_ocr:
                warm_up = getattr(self.preload.reader.engine, "warm_up", None)
                if warm_up:
                    warm_up()
            if self.preload_faces:
                self.preload.load_faces()

    def worker_is_gone(self, name: str | None) -> bool:
        """Called between jobs only: a job still "started" under this worker's own name is one
        whose end could not be recorded (Redis went away mid-job), so it counts as abandoned."""
        if not name:
            return False
        if name == self.name:
            return True
        raw = self.connection.hgetall(self.redis_worker_namespace_prefix + name)
        if not raw:
            return True
        data = {k.decode(): v.decode() for k, v in raw.items()}
        if data.get("death"):
            return True
        if data.get("hostname") != socket.gethostname() or not data.get("pid"):
            return False
        pid = int(data["pid"])
        return pid == os.getpid() or not _pid_alive(pid)

    def reclaim_abandoned(self) -> int:
        """Expire, in each queue's started registry, the entries of workers that are gone, then
        let RQ clean them up as abandoned (retry, or fail with the failure callback)."""
        reclaimed = 0
        for queue in self.queues:
            registry = StartedJobRegistry(queue=queue)
            for entry in self.connection.zrange(registry.key, 0, -1):
                job_id = registry.parse_job_id(entry.decode())
                job = queue.fetch_job(job_id)
                if job is None or not self.worker_is_gone(job.worker_name):
                    continue
                self.connection.zadd(registry.key, {entry: 1}, xx=True)
                log.warning("job %s was abandoned by worker %s: reclaiming it", job_id, job.worker_name)
                reclaimed += 1
            if reclaimed:
                registry.cleanup(timestamp=current_timestamp(), exception_handlers=self._exc_handlers)
        return reclaimed

    def clean_registries(self):
        self.reclaim_abandoned()
        super().clean_registries()

    # Redis going away between jobs ----------------------------------------------------------

    _redis_lost = False

    def _lost(self, what: str, exc: Exception) -> None:
        if not self._redis_lost:
            log.error("Redis went away (%s: %s); carrying on when it is back", what, exc)
        self._redis_lost = True

    def _back(self) -> None:
        """Redis answers again: if its data went with it, so did this worker's registration."""
        if self._redis_lost:
            self._redis_lost = False
            log.warning("Redis is back")
            try:
                if not self.connection.sismember(self.redis_workers_keys, self.key):
                    self.connection.delete(self.key)  # a heartbeat may have left a partial record
                    self.register_birth()
                    log.warning("registered again: Redis had lost this worker's record")
            except REDIS_GONE as exc:
                self._lost("registering again", exc)

    def heartbeat(self, timeout=None, pipeline=None):
        if pipeline is not None:  # queued in the caller's transaction: its execute() decides
            return super().heartbeat(timeout, pipeline)
        try:
            super().heartbeat(timeout)
        except REDIS_GONE as exc:
            self._lost("heartbeat", exc)
            return
        self._back()

    def set_state(self, state, pipeline=None):
        if pipeline is not None:
            return super().set_state(state, pipeline)
        try:
            super().set_state(state)
        except REDIS_GONE as exc:
            self._lost("worker state", exc)

    def check_for_suspension(self, burst: bool) -> None:
        try:
            super().check_for_suspension(burst)
        except REDIS_GONE as exc:
            self._lost("suspension check", exc)

    def run_maintenance_tasks(self):
        try:
            super().run_maintenance_tasks()
        except REDIS_GONE as exc:
            self._lost("maintenance", exc)

    def execute_job(self, job, queue):
        """A job whose end cannot be recorded because Redis went away is not the worker's end:
        wait for Redis, then carry on; the job, still "started" under this worker's name, is
        reclaimed by the next sweep and retried (the stages are idempotent)."""
        try:
            super().execute_job(job, queue)
        except REDIS_GONE as exc:
            log.error("Redis went away while job %s ended (%s); waiting for it to come back", job.id, exc)
            self._redis_lost = True  # when it is back: registered again if it lost our record
            self._wait_for_redis()
            self._back()
            self.last_cleaned_at = None  # sweep at once: reclaim that job

    def _wait_for_redis(self) -> None:
        delay = 0.5
        while not self._stop_requested:
            try:
                self.connection.ping()
                return
            except REDIS_GONE:
                time.sleep(delay)
                delay = min(delay * 2, 30)

    @property
    def dequeue_timeout(self) -> int:
        """Wake up while idle often enough to sweep for abandoned and stranded jobs."""
        return max(1, min(super().dequeue_timeout, self.maintenance_interval))

    def _scheduled(self) -> int:
        return sum(ScheduledJobRegistry(queue=q).count for q in self.queues)

    def _drain_ready(self) -> int:
        """Dependents whose dependencies are met but whose enqueue lost a race (RQ leaves them
        in the ready registry for maintenance): enqueue them now, not minutes later."""
        pending = 0
        for queue in self.queues:
            registry = queue.ready_job_registry
            if self.connection.zcard(registry.key):
                registry.cleanup()
                pending += self.connection.zcard(registry.key)
        return pending

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        try:
            self._drain_ready()
        except REDIS_GONE as exc:  # nothing dequeued yet: RQ's wait below rides it out
            self._lost("ready registry", exc)
        result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        while result is None and timeout is None and not self._stop_requested and (
                self._scheduled() or self._drain_ready()):
            time.sleep(0.5)  # burst: a retry is waiting its backoff, or a dependent its enqueue
            self._enqueue_due()
            if self.should_run_maintenance_tasks:
                self.run_maintenance_tasks()
            result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        return result

    def _enqueue_due(self) -> None:
        scheduler = RQScheduler(self.queues, connection=self.connection, serializer=self.serializer)
        scheduler.acquire_locks()
        if scheduler.acquired_locks:
            try:
                scheduler.enqueue_scheduled_jobs()
            finally:
                scheduler.release_locks()



def _die_with_parent() -> None:
    """In a child of the worker (RQ's scheduler process): end with the worker, even when the
    worker is killed with -9, instead of lingering as an orphan that holds the scheduler locks."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the worker died before the line above
        os.kill(os.getpid(), signal.SIGTERM)


def build_worker(ctx: WorkerContext, kinds: list[str] | None = None, name: str | None = None) -> OneWindowWorker:
    install(ctx)
    queues = [Queue(ctx.names.queue(kind), connection=ctx.redis) for kind in (kinds or KINDS)]
    name = name or f"{ctx.names.prefix}-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
    return OneWindowWorker(queues, connection=ctx.redis, name=name,
                           maintenance_interval=ctx.settings.worker_maintenance_interval)


def run_worker(ctx: WorkerContext, kinds: list[str] | None = None, burst: bool = False,
               name: str | None = None, metrics_port: int | None = None, preload: bool = True,
               log_level: str = "WARNING") -> bool:
    worker = build_worker(ctx, kinds, name)
    os.register_at_fork(after_in_child=_die_with_parent)
    if metrics_port:
        from workers.metrics import serve

        serve(metrics_port)
    serves = set(kinds or KINDS)
    worker.preload_ocr = bool(serves & {"documents", "batch"})
    worker.preload_faces = bool(serves & {"verification"})
    if preload and (worker.preload_ocr or worker.preload_faces):
        worker.preload = ctx
    return worker.work(burst=burst, with_scheduler=not burst, logging_level=log_level)
