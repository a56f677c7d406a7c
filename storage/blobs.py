"""The blob-store protocol every archive backend implements (local directory, S3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


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
