"""Archive throughput: store and read back N documents (≈300 KB each) through the archive
(hashing, AES-GCM sealing, history event, audit chain) on both backends, against what a user
would otherwise do on the same server and disk: a plain `minio` put/get loop, and a plain
write-to-directory loop (temp file, fsync, rename: the same durability the local store
gives), one file at a time, and the same loop with 4 writer threads for comparison (costs are
against the one-at-a-time loop).

    .venv/bin/python bench/archive.py                # 1,000 documents, batches of 1, 5 and 10
    .venv/bin/python bench/archive.py --docs 200 --batches 5

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


def citizen_id(n: int) -> str:
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
    args = parser.parse_args()
    docs = make_docs(args.docs, args.size)
    batches = [int(b) for b in args.batches.split(",")]
    keyring = Keyring({"bench": os.urandom(32)}, "bench", os.urandom(32))
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
    print(f"{args.docs} documents of ≈{args.size / 1000:.0f} KB, best of {args.repeat} runs; "
          "cost = extra time against the plain loop\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
