"""Redis restarted mid-run: a Redis of this test's own (redis-server on another loopback port,
append-only file in a tmp dir, as docker/ runs it; the shared Redis is never restarted) goes
down while a worker is reading, comes back, and every application still reaches its decision."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from datetime import date

import pytest
from redis import Redis

from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.settings import Settings
from storage.archive import open_archive
from tests.workers.conftest import make_person, photos, start_worker, wait_for_started_read
from workers.context import WorkerContext
from workers.status import StatusBoard
from workers.submit import submit_application

SERVICE = default_catalog().get("bank_account_change")
ALL = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)
SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    def __init__(self, folder, port):
        self.args = [SERVER, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder),
                     "--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        try:
            Redis.from_url(self.url).shutdown(save=False)
        except Exception:  # noqa: BLE001 - shutdown drops the connection by design
            pass
        self.process.wait(timeout=30)


def _drain(worker) -> str:
    """What the worker has logged so far, without waiting for more."""
    out = b""
    while True:
        try:
            chunk = os.read(worker.stderr.fileno(), 65536)
        except BlockingIOError:
            return out.decode(errors="replace")
        if not chunk:
            return out.decode(errors="replace")
        out += chunk


def wait_for_log(worker, text: str, timeout: float) -> str:
    """The worker's log up to `text` (however long a job takes on a loaded machine)."""
    os.set_blocking(worker.stderr.fileno(), False)
    log, deadline = "", time.monotonic() + timeout
    while text not in log:
        assert time.monotonic() < deadline and worker.poll() is None, log[-3000:]
        log += _drain(worker)
        time.sleep(0.05)
    return log


@pytest.mark.skipif(SERVER is None, reason="redis-server binary not installed (scripts/services.sh installs it)")
def test_redis_restarted_mid_run_and_every_application_still_completes(tmp_path, faces, monkeypatch, worker_env):
    own = OwnRedis(tmp_path / "redis", free_port())
    (tmp_path / "redis").mkdir()
    own.start()
    env = {**worker_env, "ONEWINDOW_REDIS_URL": own.url}
    for key, value in env.items():
        if key.startswith("ONEWINDOW_"):
            monkeypatch.setenv(key, value)
    ctx = WorkerContext(Settings())
    worker = None
    try:
        people = [make_person(faces, 51 + i) for i in range(2)]
        ids = [submit_application(ctx, photos(p, ALL, 20 + i), SERVICE, p.id_number, date(2026, 11, 28))
               for i, p in enumerate(people)]
        worker = start_worker(env)
        wait_for_started_read(ctx, worker)
        own.stop()
        felt = wait_for_log(worker, "Redis went away while job", 180)  # the read job ended meanwhile
        time.sleep(1.0)
        own.start()

        board = StatusBoard(Redis.from_url(own.url), ctx.names, 60)
        deadline = time.monotonic() + 180
        while not all(board.get(sid).get("state") == "decided" for sid in ids):
            assert time.monotonic() < deadline, [board.get(sid) for sid in ids]
            assert worker.poll() is None, _drain(worker)[-3000:]
            time.sleep(0.1)
        archive = open_archive(env["ONEWINDOW_ARCHIVE"])
        assert [archive.load_submission(sid, actor="test").decision.value for sid in ids] == ["accepted"] * 2
        worker.terminate()
        log = felt + _drain(worker)
        assert "Redis went away while job" in log and "Redis is back" in log  # the outage was felt
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
        if worker is not None:
            worker.wait(timeout=60)
        own.stop()


@pytest.mark.skipif(SERVER is None, reason="redis-server binary not installed (scripts/services.sh installs it)")
def test_a_worker_between_jobs_rides_out_redis_going_away_and_registers_again(tmp_path):
    """RQ's own loop survives a lost connection only while it waits for a job; anywhere else
    between jobs (marking itself idle, a heartbeat, the suspension check, maintenance) RQ quits.
    A fresh-clone CI run caught a worker exiting that way when Redis restarted as a job ended."""
    import workers.context as context
    from workers.worker import build_worker

    (tmp_path / "redis").mkdir()
    own = OwnRedis(tmp_path / "redis", free_port())
    own.args[own.args.index("--appendonly") + 1] = "no"  # the restart loses the worker's record too
    own.start()
    before = context._current
    try:
        settings = Settings(_env_file=None, redis_url=own.url, redis_prefix=f"owt{os.getpid()}between")
        worker = build_worker(WorkerContext(settings))
        worker.register_birth()
        redis = Redis.from_url(own.url)
        assert redis.sismember(worker.redis_workers_keys, worker.key)

        own.stop()
        worker.set_state("idle")
        worker.heartbeat()
        worker.check_for_suspension(False)
        worker.last_cleaned_at = None
        worker.run_maintenance_tasks()

        own.start()
        assert not redis.keys("*")
        worker.heartbeat()  # Redis answers again: the worker finds its record gone and registers
        assert redis.sismember(worker.redis_workers_keys, worker.key)
        assert redis.hget(worker.key, "birth") is not None

        queue = worker.queues[0]
        queue.enqueue("builtins.len", "four", job_id=f"{settings.redis_prefix}-probe")
        job, _ = worker.dequeue_job_and_maintain_ttl(timeout=1)
        assert job.id == f"{settings.redis_prefix}-probe"
    finally:
        context._current = before
        own.stop()
