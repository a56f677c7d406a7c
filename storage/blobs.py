"""The blob-store protocol every archive backend implements (local directory, S3)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BlobStore(Protocol):
    location: str
    """Where the objects live, for people (a directory, s3://bucket)."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, atomically: readers see the old object or the new one."""
        ...

    def create(self, key: str, data: bytes, *, lock_days: int = 0) -> bool:
        """Store `data` only if nothing is under `key` yet (a conditional write); False if
        something is. With `lock_days`, make the object unchangeable by the application where
        the backend can (S3 object lock; a read-only file locally). `data` may be a view of a
        buffer its writer reuses afterwards: copy it if it must outlive the call."""
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; NotFoundError if there is none."""
        ...

    def get_view(self, key: str) -> memoryview:
        """Like `get`, but the bytes may sit in a buffer this thread reuses: valid only until the
        thread's next `get_view`. For bytes consumed at once (opened, parsed)."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object, every stored version of it included; no error if absent."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under `prefix`, in lexical order."""
        ...


# Writes at once, and a write beside a read -------------------------------------------------

_WRITERS = 8  # a submission of four to six uploads and its audit entry flush in one go
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _reset_pool() -> None:  # a forked child has the pool object but not its threads
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_reset_pool)


def _writers() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_WRITERS, thread_name_prefix="onewindow-write")
        return _pool


def alongside(fn: Callable[..., T], *args, **kwargs) -> Future[T]:
    """Run `fn` on the writer threads while the caller does something else (e.g. write a read's
    audit entry while the blobs are read); the caller must wait for its result."""
    return _writers().submit(fn, *args, **kwargs)


def map_all(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`fn` over the items, several at once on the writer threads, results in order; returns
    once every call has finished (the first error is raised then). For work that releases the
    GIL: hashing, AES-GCM, file and network I/O."""
    if len(items) < 2:
        return [fn(item) for item in items]
    pool = _writers()
    futures = [pool.submit(fn, item) for item in items]
    wait(futures)
    return [future.result() for future in futures]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create_all(store: BlobStore, items: Sequence[tuple[str, bytes]],
               prepare: Callable[[str, bytes], bytes | memoryview] | None = None) -> list[bool]:
    """`store.create` for each (key, data), up to eight at a time (`map_all`). Each write is as
    durable as it is alone; running them together lets the disk flush several files in one go
    (the local store's fsync calls overlap) and lets S3 requests overlap their round trips.
    `prepare(key, data)`, if given, runs on the writing thread just before the write and gives
    the bytes to write (sealing there lets both cores seal at once, as AES-GCM releases the GIL;
    it may return a view of a per-thread buffer, used only by that write). For writes that do
    not depend on one another: the uploads of one submission, never an event and the blobs it
    names."""
    def write(item: tuple[str, bytes]) -> bool:
        key, data = item
        return store.create(key, prepare(key, data) if prepare else data)

    return map_all(write, items)
