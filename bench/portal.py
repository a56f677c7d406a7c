"""Portal under load: simulated citizens on loopback hand in 4-document applications
(resident_pension_claim: ID card both sides, household register page, bank card; photographed
specimens at difficulty 1) through the citizen pages of a real `onewindow serve` whose
applications go to 2 real `onewindow worker` processes on Redis, and wait for the result
(polling the JSON API).

    .venv/bin/python bench/portal.py                          # 50 citizens arriving over 60 s
    .venv/bin/python bench/portal.py --citizens 50 --over 180 --json

What it starts (all on 127.0.0.1, all stopped at the end, also on Ctrl-C / SIGTERM): one
`onewindow serve` on a free port and `--workers` (2) `onewindow worker --queues
intake,review,documents` with one inference thread each, a temporary archive, Redis database 13
under a key prefix of this run's own (only that prefix's keys are deleted). One warm-up
application goes through end to end before the clock starts (models loaded, caches filled).

Each citizen arrives at a random moment in the `--over` window (uniform, seeded), opens `/` and
the service page, POSTs the form with its 4 photos (`/services/{id}/apply`, with the page's CSRF
token; the 303 names its status link), opens the status page, polls `GET
/api/v1/applications/{id}` (X-API-Key) every `--poll` s until `result` is there, then opens the
status page again. (The form, not `POST /api/v1/applications`: with workers that answer carries
no submission id while the application is being read, so an API caller cannot poll it.) At most `--concurrency` citizens are in flight. Each citizen
sends its own `X-Forwarded-For` address (the portal trusts the proxy header from 127.0.0.1, as
behind a reverse proxy), so the per-client upload limit applies per citizen as in production.

Measured: upload → result as the citizen sees it (POST start → the poll that returns the
result, granularity `--poll`), upload → decision as the workers record it (POST start → the
decision's timestamp on the status board, no polling error), error rate (HTTP errors, time-outs,
`processing_failed` findings), decisions, and the pages' time on loopback (p50/p95 per page),
all taken while the load runs."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from redis import Redis  # noqa: E402
from rq import Queue, Worker  # noqa: E402

from bench.workers import cleanup  # noqa: E402  (the run's own Redis keys, as bench/workers.py deletes them)
from portal.security import StatusLinks  # noqa: E402
from schemas.documents import DocType  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from specimens.faces import FacePool  # noqa: E402
from specimens.generate import encode, specimen_images  # noqa: E402
from specimens.people import make_person  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/13"
SERVICE = "resident_pension_claim"
DOCS = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.HOUSEHOLD_REGISTER, DocType.BANK_CARD)
PAGES = ("/", f"/services/{SERVICE}", "/status (processing)", "/status (result)")


@dataclass
class Citizen:
    index: int
    id_number: str
    name: str
    files: list[tuple[str, bytes]]
    address: str
    arrival: float = 0.0
    upload_start: float | None = None  # wall clock (time.time) at the POST
    upload_s: float | None = None      # the POST itself (files archived, jobs enqueued)
    to_result: float | None = None     # as the citizen sees it (polling)
    to_decision: float | None = None   # as the workers' status board records it
    submission_id: str | None = None
    decision: str | None = None
    findings: list[str] = field(default_factory=list)
    error: str | None = None
    pages: dict[str, float] = field(default_factory=dict)


def citizens(n: int, seed: int) -> list[Citizen]:
    faces = FacePool(Settings().faces_dir)
    out = []
    for i in range(n):
        rng = random.Random(f"bench-portal/{seed}/{i}")
        year = 1950 + rng.randrange(12)  # 60 or older on any date from 2026 on: eligible
        person = make_person(rng, faces=faces, valid_from="2020-06-01",
                             birth_date=f"{year}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}")
        files = []
        for doc_type, (photo, info) in specimen_images(person, DOCS, 1, rng).items():
            data, ext = encode(photo, info)
            files.append((f"{doc_type.value}{ext}", data))
        out.append(Citizen(i, person.id_number, person.name, files, f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255 or 1}"))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: int) -> float | None:
    """The q-th percentile (inclusive method: the max of 20 values is not its 95th)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


