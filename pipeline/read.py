"""Read one document: the stages from a decoded page to a DocumentReading.

page → locate → rectify → orient (detect lines) → recognize → classify → extract (with a
second look at labels read into their values, at closed-list fields not read or read off
their list, at numbers failing their check digit, and at validity dates that do not fit
together) → validate → quality.
Detection runs on a small copy of the straightened document; recognition crops each line from
the full-resolution one."""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np

from models.ocr import OcrEngine, TextLine, crop_quad, order_quad, sort_reading_order
from pipeline.address_reread import reread_address_prefix, reread_address_units
from pipeline.check_digits import reread_check_digits
from pipeline.classify import classify
from pipeline.closed_lists import reread_closed_fields
from pipeline.deblur import find_smear_around, unsmear, unsmear_around
from pipeline.errors import IngestError
from pipeline.extract import extract
from pipeline.implied import fill_implied_fields
from pipeline.ingest import Limits, Page, decode
from pipeline.layout import Layout
from pipeline.locate import DocumentKind, Located, card_around_number, card_cuts, find_documents, rectify
from pipeline.merged_labels import trim_merged_labels
from pipeline.merit import CARD_TYPES, Merit, doubtful_fields, flaws, merit_of
from pipeline.orient import Oriented, orient, rotate_image, rotate_points
from pipeline.quality import assess
from pipeline.read_schedule import LocatedPage, ReadSchedule
from pipeline.surnames import reread_surname
from pipeline.validity_period import reread_validity
from pipeline.validate import validate_fields
from schemas.documents import DocType, DocumentReading, Quad


@dataclass(frozen=True)
class ReadOptions:
    card_long_side: int = 960
    """Pixels across a straightened card (ID-card print is then ~28 px tall)."""
    card_detect_side: int = 640
    page_long_side: int = 2000
    page_detect_side: int = 960
    max_outlines: int = 3
    """Outlines tried per page (most document-like first) before the whole frame."""
    accept_confidence: float = 0.5
    """A reading this sure of its document type ends the search for the document."""
    shared_lines: int = 4
    """Lines per share of a document's recognition offered to idle reading threads."""
    unsmear_motion: bool = True
    """When no outline reads complete, read the best one again with the camera's motion
    smear taken out (`pipeline.deblur`)."""


