"""Workers throughput and latency: the same generated applications pre-reviewed by the
in-process `process_submission` loop, and by 1 and 2 `onewindow worker` processes on the real
Redis (one inference thread each, ONEWINDOW_WORKER_OCR_THREADS=1, and the loop at 1 thread too).

    .venv/bin/python bench/workers.py                 # 6 applications × 3 photos, 3 latency probes
    .venv/bin/python bench/workers.py --apps 10 --probes 5

Throughput: all applications submitted at once to already-started workers (models loaded),
documents per minute from the first submit to the last decision. Latency: applications sent
one at a time to one idle worker, from `submit` to the decision's timestamp in Redis, against
the in-process time of the same application: the queue overhead per application. Uses Redis
database 12 under a prefix of its own, and temporary archives; deletes only its own keys."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis  # noqa: E402
from rq import Queue, Worker  # noqa: E402

from pipeline.process import process_submission  # noqa: E402
from schemas.catalog import default_catalog  # noqa: E402
from schemas.documents import DocType  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from specimens.faces import FacePool  # noqa: E402
from specimens.generate import encode, specimen_images  # noqa: E402
from specimens.people import make_person  # noqa: E402
from storage.archive import open_archive  # noqa: E402
from workers.context import WorkerContext  # noqa: E402
from workers.status import StatusBoard  # noqa: E402
from workers.submit import submit_application  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/12"
SERVICE = default_catalog().get("bank_account_change")
DOCS = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)
TODAY = date(2026, 11, 28)


def applications(n: int, seed: int, faces: FacePool) -> list[tuple[str, list[tuple[str, bytes]]]]:
    apps = []
    for i in range(n):
        rng = random.Random(f"bench-workers/{seed}/{i}")
        person = make_person(rng, faces=faces, valid_from="2020-06-01", birth_date="1961-03-15")
        files = []
        for doc_type, (photo, info) in specimen_images(person, DOCS, 1, rng).items():
            data, ext = encode(photo, info)
            files.append((f"{doc_type.value}{ext}", data))
        apps.append((person.id_number, files))
    return apps


def cleanup(redis: Redis, prefix: str) -> None:
    for pattern in (f"{prefix}:*", f"rq:*{prefix}-*", f"rq:*{prefix}.*"):
        keys = list(redis.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 500):
            redis.delete(*keys[start:start + 500])
    for key in ("rq:queues", "rq:workers"):
        stale = [m for m in redis.smembers(key) if prefix.encode() in m]
        if stale:
            redis.srem(key, *stale)


class Deployment:
    """A fresh archive, a fresh prefix, and `n` worker processes with their models loaded."""

    def __init__(self, workdir: Path, name: str, workers: int):
        self.prefix = f"owbench{os.getpid()}{name}"
        self.env = {**os.environ, "ONEWINDOW_ARCHIVE": str(workdir / name), "ONEWINDOW_REDIS_URL": REDIS_URL,
                    "ONEWINDOW_REDIS_PREFIX": self.prefix, "ONEWINDOW_WORKER_OCR_THREADS": "1"}
        self.redis = Redis.from_url(REDIS_URL)
        cleanup(self.redis, self.prefix)
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("ONEWINDOW_")})
        self.ctx = WorkerContext(Settings(), redis=self.redis)
        self.board = StatusBoard(self.redis, self.ctx.names, 3600)
        self.procs = [subprocess.Popen([sys.executable, "-m", "cli", "worker", "--queues", "intake,review,documents"],
                                       env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                      for _ in range(workers)]
        queue = Queue(self.ctx.names.queue("documents"), connection=self.redis)
        deadline = time.monotonic() + 300
        while True:  # registered and idle = models loaded (they load before the first dequeue)
            found = Worker.all(queue=queue)
            if len(found) == workers and all(w.get_state() == "idle" for w in found):
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                raise SystemExit("workers did not start")
            time.sleep(0.1)

    def submit(self, applicant: str, files) -> str:
        return submit_application(self.ctx, files, SERVICE, applicant, TODAY)

    def decided_at(self, sid: str) -> float | None:
        status = self.board.get(sid)
        return float(status["updated_at"]) if status.get("state") in ("decided", "failed") else None

    def wait(self, ids: list[str], timeout: float = 1800) -> dict[str, float]:
        deadline, done = time.monotonic() + timeout, {}
        while len(done) < len(ids):
            for sid in ids:
                if sid not in done and (at := self.decided_at(sid)) is not None:
                    done[sid] = at
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(done)}/{len(ids)} decided")
            time.sleep(0.02)
        return done

    def close(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=120)
        cleanup(self.redis, self.prefix)


def in_process(apps, workdir: Path) -> tuple[float, list[float]]:
    from models.factory import load_ocr_engine
    from pipeline.read import DocumentReader

    reader = DocumentReader(load_ocr_engine(Settings(ocr_threads=1)))
    archive = open_archive(str(workdir / "in-process"))
    process_submission(*_args(apps[0]), archive, reader, TODAY)  # models load outside the timing
    per_app = []
    start = time.perf_counter()
    for app in apps:
        t = time.perf_counter()
        process_submission(*_args(app), archive, reader, TODAY)
        per_app.append(time.perf_counter() - t)
    return time.perf_counter() - start, per_app


def _args(app):
    applicant, files = app
    return files, SERVICE, applicant


def throughput(apps, workdir: Path, workers: int) -> float:
    deployment = Deployment(workdir, f"w{workers}", workers)
    try:
        start = time.time()
        ids = [deployment.submit(applicant, files) for applicant, files in apps]
        done = deployment.wait(ids)
        return max(done.values()) - start
    finally:
        deployment.close()


def latency(apps, workdir: Path) -> list[float]:
    deployment = Deployment(workdir, "lat", 1)
    try:
        deployment.wait([deployment.submit(*apps[0])])  # warm-up
        out = []
        for applicant, files in apps:
            start = time.time()
            sid = deployment.submit(applicant, files)
            out.append(deployment.wait([sid])[sid] - start)
        return out
    finally:
        deployment.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=6)
    parser.add_argument("--probes", type=int, default=3, help="applications for the latency comparison")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    apps = applications(args.apps, args.seed, FacePool(Settings().faces_dir))
    docs = sum(len(files) for _, files in apps)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        loop_s, per_app = in_process(apps, workdir)
        one = throughput(apps, workdir, 1)
        two = throughput(apps, workdir, 2)
        probes = apps[:args.probes]
        queued = latency(probes, workdir)
    local = per_app[:args.probes]
    rows = [("in-process loop (1 thread)", loop_s), ("1 worker (1 thread)", one), ("2 workers (1 thread each)", two)]
    print(f"{len(apps)} applications, {docs} photos (level 1), service {SERVICE.id}, {os.cpu_count()} CPUs\n")
    print("| run | seconds | documents / min | vs 1 worker |")
    print("|---|---:|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} | {docs / seconds * 60:.1f} | {one / seconds:.2f}× |")
    overhead = [(q - i) / i for q, i in zip(queued, local)]
    print(f"\nlatency per application, one at a time, {len(probes)} applications:")
    print("| application | in-process s | via 1 worker s | overhead |")
    print("|---|---:|---:|---:|")
    for n, (i, q, o) in enumerate(zip(local, queued, overhead)):
        print(f"| {n} | {i:.2f} | {q:.2f} | {o:+.1%} |")
    print(f"| median | {statistics.median(local):.2f} | {statistics.median(queued):.2f} | "
          f"{statistics.median(overhead):+.1%} |")


if __name__ == "__main__":
    main()