class Deployment:
    """`onewindow serve` + n workers on loopback, a temporary archive, a Redis prefix of its own."""

    def __init__(self, workdir: Path, workers: int):
        self.prefix = f"owbenchportal{os.getpid()}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.api_key = secrets.token_urlsafe(24)
        self.secret = secrets.token_urlsafe(32)
        self.env = {**os.environ, "ONEWINDOW_ARCHIVE": str(workdir / "archive"), "ONEWINDOW_REDIS_URL": REDIS_URL,
                    "ONEWINDOW_REDIS_PREFIX": self.prefix, "ONEWINDOW_WORKER_OCR_THREADS": "1",
                    "OMP_NUM_THREADS": "1", "ONEWINDOW_PORTAL_API_KEYS": self.api_key,
                    "ONEWINDOW_PORTAL_SECRET_KEY": self.secret}
        self.links = StatusLinks(self.secret, 1)
        self.redis = Redis.from_url(REDIS_URL)
        self.redis.ping()
        cleanup(self.redis, self.prefix)
        self.procs: list[subprocess.Popen] = []
        self.logs = workdir / "logs"
        self.logs.mkdir()

    def _start(self, name: str, *args: str) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        # A session of their own: a Ctrl-C in the terminal reaches only the bench, which stops them in order.
        self.procs.append(subprocess.Popen([sys.executable, "-m", "cli", *args], env=self.env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True))

    def start(self, workers: int, timeout: float = 300) -> None:
        self._start("serve", "serve", "--host", "127.0.0.1", "--port", str(self.port))
        for i in range(workers):
            self._start(f"worker{i}", "worker", "--queues", "intake,review,documents")
        queue = Queue(f"{self.prefix}.documents", connection=self.redis)
        deadline = time.monotonic() + timeout
        while True:
            if any(p.poll() is not None for p in self.procs):
                raise SystemExit(f"a process of the deployment exited; see its log in {self.logs}")
            found = Worker.all(queue=queue)
            ready = len(found) == workers and all(w.get_state() == "idle" for w in found)
            if ready:
                try:
                    if httpx.get(self.base + "/", timeout=5).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise SystemExit("the deployment did not start in time")
            time.sleep(0.2)

    def decided_at(self, submission_id: str) -> float | None:
        raw = self.redis.hgetall(f"{self.prefix}:status:{submission_id}")
        status = {k.decode(): v.decode() for k, v in raw.items()}
        return float(status["updated_at"]) if status.get("state") in ("decided", "failed") else None

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        cleanup(self.redis, self.prefix)


def run_citizen(dep: Deployment, c: Citizen, t0: float, poll: float, timeout: float, stop: threading.Event) -> None:
    delay = t0 + c.arrival - time.monotonic()
    if delay > 0 and stop.wait(delay):
        c.error = "interrupted"
        return
    headers = {"X-Forwarded-For": c.address}
    api = {**headers, "X-API-Key": dep.api_key}
    with httpx.Client(base_url=dep.base, timeout=120) as http:
        def page(name: str, path: str) -> httpx.Response:
            start = time.perf_counter()
            r = http.get(path, headers=headers)
            c.pages[name] = time.perf_counter() - start
            if r.status_code != 200:
                raise RuntimeError(f"GET {name}: HTTP {r.status_code}")
            return r

        try:
            page("/", "/")
            form = page(f"/services/{SERVICE}", f"/services/{SERVICE}")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            c.upload_start, start = time.time(), time.perf_counter()
            files = [("files", (name, data, "application/octet-stream")) for name, data in c.files]
            r = http.post(f"/services/{SERVICE}/apply", headers=headers, files=files,
                          data={"csrf": csrf, "service": SERVICE, "id_number": c.id_number, "name": c.name})
            if r.status_code != 303 or not r.headers.get("location", "").startswith("/status/"):
                raise RuntimeError(f"POST application: HTTP {r.status_code}")
            c.upload_s = time.perf_counter() - start
            status = r.headers["location"]
            c.submission_id = dep.links.read(status.removeprefix("/status/"))
            page("/status (processing)", status)
            body: dict = {}
            while body.get("result") is None:
                if time.perf_counter() - start > timeout:
                    raise RuntimeError("no result in time")
                if stop.wait(poll):
                    raise RuntimeError("interrupted")
                r = http.get(f"/api/v1/applications/{c.submission_id}", headers=api)
                if r.status_code != 200:
                    raise RuntimeError(f"GET application: HTTP {r.status_code}")
                body = r.json()
            c.to_result = time.perf_counter() - start
            c.decision = body["result"]["decision"]
            c.findings = sorted({f["code"] for f in body["result"]["findings"] if f["severity"] == "blocker"})
            if "processing_failed" in c.findings:
                c.error = "processing_failed"
            if (at := dep.decided_at(c.submission_id)) is not None:
                c.to_decision = at - c.upload_start
            page("/status (result)", status)
        except (httpx.HTTPError, RuntimeError, KeyError, ValueError, AttributeError) as exc:
            c.error = c.error or (str(exc) or type(exc).__name__)


def run(args: argparse.Namespace) -> dict:
    print(f"generating {args.citizens} citizens × {len(DOCS)} photos …", file=sys.stderr)
    people = citizens(args.citizens + 1, args.seed)
    warm, people = people[0], people[1:]
    rng = random.Random(f"bench-portal-arrivals/{args.seed}")
    for c, at in zip(people, sorted(rng.uniform(0, args.over) for _ in people)):
        c.arrival = at
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="owbench-portal-") as tmp:
        dep = Deployment(Path(tmp), args.workers)
        try:
            print(f"starting serve + {args.workers} workers …", file=sys.stderr)
            dep.start(args.workers)
            run_citizen(dep, warm, time.monotonic(), args.poll, args.timeout, stop)
            if warm.error:
                raise SystemExit(f"warm-up application failed: {warm.error}")
            print(f"warm-up done ({warm.to_result:.1f} s); {len(people)} citizens over {args.over:.0f} s …",
                  file=sys.stderr)
            t0, wall = time.monotonic(), time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                futures = [pool.submit(run_citizen, dep, c, t0, args.poll, args.timeout, stop) for c in people]
                try:
                    for f in futures:
                        while not f.done():
                            time.sleep(0.2)
                except KeyboardInterrupt:
                    stop.set()
                    print("interrupted: stopping the citizens and the deployment …", file=sys.stderr)
                    raise
            wall = time.perf_counter() - wall
        finally:
            stop.set()
            dep.stop()
    return summarize(args, people, wall, warm)