class DocumentReader:
    """Reads uploads with one OCR engine; build one per process and reuse it.

    Several uploads of one call (`read_uploads`) are read `concurrency` at a time by threads
    sharing `concurrent_engine`, an engine whose inferences each use one thread: on two cores,
    two documents at once finish ≈ 1.4× sooner than one after another with two inference
    threads each (bench/RESULTS.md, "Pre-review"). A single upload uses `engine`.

    With `helpers` (the pool of those threads), a document offers shares of its line
    recognition to the pool: a thread with no document left to read takes them, so the last
    document of a call is not read by one core while the other idles."""

    def __init__(self, engine: OcrEngine, limits: Limits = Limits(), options: ReadOptions = ReadOptions(), *,
                 concurrency: int = 1, concurrent_engine: OcrEngine | None = None, helpers: Executor | None = None):
        self.engine = engine
        self.limits = limits
        self.options = options
        self.concurrency = concurrency
        self.concurrent_engine = concurrent_engine
        self.helpers = helpers

    @classmethod
    def from_settings(cls, settings, *, threads: int | None = None) -> "DocumentReader":
        """The configured engine with the configured limits; `threads` overrides the
        settings' inference threads (workers read one upload per job on one thread)."""
        from models.factory import load_ocr_engine

        if threads is not None:
            settings = settings.model_copy(update={"ocr_threads": threads})
        limits = Limits(settings.max_upload_bytes, settings.max_image_pixels, settings.max_pdf_pages)
        engine = load_ocr_engine(settings)
        concurrency = settings.read_concurrency or min(os.cpu_count() or 1, 4)
        if concurrency < 2 or not engine.thread_safe:
            return cls(engine, limits)
        single = engine if settings.ocr_threads == 1 else load_ocr_engine(settings.model_copy(update={"ocr_threads": 1}))
        return cls(engine, limits, concurrency=concurrency, concurrent_engine=single)  # models load on first use

    def read_uploads(self, uploads: Sequence[tuple[str, bytes]]) -> list[list[DocumentReading] | IngestError]:
        """Each (file name, bytes) read, in the order given; an upload that cannot be decoded
        gives its IngestError in its place."""
        workers = min(self.concurrency, len(uploads))
        if workers < 2 or self.concurrent_engine is None:
            results: list[list[DocumentReading] | IngestError] = []
            for file, data in uploads:
                try:
                    results.append(self.read_upload(data, file))
                except IngestError as exc:
                    results.append(exc)
            return results
        with ThreadPoolExecutor(workers, thread_name_prefix="read") as pool:
            sibling = DocumentReader(self.concurrent_engine, self.limits, self.options, helpers=pool)
            schedule = ReadSchedule(sibling, uploads, lookahead=2 * workers)
            for future in [pool.submit(schedule.work) for _ in range(workers)]:
                future.result()
            return schedule.results()

    def read_upload(self, data: bytes, file: str) -> list[DocumentReading]:
        """Every page of an upload, read. Raises IngestError if it cannot be decoded."""
        return [self._read_located(page) for page in self.locate_upload(data, file)]

    def locate_upload(self, data: bytes, file: str) -> list[LocatedPage]:
        """Every page of an upload decoded and its document outlines found (the cheap first
        part of reading it). Raises IngestError if it cannot be decoded."""
        sha256 = hashlib.sha256(data).hexdigest()
        started = time.perf_counter()
        pages = decode(data, self.limits)
        decoded = round((time.perf_counter() - started) / len(pages), 4)
        return [LocatedPage(page, file, sha256, *self._outlines(page), decoded) for page in pages]

    def read_page(self, page: Page, file: str, sha256: str | None = None) -> DocumentReading:
        """Read the most document-like outline in the page; if it does not read as a document
        (a sheet of print next to the card, say), try the next outline, then the whole frame."""
        return self._read_located(LocatedPage(page, file, sha256, *self._outlines(page)))

    def _outlines(self, page: Page) -> tuple[list[Located], float]:
        started = time.perf_counter()
        image = page.image
        if page.from_pdf:
            outlines = [_frame(image)]
        else:
            outlines = find_documents(image, self.options.max_outlines)
            if outlines[0].kind is not DocumentKind.FRAME:
                outlines.append(_frame(image))
        return outlines, round(time.perf_counter() - started, 4)

    def _read_located(self, waiting: LocatedPage) -> DocumentReading:
        best, best_merit, best_outline, tried = self._read_outlines(waiting)
        if best_outline.kind is DocumentKind.PAGE and best.doc_type in CARD_TYPES and not best_merit.complete:
            # a card read inside a page-shaped outline: a card lying on a sheet of print, the
            # edge between them too faint to find, takes in a strip of the sheet. The card is
            # the part of the outline a card's aspect cuts from one end or the other.
            # A cut is kept if it reads as the same card with no fewer of its fields valid
            # (its shape then fits the card better than the page outline's).
            for cut in card_cuts(best_outline):
                reading = self._read_outline(waiting.page, cut, waiting.file, waiting.sha256)
                tried += 1
                merit = merit_of(reading, cut)
                if reading.doc_type is best.doc_type and len(reading.field_issues) <= len(best.field_issues) \
                        and merit > best_merit:
                    best, best_merit, best_outline = reading, merit, cut
                if merit.complete:
                    break
        if (best.doc_type is DocType.ID_CARD_FRONT and best_outline.kind is not DocumentKind.CARD
                and not best_merit.complete and "id_number" in best.regions):
            # an ID card front read inside the whole photo or a sheet, its outline not found
            # (a light card on light paper): its number's line places the card
            placed = card_around_number(waiting.page.image, np.array(best.regions["id_number"]))
            if placed is not None:
                reading = self._read_outline(waiting.page, placed, waiting.file, waiting.sha256)
                tried += 1
                if reading.doc_type is best.doc_type and flaws(reading) < flaws(best):
                    best, best_merit, best_outline = reading, merit_of(reading, placed), placed
        if self.options.unsmear_motion and not waiting.page.from_pdf and (
                not best_merit.complete or doubtful_fields(best)):
            # a field lost, invalid or barely legible: if the camera moved, the document reads
            # better with the smear taken out. Print can pass for a smear (pipeline.deblur), and
            # then the "unsmeared" copy rings and reads worse: it is kept only if it reads as
            # the same document with more of its fields valid (as many, and fewer doubtful), or
            # as a document at all where the photo did not. A PDF's page is a scan or a
            # rendering, not a photo held by hand.
            again = self._read_unsmeared(waiting, best_outline if best_merit.known else None)
            if again is not None:
                reading, merit, more = again
                tried += more
                better = reading.doc_type is best.doc_type and flaws(reading) < flaws(best)
                if reading.fields and (better or (not best_merit.known and merit > best_merit)):
                    best, best_merit = reading, merit
        fill_implied_fields(best)  # after the outlines were weighed on what each read
        best.timings["locate"] = round(waiting.located_in + best.timings.get("locate", 0.0), 4)
        best.timings["outlines_tried"] = tried
        if waiting.decoded is not None:
            best.timings["decode"] = waiting.decoded
        return best

    def _read_outlines(self, waiting: LocatedPage, image: np.ndarray | None = None,
                       turn_cards: bool = True) -> tuple[DocumentReading, Merit, Located, int]:
        """The best reading among the page's outlines (read from `image`, if given, instead
        of the photo), its merit, its outline and how many readings it took."""
        page, file, sha256 = waiting.page, waiting.file, waiting.sha256
        best, best_merit, best_outline = None, None, None
        # the 0°/180° vote can go wrong on a card blurred past its small print: the most
        # document-like card outline is read the other way up at once if it reads as nothing
        # (else a later, worse outline of the same card may be taken: one cut short across
        # its number, say), and when no outline reads as a document, the other cards too
        attempts = deque((outline, False, False) for outline in waiting.outlines)
        cards = [outline for outline in waiting.outlines if outline.kind is DocumentKind.CARD] if turn_cards else []
        first_card = cards[0] if cards else None
        tried = 0
        while attempts:
            outline, turn_over, last_resort = attempts.popleft()
            if last_resort and best.doc_type is not DocType.UNKNOWN:
                break
            reading = self._read_outline(page, outline, file, sha256, turn_over, image=image)
            tried += 1
            merit = merit_of(reading, outline)
            if best_merit is None or merit > best_merit:
                best, best_merit, best_outline = reading, merit, outline
            if merit.known and merit.fitting and reading.confidence >= self.options.accept_confidence \
                    and (merit.complete or not turn_over):
                # this outline is the document; an earlier one may still have read it better
                # (one turned over against the vote must read whole to end the search)
                break
            if outline is first_card and not turn_over and not merit.known:
                attempts.appendleft((cards.pop(0), True, False))
            elif not attempts:
                attempts.extend((card, True, True) for card in cards)
                cards = []
        return best, best_merit, best_outline, tried

    def _read_unsmeared(self, waiting: LocatedPage,
                        document: Located | None) -> tuple[DocumentReading, Merit, int] | None:
        """The page read again with the camera's motion smear taken out: the `document`
        outline alone, or, when nothing read as a document, the whole photo with its outlines
        found again (the smear may have hidden them). None if the photo shows no smear."""
        photo = waiting.page.image
        smear = find_smear_around(photo, (document or waiting.outlines[0]).quad)
        if smear is None:
            return None
        if document is not None:
            reading = self._read_outline(waiting.page, document, waiting.file, waiting.sha256,
                                         image=unsmear_around(photo, document.quad, smear))
            return reading, merit_of(reading, document), 1
        # (the two most document-like outlines only: most often the smear was not one, and
        # the photo reads no better)
        image = unsmear(photo, smear)
        outlines, _ = self._outlines(replace(waiting.page, image=image))
        reading, merit, _, tried = self._read_outlines(replace(waiting, outlines=outlines[:UNSMEARED_OUTLINES]),
                                                       image, turn_cards=False)
        return reading, merit, tried

    def _read_outline(self, page: Page, located: Located, file: str, sha256: str | None,
                      turn_over: bool = False, image: np.ndarray | None = None) -> DocumentReading:
        """Read one outline; `turn_over` reads it the other way up from what orient decided;
        `image` (the photo with its motion smear taken out) is read instead of the photo."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = round(now - clock, 4)
            clock = now

        photo = page.image
        image = photo if image is None else image
        card = located.kind is DocumentKind.CARD
        long_side = self.options.card_long_side if card else min(self.options.page_long_side, max(image.shape[:2]))
        flat, homography = rectify(image, located, long_side)
        lap("locate")

        detect_side = self.options.card_detect_side if card else self.options.page_detect_side
        oriented = orient(self.engine, flat, detect_side)
        lap("detect")

        if turn_over:
            oriented = _turned_over(oriented)
        layout, doc_type, confidence = self._interpret(oriented)
        lap("recognize")

        height, width = oriented.image.shape[:2]
        extracted = extract(doc_type, layout)
        trimmed = trim_merged_labels(self.engine, oriented.image, doc_type, layout, extracted)
        if trimmed is not None:
            layout, extracted = trimmed, extract(doc_type, trimmed)
        reread_closed_fields(self.engine, oriented.image, doc_type, layout, extracted)
        reread_address_prefix(self.engine, oriented.image, doc_type, extracted)
        reread_address_units(self.engine, oriented.image, doc_type, extracted)
        reread_surname(self.engine, oriented.image, doc_type, extracted)
        reread_check_digits(self.engine, oriented.image, doc_type, extracted)
        reread_validity(self.engine, oriented.image, doc_type, extracted)
        issues = validate_fields(doc_type, extracted.fields)
        if image is photo:
            oriented_photo = oriented.image
        else:  # quality judges the photo as taken: a smear taken out still asks for a steadier one
            oriented_photo = rotate_image(rectify(photo, located, long_side)[0], oriented.rotation)
        quality = assess(oriented_photo, located, page.from_pdf, _text_width(oriented.quads, located, flat))
        lap("extract")

        to_input = _PageToInput(homography, oriented.rotation, width, height)
        regions = {name: to_input.quad(np.concatenate([l.box for l in src]))
                   for name, src in extracted.sources.items()}
        field_confidence = {name: round(min(l.score for l in src), 4)
                            for name, src in extracted.sources.items()}
        return DocumentReading(
            file=file,
            page=page.number,
            sha256=sha256,
            doc_type=doc_type,
            confidence=confidence,
            fields=extracted.fields,
            quality=quality,
            field_issues=issues,
            field_confidence=field_confidence,
            regions=regions,
            document_region=_as_quad(located.quad),
            orientation=oriented.rotation,
            timings=timings,
        )

    def _interpret(self, oriented: Oriented) -> tuple[Layout, DocType, float]:
        """Recognize the lines of an upright document, lay them out and classify it."""
        crops = [crop_quad(oriented.image, q) for q in oriented.quads]
        # a sliver a few pixels thin holds no text, and stretched to the recognizer's 48 px
        # height it becomes tens of thousands of pixels long: seconds of work for nothing
        kept = [i for i, crop in enumerate(crops) if min(crop.shape[:2]) >= MIN_LINE_PX]
        texts = self._recognize([crops[i] for i in kept])
        lines = [TextLine(t, s, oriented.quads[i]) for i, (t, s) in zip(kept, texts) if t.strip()]
        height, width = oriented.image.shape[:2]
        layout = Layout(lines, width, height)
        return (layout, *classify(layout))

    def _recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognize the lines, offering all shares but the first to `helpers`. The pool runs
        queued documents first, so a share still waiting when this thread gets to it was not
        wanted: it is taken back and recognized here (no thread ever waits on queued work)."""
        size = self.options.shared_lines
        if self.helpers is None or len(crops) <= size:
            return self.engine.recognize(crops)
        shares = [crops[i:i + size] for i in range(0, len(crops), size)]
        offered = [self.helpers.submit(self.engine.recognize, share) for share in shares[1:]]
        texts = self.engine.recognize(shares[0])
        for share, future in zip(shares[1:], offered):
            texts += self.engine.recognize(share) if future.cancel() else future.result()
        return texts


