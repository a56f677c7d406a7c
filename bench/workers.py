"""Workers throughput and latency: the same generated applications pre-reviewed by the
in-process `process_submission` loop, and by 1 and 2 `onewindow worker` processes on the real
Redis (one inference thread each, ONEWINDOW_WORKER_OCR_THREADS=1, and the loop at 1 thread too).

    .venv/bin/python bench/workers.py                 # 6 applications × 3 photos, 2 rounds, 4 probes
    .venv/bin/python bench/workers.py --apps 10 --rounds 3 --probes 6

Throughput: all applications submitted at once to already-started workers (models loaded, one
untimed application per worker first, as the in-process loop is warmed by one), documents per minute from the first submit to the last decision; the three set-ups alternate
round by round and the best round of each is kept (the machine is shared: load from elsewhere
hits all three alike). Latency: applications sent
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
            time.sleep(0.25)  # the decision's own timestamp is the measurement: polling stays light
        return done

    def close(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=120)
        cleanup(self.redis, self.prefix)


class InProcess:
    """The `onewindow process` loop at one inference thread, models loaded before timing."""

    def __init__(self, workdir: Path, warm_app):
        from models.factory import load_ocr_engine
        from pipeline.read import DocumentReader

        self.reader = DocumentReader(load_ocr_engine(Settings(ocr_threads=1)))
        self.archive = open_archive(str(workdir / "in-process"))
        self.run(warm_app)

    def run(self, app) -> float:
        applicant, files = app
        start = time.perf_counter()
        process_submission(files, SERVICE, applicant, self.archive, self.reader, TODAY)
        return time.perf_counter() - start


def throughput(apps, workdir: Path, workers: int, round_: int, warm_apps) -> float:
    deployment = Deployment(workdir, f"w{workers}r{round_}", workers)
    try:
        # Steady state, as a worker that has run for hours: one untimed application per worker
        # first (the in-process loop is warmed the same way), so the first inferences on each
        # shape and the first archive writes are not counted against the workers.
        deployment.wait([deployment.submit(*app) for app in warm_apps[:workers]])
        start = time.time()
        ids = [deployment.submit(applicant, files) for applicant, files in apps]
        done = deployment.wait(ids)
        return max(done.values()) - start
    finally:
        deployment.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=6)
    parser.add_argument("--probes", type=int, default=4, help="applications for the latency comparison")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds (the best of each is kept)")
    parser.add_argument("--bare", type=int, default=10, help="applications without OCR for the fixed overhead")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    generated = applications(args.apps + 2, args.seed, FacePool(Settings().faces_dir))
    apps, warm_apps = generated[:args.apps], generated[args.apps:]
    docs = sum(len(files) for _, files in apps)
    runs: dict[str, list[float]] = {"in-process loop (1 thread)": [], "1 worker (1 thread)": [],
                                    "2 workers (1 thread each)": []}
    pairs, bare = [], []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        local = InProcess(workdir, warm_apps[0])
        # Rounds alternate the three set-ups, so load from elsewhere on the machine hits all alike.
        for r in range(args.rounds):
            runs["in-process loop (1 thread)"].append(sum(local.run(app) for app in apps))
            runs["1 worker (1 thread)"].append(throughput(apps, workdir, 1, r, warm_apps))
            runs["2 workers (1 thread each)"].append(throughput(apps, workdir, 2, r, warm_apps))
        # Latency: each application in-process, then alone through one idle worker, alternately.
        deployment = Deployment(workdir, "lat", 1)
        try:
            deployment.wait([deployment.submit(*apps[0])])  # warm-up
            for n, app in enumerate(app for app in apps[:args.probes] for _ in (0, 1)):
                # each application twice, in-process first then worker first, so whatever the
                # second reading of the same photos gains (page cache, warm shapes) evens out
                if n % 2 == 0:
                    here = local.run(app)
                start = time.time()
                sid = deployment.submit(*app)
                there = deployment.wait([sid])[sid] - start
                if n % 2 == 1:
                    here = local.run(app)
                pairs.append((here, there))
            # The queue's own cost, without OCR noise: the same shape of application (three
            # files) whose files fail at ingest, so what remains is archive, Redis and hops.
            for i in range(args.bare):
                app = (apps[i % len(apps)][0], [(f"letter{k}.jpg", f"letter {i} {k}".encode()) for k in range(3)])
                here = local.run(app)
                start = time.time()
                sid = deployment.submit(*app)
                bare.append((here, deployment.wait([sid])[sid] - start))
        finally:
            deployment.close()
    best = {name: min(times) for name, times in runs.items()}
    one = best["1 worker (1 thread)"]
    print(f"{len(apps)} applications, {docs} photos (level 1), service {SERVICE.id}, {os.cpu_count()} CPUs, "
          f"best of {args.rounds} rounds\n")
    print("| run | seconds (each round) | documents / min (best) | vs 1 worker |")
    print("|---|---|---:|---:|")
    for name, times in runs.items():
        print(f"| {name} | {' / '.join(f'{t:.1f}' for t in times)} | {docs / best[name] * 60:.1f} | "
              f"{one / best[name]:.2f}× |")
    print(f"\nlatency per application, one at a time, in-process and via one idle worker, {len(pairs) // 2} "
          "applications twice (in-process first, then worker first):")
    print("| application | in-process s | via 1 worker s | overhead |")
    print("|---|---:|---:|---:|")
    for n, (here, queued) in enumerate(pairs):
        order = "in-process first" if n % 2 == 0 else "worker first"
        print(f"| {n // 2} ({order}) | {here:.2f} | {queued:.2f} | {(queued - here) / here:+.1%} |")
    total_here, total_queued = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    print(f"| all | {total_here:.2f} | {total_queued:.2f} | {(total_queued - total_here) / total_here:+.1%} |")
    fixed = statistics.median(q - h for h, q in bare)
    print(f"\nfixed queue overhead per application (3 files failing at ingest, no OCR, {len(bare)} applications): "
          f"in-process median {statistics.median(h for h, _ in bare) * 1000:.0f} ms, via 1 worker median "
          f"{statistics.median(q for _, q in bare) * 1000:.0f} ms: overhead {fixed * 1000:.0f} ms = "
          f"{fixed / (total_here / len(pairs)):.1%} of the mean in-process time of a real application above")


if __name__ == "__main__":
    main()