def summarize(args, people: list[Citizen], wall: float, warm: Citizen) -> dict:
    def stats(values):
        values = sorted(values)
        return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95),
                "max": values[-1] if values else None}

    ok = [c for c in people if c.error is None]
    decisions: dict[str, int] = {}
    for c in ok:
        decisions[c.decision] = decisions.get(c.decision, 0) + 1
    errors: dict[str, int] = {}
    for c in people:
        if c.error:
            errors[c.error] = errors.get(c.error, 0) + 1
    findings: dict[str, int] = {}
    for c in ok:
        for code in c.findings:
            findings[code] = findings.get(code, 0) + 1
    return {
        "citizens": len(people), "documents": len(people) * len(DOCS), "service": SERVICE,
        "workers": args.workers, "over_s": args.over, "concurrency": args.concurrency, "poll_s": args.poll,
        "cpus": os.cpu_count(), "wall_s": wall, "warm_up_s": warm.to_result,
        "arrival_rate_per_s": len(people) / args.over if args.over else None,
        "upload_request_s": stats([c.upload_s for c in people if c.upload_s is not None]),
        "upload_to_result_s": stats([c.to_result for c in ok]),
        "upload_to_decision_s": stats([c.to_decision for c in ok if c.to_decision is not None]),
        "error_rate": (len(people) - len(ok)) / len(people) if people else 0.0, "errors": errors,
        "decisions": decisions, "blocker_findings": findings,
        "documents_per_min": len(people) * len(DOCS) / wall * 60 if wall else None,
        "pages_s": {p: stats([c.pages[p] for c in people if p in c.pages]) for p in PAGES},
        "target": {"p95_to_result_s": 10.0, "errors": 0},
        "met": bool(ok) and len(ok) == len(people) and stats([c.to_result for c in ok])["p95"] <= 10.0,
    }


def table(r: dict) -> str:
    def s(v, unit=" s"):
        return "—" if v is None else f"{v:.2f}{unit}"

    lines = [f"{r['citizens']} citizens × 4 photos ({r['service']}), arrivals uniform over {r['over_s']:.0f} s "
             f"({r['arrival_rate_per_s']:.2f}/s), ≤{r['concurrency']} in flight, {r['workers']} workers, "
             f"{r['cpus']} CPUs; wall {r['wall_s']:.0f} s, {r['documents_per_min']:.0f} documents/min",
             "", "| measure | n | p50 | p95 | max |", "|---|---:|---:|---:|---:|"]
    for label, key in (("POST of the 4 photos (archived + enqueued)", "upload_request_s"),
                       ("upload → result (citizen polls every %.1f s)" % r["poll_s"], "upload_to_result_s"),
                       ("upload → decision (workers' timestamp)", "upload_to_decision_s")):
        st = r[key]
        lines.append(f"| {label} | {st['n']} | {s(st['p50'])} | {s(st['p95'])} | {s(st['max'])} |")
    for page, st in r["pages_s"].items():
        lines.append(f"| page GET {page} | {st['n']} | {s(st['p50'] and st['p50'] * 1000, ' ms')} | "
                     f"{s(st['p95'] and st['p95'] * 1000, ' ms')} | {s(st['max'] and st['max'] * 1000, ' ms')} |")
    lines += ["", f"errors: {r['error_rate']:.1%} {r['errors'] or ''}".rstrip(),
              f"decisions: {r['decisions']}; blocker findings: {r['blocker_findings'] or 'none'}",
              f"target p95 ≤ 10 s to a result, no errors: {'met' if r['met'] else 'NOT met'}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--over", type=float, default=60.0, help="seconds over which the citizens arrive")
    parser.add_argument("--concurrency", type=int, default=50, help="citizens in flight at most")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between a citizen's status polls")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds a citizen waits for a result at most")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if not 1 <= args.citizens <= 1000 or args.over < 0 or args.concurrency < 1 or not 1 <= args.workers <= 16:
        parser.error("--citizens 1..1000, --over ≥ 0, --concurrency ≥ 1, --workers 1..16")
    # SIGTERM (e.g. a CI time-out) takes the same way out as Ctrl-C: the processes are stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (`cmd &`)
    try:
        result = run(args)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    if args.json:  # the JSON on stdout, the table on stderr for the person watching
        print(table(result), file=sys.stderr)
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(table(result))


if __name__ == "__main__":
    main()