MIN_LINE_PX = 6
"""Detected boxes thinner than this are not recognized (ID-card print is ~28 px tall)."""
UNSMEARED_OUTLINES = 2
"""Outlines read in a photo unsmeared because nothing in it read as a document."""
def _turned_over(oriented: Oriented) -> Oriented:
    """The same document and lines turned by 180°."""
    height, width = oriented.image.shape[:2]
    quads = [order_quad(rotate_points(q, 180, width, height)) for q in oriented.quads]
    return Oriented(rotate_image(oriented.image, 180), sort_reading_order(quads), (oriented.rotation + 180) % 360)


def _text_width(quads: list[np.ndarray], located: Located, flat: np.ndarray) -> float | None:
    """The horizontal span of the detected text in photo pixels (None if no text)."""
    if not quads:
        return None
    points = np.concatenate([np.asarray(q).reshape(-1, 2) for q in quads])
    span = float(points[:, 0].max() - points[:, 0].min())
    return span * located.width / max(flat.shape[1], 1)


def _frame(image: np.ndarray) -> Located:
    height, width = image.shape[:2]
    quad = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    return Located(DocumentKind.FRAME, quad, 1.0, False)


class _PageToInput:
    """Maps points of the upright, straightened document back onto the uploaded image."""

    def __init__(self, homography: np.ndarray, rotation: int, width: int, height: int):
        self.inverse = np.linalg.inv(homography)
        self.rotation, self.width, self.height = rotation, width, height

    def points(self, points: np.ndarray) -> np.ndarray:
        unrotated = rotate_points(points, (360 - self.rotation) % 360, self.width, self.height)
        return cv2.perspectiveTransform(unrotated.reshape(-1, 1, 2).astype(np.float64), self.inverse).reshape(-1, 2)

    def quad(self, points: np.ndarray) -> Quad:
        """The smallest rectangle around `points` (document pixels), turned as they run, as a
        quad on the upload: a line of a card lying askew in a larger outline keeps its slant."""
        corners = order_quad(cv2.boxPoints(cv2.minAreaRect(points.astype(np.float32))))
        return _as_quad(self.points(corners))


def _as_quad(points: np.ndarray) -> Quad:
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in points[:4])  # type: ignore[return-value]
