"""Reading one call's uploads on several threads (`pipeline.read.DocumentReader.read_uploads`):
each upload located first, its pages then waiting to be read, the costliest first."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import IngestError
from pipeline.ingest import Page
from pipeline.locate import DocumentKind, Located
from schemas.documents import DocumentReading

if TYPE_CHECKING:
    from pipeline.read import DocumentReader


@dataclass
class LocatedPage:
    """A decoded page with its candidate document outlines, waiting to be read."""

    page: Page
    file: str
    sha256: str | None
    outlines: list[Located]
    located_in: float
    decoded: float | None = None

    @property
    def work(self) -> int:
        """Rough cost of reading it: a sheet of print (or a whole frame) about twice a card."""
        return 1 if self.outlines[0].kind is DocumentKind.CARD else 2


class ReadSchedule:
    """The uploads of one call, shared by the reading threads: every upload is decoded and
    located first (cheap, and it tells a card from a sheet of print), then the located pages
    are read the costliest first, so the call ends on a short card rather than a page read
    by one thread while the other idles. Byte size is no guide: a card on a busy desk makes
    a larger JPEG than a certificate. At most `lookahead` located pages wait at a time (a
    decoded photo is ~36 MB): past that, a thread reads before it locates more."""

    def __init__(self, reader: "DocumentReader", uploads: Sequence[tuple[str, bytes]], lookahead: int = 4):
        self.reader = reader
        self.uploads = list(uploads)
        self.lookahead = lookahead
        self._next_upload = 0
        self._ready: list[tuple[int, int, int, LocatedPage]] = []  # heap: (-work, upload, page, it)
        self._outcome: dict[int, list[DocumentReading] | IngestError] = {}
        self._readings: dict[tuple[int, int], DocumentReading] = {}
        self._pages: dict[int, int] = {}
        self._locating = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def work(self) -> None:
        """One reading thread: locate uploads while there are any, then read pages (waiting,
        while another thread still locates, for the pages it may bring)."""
        while True:
            with self._changed:
                while True:
                    if self._next_upload < len(self.uploads) and len(self._ready) < self.lookahead:
                        index, self._next_upload = self._next_upload, self._next_upload + 1
                        self._locating += 1
                        task = None
                        break
                    if self._ready:
                        _, index, number, task = heapq.heappop(self._ready)
                        break
                    if not self._locating:
                        return
                    self._changed.wait()
            if task is None:
                self._locate(index)
            else:
                reading = self.reader._read_located(task)
                with self._lock:
                    self._readings[index, number] = reading

    def _locate(self, index: int) -> None:
        file, data = self.uploads[index]
        pages: list[LocatedPage] = []
        try:
            pages = self.reader.locate_upload(data, file)
        except IngestError as exc:
            with self._lock:
                self._outcome[index] = exc
        finally:
            with self._changed:
                self._locating -= 1
                self._pages[index] = len(pages)
                for number, page in enumerate(pages):
                    heapq.heappush(self._ready, (-page.work, index, number, page))
                self._changed.notify_all()

    def results(self) -> list[list[DocumentReading] | IngestError]:
        return [self._outcome.get(i) or [self._readings[i, n] for n in range(self._pages[i])]
                for i in range(len(self.uploads))]
