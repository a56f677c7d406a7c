"""Archive throughput: store and read back N documents (≈300 KB each) through the archive
(hashing, AES-GCM sealing, history event, audit chain) on both backends, against what a user
would otherwise do on the same server and disk: a plain `minio` put/get loop, and a plain
write-to-directory loop (temp file, fsync, rename: the same durability the local store
gives), one file at a time, and the same loop with 4 writer threads for comparison (costs are
against the one-at-a-time loop).

    .venv/bin/python bench/archive.py                # 1,000 documents, batches of 1, 5 and 10
    .venv/bin/python bench/archive.py --docs 200 --batches 5
    .venv/bin/python bench/archive.py --paired       # plain loop and archive taking turns (see Paired)
    .venv/bin/python bench/archive.py --paired --returning 25   # 25 citizens coming back, not all new

The S3 side runs against moto's server mode on 127.0.0.1, started here in a process of its own
(as a real server would be: not competing with the client for this interpreter). moto is not
MinIO: it is a Python server whose per-request cost is high and nearly flat in object size, so
request count dominates, and the numbers say little about MinIO's absolute speed; the ratio to
the plain loop on the same server is the figure to read."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minio import Minio  # noqa: E402

from storage.archive import Archive  # noqa: E402
from storage.crypto import Keyring  # noqa: E402
from storage.local import LocalBlobStore  # noqa: E402
from storage.s3 import S3BlobStore, make_client  # noqa: E402

ACCESS, SECRET = "bench", "bench-secret-key"


RETURNING = 0
"""Submissions come from this many citizens in turn (--returning); 0: a new citizen for each."""


def citizen_id(n: int) -> str:
    """The citizen of submission n. A new citizen costs more than one coming back: the archive
    makes their data key (one more durable write before any upload) and their folders."""
    n = n % RETURNING if RETURNING else n
    return f"110101{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}X"


def make_docs(count: int, size: int) -> list[bytes]:
    """Incompressible bytes, like JPEG photos; each a little different in length."""
    return [os.urandom(size + (n * 37) % 2048) for n in range(count)]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def stop_moto(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(10)


def plain_s3(endpoint: str, docs: list[bytes]) -> tuple[float, float]:
    client = Minio(endpoint, access_key=ACCESS, secret_key=SECRET, secure=False, region="us-east-1")
    bucket = f"plain-{os.urandom(4).hex()}"
    client.make_bucket(bucket)

    def put():
        for n, data in enumerate(docs):
            client.put_object(bucket, f"doc/{n}", io.BytesIO(data), len(data))

    def get():
        for n, data in enumerate(docs):
            response = client.get_object(bucket, f"doc/{n}")
            assert len(response.read()) == len(data)
            response.close()
            response.release_conn()

    return timed(put), timed(get)


def plain_local(root: Path, docs: list[bytes]) -> tuple[float, float]:
    store = LocalBlobStore(root)  # put = temp file + fsync + rename, nothing else
    return (timed(lambda: [store.put(f"doc/{n}", data) for n, data in enumerate(docs)]),
            timed(lambda: [store.get(f"doc/{n}") for n in range(len(docs))]))


def plain_local_writers(root: Path, docs: list[bytes], writers: int = 4) -> tuple[float, float]:
    """The same careful loop with `writers` threads, as the archive writes a submission's uploads
    (storage.blobs.create_all): concurrent fsync calls overlap on the disk."""
    store = LocalBlobStore(root)
    with ThreadPoolExecutor(writers) as pool:
        put = timed(lambda: list(pool.map(lambda n: store.put(f"doc/{n}", docs[n]), range(len(docs)))))
    return put, timed(lambda: [store.get(f"doc/{n}") for n in range(len(docs))])


def through_archive(archive: Archive, docs: list[bytes], batch: int) -> tuple[float, float]:
    batches = [docs[i:i + batch] for i in range(0, len(docs), batch)]
    received: list[tuple[str, list[str]]] = []

    def put():
        for n, group in enumerate(batches):
            who = citizen_id(n)
            uploads = archive.receive(f"20261128T120000-{n:08x}", "bench", [(f"{i}.jpg", d) for i, d in enumerate(group)],
                                      citizen=who, actor="bench")
            received.append((who, [u.sha256 for u in uploads]))

    def get():
        for who, shas in received:
            assert len(archive.get_uploads(shas, citizen=who, actor="bench")) == len(shas)

    return timed(put), timed(get)


class Paired:
    """The plain loop and the archive taking turns, one submission's documents at a time, each
    going first every other turn, so both meet the disk (or server) in the same state. This
    machine's disk swings twofold in fsync speed within minutes, which swamps a comparison of
    runs made one after the other; the summed times of turns taken side by side do not drift
    apart that way."""

    def __init__(self, plain_put, plain_get, archive: Archive, docs: list[bytes], batch: int):
        self.plain_put, self.plain_get, self.archive = plain_put, plain_get, archive
        self.groups = [docs[i:i + batch] for i in range(0, len(docs), batch)]
        self.times = dict.fromkeys(("plain put", "plain get", "archive put", "archive get"), 0.0)

    def _turn(self, n: int, plain, archive) -> None:
        order = [plain, archive] if n % 2 == 0 else [archive, plain]
        for name, fn in order:
            start = time.perf_counter()
            fn()
            self.times[name] += time.perf_counter() - start

    def run(self) -> dict[str, float]:
        received = []
        for n, group in enumerate(self.groups):
            who = citizen_id(n)

            def receive(n=n, group=group, who=who):
                uploads = self.archive.receive(f"20261128T120000-{n:08x}", "bench",
                                               [(f"{i}.jpg", d) for i, d in enumerate(group)], citizen=who, actor="bench")
                received.append((who, [u.sha256 for u in uploads]))

            self._turn(n, ("plain put", lambda n=n, group=group: [self.plain_put(f"doc/{n}-{i}", d)
                                                                   for i, d in enumerate(group)]),
                       ("archive put", receive))
        read = [0]  # each side holds one submission's documents, then lets them go, as a worker does

        def count(documents: list[bytes]) -> None:
            read[0] += len(documents)

        for n, (who, shas) in enumerate(received):
            self._turn(n, ("plain get", lambda n=n, shas=shas: count([self.plain_get(f"doc/{n}-{i}")
                                                                      for i in range(len(shas))])),
                       ("archive get", lambda who=who, shas=shas: count(
                           self.archive.get_uploads(shas, citizen=who, actor="bench"))))
        assert read[0] == 2 * sum(map(len, self.groups))
        return self.times


def paired_local(root: Path, keyring: Keyring, docs: list[bytes], batch: int) -> dict[str, float]:
    plain = LocalBlobStore(root / "plain")
    return Paired(plain.put, plain.get, Archive(LocalBlobStore(root / "archive"), keyring), docs, batch).run()


def paired_s3(endpoint: str, keyring: Keyring, docs: list[bytes], batch: int) -> dict[str, float]:
    client = Minio(endpoint, access_key=ACCESS, secret_key=SECRET, secure=False, region="us-east-1")
    bucket = f"plain-{os.urandom(4).hex()}"
    client.make_bucket(bucket)

    def get(name: str) -> bytes:
        response = client.get_object(bucket, name)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    store = S3BlobStore(make_client(endpoint, access_key=ACCESS, secret_key=SECRET, secure=False,
                                    region="us-east-1"), f"archive-{batch}", endpoint=endpoint)
    return Paired(lambda name, data: client.put_object(bucket, name, io.BytesIO(data), len(data)), get,
                  Archive(store, keyring), docs, batch).run()


def paired_row(backend: str, batch: int, docs: list[bytes], times: dict[str, float]) -> str:
    total = sum(map(len, docs)) / 1e6
    plain, archive = times["plain put"] + times["plain get"], times["archive put"] + times["archive get"]
    return "| " + " | ".join([
        backend, f"{batch}", f"{len(docs) / times['plain put']:,.0f}", f"{len(docs) / times['archive put']:,.0f}",
        f"{total / times['archive put']:,.1f}", f"{len(docs) / times['plain get']:,.0f}",
        f"{len(docs) / times['archive get']:,.0f}",
        f"{(times['archive put'] / times['plain put'] - 1) * 100:+.0f}%",
        f"{(times['archive get'] / times['plain get'] - 1) * 100:+.0f}%",
        f"{(archive / plain - 1) * 100:+.0f}%"]) + " |"


def row(backend: str, mode: str, docs: list[bytes], put: float, get: float, base: tuple[float, float] | None) -> str:
    total = sum(map(len, docs)) / 1e6
    cells = [backend, mode, f"{len(docs) / put:,.0f}", f"{total / put:,.1f}", f"{len(docs) / get:,.0f}",
             f"{total / get:,.1f}"]
    if base:
        cells += [f"{(put / base[0] - 1) * 100:+.0f}%", f"{(get / base[1] - 1) * 100:+.0f}%",
                  f"{((put + get) / sum(base) - 1) * 100:+.0f}%"]
    else:
        cells += ["—", "—", "—"]
    return "| " + " | ".join(cells) + " |"


def best_of(repeat: int, run) -> tuple[float, float]:
    """The fastest write and the fastest read over `repeat` fresh runs: this machine is shared,
    so the minimum is the figure least disturbed by others."""
    results = [run(n) for n in range(repeat)]
    return min(r[0] for r in results), min(r[1] for r in results)


def on_moto(fn):
    server, endpoint = start_moto()  # a fresh server per run: moto slows as it fills up
    try:
        return fn(endpoint)
    finally:
        stop_moto(server)


def archive_on_moto(endpoint: str, keyring: Keyring, docs: list[bytes], batch: int) -> tuple[float, float]:
    client = make_client(endpoint, access_key=ACCESS, secret_key=SECRET, secure=False, region="us-east-1")
    store = S3BlobStore(client, f"archive-{batch}", endpoint=endpoint)
    return through_archive(Archive(store, keyring), docs, batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--size", type=int, default=300_000, help="bytes per document (≈)")
    parser.add_argument("--batches", default="1,5,10", help="documents per submission (one audit entry, one event)")
    parser.add_argument("--backends", default="local,s3")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the best is reported")
    parser.add_argument("--paired", action="store_true",
                        help="plain loop and archive take turns per submission (see Paired); one run per row")
    parser.add_argument("--returning", type=int, default=0, metavar="K",
                        help="submissions come from K citizens in turn (default: a new citizen for each, the worst case)")
    args = parser.parse_args()
    global RETURNING
    RETURNING = args.returning
    docs = make_docs(args.docs, args.size)
    batches = [int(b) for b in args.batches.split(",")]
    keyring = Keyring({"bench": os.urandom(32)}, "bench", os.urandom(32))
    if args.paired:
        return print_paired(args, docs, batches, keyring)
    lines = ["| backend | mode | write docs/s | write MB/s | read docs/s | read MB/s | write cost | read cost | total cost |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    tmp = Path(tempfile.mkdtemp(prefix="onewindow-bench-"))
    try:
        if "local" in args.backends:
            base = best_of(args.repeat, lambda n: plain_local(tmp / f"plain-{n}", docs))
            lines.append(row("local", "plain directory loop", docs, *base, None))
            lines.append(row("local", "plain loop, 4 writer threads", docs,
                             *best_of(args.repeat, lambda n: plain_local_writers(tmp / f"plain4-{n}", docs)), base))
            for batch in batches:
                result = best_of(args.repeat, lambda n: through_archive(
                    Archive(LocalBlobStore(tmp / f"archive-{batch}-{n}"), keyring), docs, batch))
                lines.append(row("local", f"archive, {batch}/submission", docs, *result, base))
        if "s3" in args.backends:
            base = best_of(args.repeat, lambda n: on_moto(lambda endpoint: plain_s3(endpoint, docs)))
            lines.append(row("S3 (moto)", "plain minio put/get loop", docs, *base, None))
            for batch in batches:
                result = best_of(args.repeat, lambda n: on_moto(
                    lambda endpoint: archive_on_moto(endpoint, keyring, docs, batch)))
                lines.append(row("S3 (moto)", f"archive, {batch}/submission", docs, *result, base))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(args, f"best of {args.repeat} runs; cost = extra time against the plain loop", lines)


def report(args, how: str, lines: list[str]) -> int:
    who = f"{RETURNING} citizens coming back" if RETURNING else "a new citizen for each submission"
    print(f"{args.docs} documents of ≈{args.size / 1000:.0f} KB, {who}, {how}\n")
    print("\n".join(lines))
    return 0


def print_paired(args, docs: list[bytes], batches: list[int], keyring: Keyring) -> int:
    lines = ["| backend | docs/submission | plain write docs/s | archive write docs/s | archive write MB/s "
             "| plain read docs/s | archive read docs/s | write cost | read cost | total cost |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    tmp = Path(tempfile.mkdtemp(prefix="onewindow-bench-"))
    try:
        for batch in batches:
            if "local" in args.backends:
                lines.append(paired_row("local", batch, docs, paired_local(tmp / f"paired-{batch}", keyring, docs, batch)))
            if "s3" in args.backends:
                lines.append(paired_row("S3 (moto)", batch, docs, on_moto(
                    lambda endpoint: paired_s3(endpoint, keyring, docs, batch))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(args, "plain loop and archive taking turns per submission; cost = the archive's extra "
                  "time over the plain loop's on the same documents", lines)


if __name__ == "__main__":
    sys.exit(main())
