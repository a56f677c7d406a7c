"""What the commands share: settings, the reader (models load once per call), the archive."""

from __future__ import annotations

import json
import sys
from functools import cached_property
from pathlib import Path

from schemas.errors import InputError
from schemas.settings import Settings


class Context:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()

    @cached_property
    def reader(self):
        from pipeline.read import DocumentReader

        return DocumentReader.from_settings(self.settings)

    @cached_property
    def archive(self):
        from storage.archive import open_archive_from_settings

        return open_archive_from_settings(self.settings)


def read_files(paths: list[str]) -> list[tuple[str, bytes]]:
    """(name, bytes) of each path; InputError naming the first that cannot be read."""
    files = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file")
        if path.is_dir():
            raise InputError(f"{raw}: is a directory, not a file")
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise InputError(f"{raw}: cannot read ({exc.strerror})") from exc
    return files


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
