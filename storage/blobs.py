"""The blob-store protocol every archive backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class BlobStore(Protocol):
    location: str
    """Where the objects live, for people (a directory, s3://bucket)."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, atomically: readers see the old object or the new one."""
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; NotFoundError if there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under `prefix`, in lexical order."""
        ...
