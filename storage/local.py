"""The local-directory backend: one file per object, written atomically (temp + rename);
conditional writes by hard-linking the finished temp file, which fails if the name exists.
Each temp file is fsynced before it is renamed or linked. (fdatasync was tried: no measurable
gain on ext4 for new files, whose size and blocks must be committed anyway.)"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from storage.errors import NotFoundError, StorageError
from storage.scratch import Scratch


_reading = Scratch()


class LocalBlobStore:
    def __init__(self, root: Path | str):
        self.root = Path(root).expanduser().resolve()
        self.location = str(self.root)
        self._dirs: set[Path] = set()  # directories known to exist: no failed mkstemp + mkdir per write
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the archive at {self.root}: {exc.strerror}") from exc

    def _path(self, key: str) -> Path:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise StorageError(f"bad object key {key!r}")
        return self.root / key

    def _write_temp(self, path: Path, data: bytes) -> str:
        parent = path.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            if len(self._dirs) >= 4096:  # one per upload ever: keep a long-lived worker's memory flat
                self._dirs.clear()
            self._dirs.add(parent)
        try:
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
        except FileNotFoundError:  # removed behind our back since
            parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.close(fd)
        return tmp

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            os.replace(self._write_temp(path, data), path)
        except OSError as exc:
            raise StorageError(f"cannot write {key} in {self.root}: {exc.strerror}") from exc

    def create(self, key: str, data: bytes, *, lock_days: int = 0) -> bool:
        path = self._path(key)
        tmp = None
        try:
            tmp = self._write_temp(path, data)
            if lock_days:
                os.chmod(tmp, 0o444)
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except OSError as exc:
            raise StorageError(f"cannot write {key} in {self.root}: {exc.strerror}") from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"{key} is not in the archive at {self.root}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {key} in {self.root}: {exc.strerror}") from exc

    def get_view(self, key: str) -> memoryview:
        """Read into this thread's reusable buffer (storage/scratch.py)."""
        try:
            with open(self._path(key), "rb", buffering=0) as file:
                size = os.fstat(file.fileno()).st_size
                view = _reading.view(size)
                done = 0
                while done < size:
                    got = file.readinto(view[done:])
                    if not got:
                        break
                    done += got
                return view[:done]
        except FileNotFoundError:
            raise NotFoundError(f"{key} is not in the archive at {self.root}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {key} in {self.root}: {exc.strerror}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def list(self, prefix: str = "") -> Iterator[str]:
        # Walk only what the prefix can name: the entries of its folder that start with its last
        # part (uploads/ab/<sha> is a few files among thousands), not the whole archive.
        folder, _, start = prefix.rpartition("/")
        base = self.root / folder if folder else self.root
        if not base.is_dir():
            return iter(())
        keys = []
        for entry in base.glob(glob.escape(start) + "*"):
            for path in ([entry] if entry.is_file() else entry.rglob("*")):
                if path.is_file() and not path.name.startswith(".tmp-"):
                    key = path.relative_to(self.root).as_posix()
                    if key.startswith(prefix):
                        keys.append(key)
        return iter(sorted(keys))
