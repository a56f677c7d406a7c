"""What jobs share inside one worker process: settings, the archive, Redis and the reader.

The worker builds one WorkerContext at start and installs it; the reader (ONNX Runtime
sessions) is built on first use inside that same process and kept for every later job. Jobs
run in the worker process itself (SimpleWorker, see workers/worker.py), so no session is
ever carried across a fork."""

from __future__ import annotations

import socket
from functools import cached_property

from redis import Redis

from schemas.settings import Settings
from workers.queues import Names, connect


class WorkerContext:
    def __init__(self, settings: Settings, redis: Redis | None = None, archive=None, reader=None):
        self.settings = settings
        self.names = Names.of(settings)
        self._redis = redis
        if archive is not None:
            self.__dict__["archive"] = archive
        if reader is not None:
            self.__dict__["reader"] = reader
        self.actor = f"worker:{socket.gethostname()}"

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = connect(self.settings)
        return self._redis

    @cached_property
    def archive(self):
        from storage.archive import open_archive_from_settings

        return open_archive_from_settings(self.settings, actor=self.actor)

    @cached_property
    def reader(self):
        """Built once per process, on the first read job (never at import, never per job).
        A job reads one upload: the worker's threads go to that one inference."""
        from pipeline.read import DocumentReader

        return DocumentReader.from_settings(self.settings, threads=self.settings.worker_ocr_threads)

    @cached_property
    def faces(self):
        """The face models (dlib), the process's one set: loaded on the first verification job,
        or at start by a worker serving the verification queue (workers/worker.py)."""
        from models.faces import face_models

        return face_models()

    def load_faces(self) -> None:
        """Load every face model now (a detection on a blank image loads them all)."""
        import numpy as np

        self.faces.detect(np.zeros((16, 16), np.uint8), side=None)


_current: WorkerContext | None = None


def install(context: WorkerContext) -> WorkerContext:
    global _current
    _current = context
    return context


def current() -> WorkerContext:
    """The installed context; a job run by any other RQ worker builds one from the environment."""
    global _current
    if _current is None:
        _current = WorkerContext(Settings())
    return _current
