"""The blob-store protocol every archive backend implements (local directory, S3)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Protocol, TypeVar

T = TypeVar("T")


class BlobStore(Protocol):
    location: str
    """Where the objects live, for people (a directory, s3://bucket)."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, atomically: readers see the old object or the new one."""
        ...

    def create(self, key: str, data: bytes, *, lock_days: int = 0) -> bool:
        """Store `data` only if nothing is under `key` yet (a conditional write); False if
        something is. With `lock_days`, make the object unchangeable by the application where
        the backend can (S3 object lock; a read-only file locally)."""
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; NotFoundError if there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object, every stored version of it included; no error if absent."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under `prefix`, in lexical order."""
        ...


# Writes at once, and a write beside a read -------------------------------------------------

_WRITERS = 4
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


def create_all(store: BlobStore, items: Iterable[tuple[str, bytes]]) -> list[bool]:
    """`store.create` for each (key, data), up to four at a time, and return once every one has
    finished (the first error, if any, is raised then, so no write is still running after the
    call). Each write is as durable as it is alone; running them together lets the disk flush
    several files in one go (the local store's fsync calls overlap) and lets S3 requests
    overlap their round trips. `items` may be a generator: each write starts as soon as its item
    is produced, so sealing the next one overlaps the writing of this one. For writes that do not
    depend on one another: the uploads of one submission, never an event and the blobs it names."""
    if isinstance(items, Sequence) and len(items) < 2:
        return [store.create(key, data) for key, data in items]
    pool = _writers()
    futures = []
    try:
        for key, data in items:
            futures.append(pool.submit(store.create, key, data))
    finally:
        wait(futures)  # even when producing an item failed: nothing keeps running after the call
    return [future.result() for future in futures]
