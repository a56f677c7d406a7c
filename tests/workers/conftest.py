"""Real Redis on 127.0.0.1:6379 (database 11, and a key prefix of this test session's own:
only keys under that prefix are ever deleted), real workers as subprocesses
(`onewindow worker --burst`), real OCR, an archive in a tmp dir."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry

from schemas.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/11"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(seq: int) -> str:
    """A valid ID number (checksum right) that belongs to nobody in particular."""
    body = f"110101{19500101 + (seq % 28) + 100 * (seq // 28 % 12):08d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS))
    return body + "10X98765432"[total % 11]


def delete_prefixed(redis: Redis, prefix: str) -> None:
    """Every key of this prefix: ours (<prefix>:…) and RQ's for our queues, jobs and workers."""
    patterns = [f"{prefix}:*", f"rq:*{prefix}-*", f"rq:*{prefix}.*"]
    for pattern in patterns:
        keys = list(redis.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 500):
            redis.delete(*keys[start:start + 500])
    for key in ("rq:queues", "rq:workers"):
        stale = [m for m in redis.smembers(key) if prefix.encode() in m]
        if stale:
            redis.srem(key, *stale)


@pytest.fixture(scope="session")
def redis() -> Redis:
    connection = Redis.from_url(REDIS_URL)
    connection.ping()
    return connection


@pytest.fixture
def prefix(redis, request) -> str:
    """A prefix of this test's own; its keys go when the test ends."""
    name = f"owt{os.getpid()}x{abs(hash(request.node.nodeid)) % 10**6}"
    delete_prefixed(redis, name)
    yield name
    delete_prefixed(redis, name)


@pytest.fixture
def worker_env(tmp_path, prefix) -> dict[str, str]:
    return {**os.environ, "ONEWINDOW_ARCHIVE": str(tmp_path / "archive"), "ONEWINDOW_REDIS_URL": REDIS_URL,
            "ONEWINDOW_REDIS_PREFIX": prefix, "ONEWINDOW_JOB_RETRIES": "2", "ONEWINDOW_JOB_BACKOFF": "[1]",
            "ONEWINDOW_WORKER_MAINTENANCE_INTERVAL": "2", "ONEWINDOW_JOB_TIMEOUT": "120"}


@pytest.fixture
def ctx(worker_env, redis, monkeypatch):
    """The submitting side, in this process, configured like the workers."""
    from workers.context import WorkerContext

    for key, value in worker_env.items():
        if key.startswith("ONEWINDOW_"):
            monkeypatch.setenv(key, value)
    return WorkerContext(Settings(), redis=redis)


def worker_command(*args: str) -> list[str]:
    """Models load on the first read job (--lazy-models): workers that only see files failing
    at ingest never load them. tests/cli/test_worker_cli.py runs the default, loading at start."""
    return [sys.executable, "-m", "cli", "worker", "--lazy-models", *args]


def run_burst(env: dict[str, str], *extra: str, cwd: Path | None = None, timeout: float = 600) -> str:
    """One burst worker to the end; returns its log (stderr)."""
    done = subprocess.run(worker_command("--burst", *extra), env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def start_worker(env: dict[str, str], *extra: str) -> subprocess.Popen:
    """A long-running worker (stop it with SIGTERM, or kill it)."""
    return subprocess.Popen([sys.executable, "-m", "cli", "-v", "worker", "--lazy-models", *extra], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def processes() -> list[str]:
    return subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()


def wait_for_started_read(ctx, process, timeout: float = 120) -> str:
    """The id of a read job the worker is running. RQ 3 puts a job in the started registry from
    the worker before its work horse marks it "started"; a kill between the two leaves a job that
    never began (seen once in CI), so the job counts as started only once both have happened."""
    registry = StartedJobRegistry(queue=Queue(ctx.names.queue("documents"), connection=ctx.redis))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for job_id in registry.get_job_ids(cleanup=False):
            if Job.fetch(job_id, connection=ctx.redis).get_status() == "started":
                return job_id
        assert process.poll() is None, process.stderr.read()[-3000:]
        time.sleep(0.01)
    raise AssertionError("no read job started")


@pytest.fixture(scope="session")
def faces(settings):
    from specimens.faces import FacePool

    return FacePool(settings.faces_dir)


def photos(person, doc_types, seed: int) -> list[tuple[str, bytes]]:
    from specimens.generate import encode, specimen_images

    files = []
    for doc_type, (photo, info) in specimen_images(person, doc_types, 0, random.Random(seed)).items():
        data, ext = encode(photo, info)
        files.append((f"{doc_type.value}{ext}", data))
    return files


def make_person(faces, seed: int):
    from specimens.people import make_person as make

    return make(random.Random(seed), faces=faces, valid_from="2020-06-01", birth_date="1961-03-15")
