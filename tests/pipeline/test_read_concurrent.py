"""Several uploads of one call read at once (DocumentReader.read_uploads): the same readings
as one at a time, in the order given, with undecodable uploads and PDFs among them."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image

from pipeline.errors import IngestError
from pipeline.read import DocumentReader


class ThreadLog:
    """Wraps an engine and notes which threads ran its detections."""

    def __init__(self, engine):
        self.engine = engine
        self.name = engine.name
        self.thread_safe = engine.thread_safe
        self.threads: set[str] = set()

    def detect(self, image):
        self.threads.add(threading.current_thread().name)
        return self.engine.detect(image)

    def recognize(self, crops):
        return self.engine.recognize(crops)

    def line_orientation(self, crops):
        return self.engine.line_orientation(crops)

    def read(self, image):
        return self.engine.read(image)


@pytest.fixture(scope="module")
def concurrent_reader(settings) -> DocumentReader:
    return DocumentReader.from_settings(settings.model_copy(update={"read_concurrency": 2}))


def as_pdf(png: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def test_reader_from_settings_reads_two_at_a_time_on_one_thread_each(concurrent_reader, settings):
    assert concurrent_reader.concurrency == 2
    assert concurrent_reader.concurrent_engine.threads == 1
    assert concurrent_reader.engine.threads == settings.ocr_threads
    one_at_a_time = DocumentReader.from_settings(settings.model_copy(update={"read_concurrency": 1}))
    assert one_at_a_time.concurrent_engine is None


def test_uploads_read_at_once_come_back_in_order_and_right(concurrent_reader, easy_specimens, easy_truth):
    docs = [d for d in easy_truth if d["difficulty"] == 1][:6]
    scan = next(d for d in easy_truth if d["difficulty"] == 0)
    uploads = [(d["file"], (easy_specimens / d["file"]).read_bytes()) for d in docs]
    uploads.insert(2, ("letter.jpg", b"this is not a photograph"))
    uploads.append(("scan.pdf", as_pdf((easy_specimens / scan["file"]).read_bytes())))
    uploads.append(("scan-again.pdf", as_pdf((easy_specimens / scan["file"]).read_bytes())))

    logged = ThreadLog(concurrent_reader.concurrent_engine)
    reader = DocumentReader(concurrent_reader.engine, concurrent_reader.limits, concurrency=2,
                            concurrent_engine=logged)
    results = reader.read_uploads(uploads)

    assert len(results) == len(uploads)
    assert isinstance(results[2], IngestError) and results[2].reason == "not_image"
    readings = [r for r in results if not isinstance(r, IngestError)]
    assert [r[0].file for r in readings] == [name for name, _ in uploads if name != "letter.jpg"]
    for doc, (reading,) in zip(docs + [scan, scan], readings):
        assert reading.doc_type.value == doc["doc_type"], reading.file
        assert reading.fields == doc["fields"], reading.file
    assert len({t for t in logged.threads if t.startswith("read")}) == 2  # both threads did work


def test_one_upload_is_read_on_the_calling_thread_with_the_main_engine(concurrent_reader, easy_specimens, easy_truth):
    doc = easy_truth[0]
    logged = ThreadLog(concurrent_reader.engine)
    reader = DocumentReader(logged, concurrent_reader.limits, concurrency=2,
                            concurrent_engine=concurrent_reader.concurrent_engine)
    ((reading,),) = reader.read_uploads([(doc["file"], (easy_specimens / doc["file"]).read_bytes())])
    assert reading.fields == doc["fields"]
    assert logged.threads == {threading.current_thread().name}


@pytest.fixture(scope="module")
def line_crops(concurrent_reader, easy_specimens, easy_truth) -> list:
    """The text lines of a scanned ID card front, cropped as the reader crops them."""
    import cv2

    from models.ocr import crop_quad

    doc = next(d for d in easy_truth if d["difficulty"] == 0 and d["doc_type"] == "id_card_front")
    image = cv2.imread(str(easy_specimens / doc["file"]))
    engine = concurrent_reader.concurrent_engine
    return [crop_quad(image, quad) for quad in engine.detect(image)]


class RecognizeLog(ThreadLog):
    """Notes which threads ran recognitions, and how many lines each."""

    def __init__(self, engine):
        super().__init__(engine)
        self.lines_by_thread: dict[str, int] = {}
        self._lock = threading.Lock()

    def recognize(self, crops):
        with self._lock:
            name = threading.current_thread().name
            self.lines_by_thread[name] = self.lines_by_thread.get(name, 0) + len(crops)
        return self.engine.recognize(crops)


def test_an_idle_reading_thread_takes_shares_of_a_documents_lines(concurrent_reader, line_crops):
    from concurrent.futures import ThreadPoolExecutor

    expected = concurrent_reader.concurrent_engine.recognize(line_crops)
    logged = RecognizeLog(concurrent_reader.concurrent_engine)
    with ThreadPoolExecutor(2, thread_name_prefix="idle") as pool:
        reader = DocumentReader(logged, concurrent_reader.limits, helpers=pool)
        texts = reader._recognize(line_crops)
    assert texts == expected  # every line, in order, whoever read it
    assert len(line_crops) > reader.options.shared_lines
    assert sum(logged.lines_by_thread.values()) == len(line_crops)
    assert any(name.startswith("idle") for name in logged.lines_by_thread)


def test_shares_no_thread_took_are_read_by_the_document_thread_itself(concurrent_reader, line_crops):
    from concurrent.futures import ThreadPoolExecutor

    expected = concurrent_reader.concurrent_engine.recognize(line_crops)
    logged = RecognizeLog(concurrent_reader.concurrent_engine)
    busy = threading.Event()
    with ThreadPoolExecutor(1, thread_name_prefix="busy") as pool:
        pool.submit(busy.wait, 60)  # the pool's only thread is reading another document
        reader = DocumentReader(logged, concurrent_reader.limits, helpers=pool)
        texts = reader._recognize(line_crops)
        busy.set()
    assert texts == expected
    assert logged.lines_by_thread == {threading.current_thread().name: len(line_crops)}


class DetectSizes(ThreadLog):
    """Notes the long side of every image detection ran on, in order."""

    def __init__(self, engine):
        super().__init__(engine)
        self.sides: list[int] = []

    def detect(self, image):
        self.sides.append(max(image.shape[:2]))
        return self.engine.detect(image)


@pytest.fixture(scope="module")
def cards_then_a_page(easy_specimens, easy_truth) -> tuple[list[dict], list[tuple[str, bytes]]]:
    """Three card photos, then a photographed death certificate: (the cards' truth, uploads)."""
    import random

    from schemas.documents import DocType
    from specimens.generate import encode, specimen_images
    from specimens.people import make_person

    cards = [d for d in easy_truth if d["difficulty"] == 1][:3]
    uploads = [(d["file"], (easy_specimens / d["file"]).read_bytes()) for d in cards]
    person = make_person(random.Random(3))
    ((_, (photo, info)),) = specimen_images(person, (DocType.DEATH_CERTIFICATE,), 1, random.Random(3)).items()
    page, ext = encode(photo, info)
    return cards, uploads + [(f"death{ext}", page)]


def test_uploads_are_located_first_and_a_page_of_print_is_read_before_the_cards(concurrent_reader, cards_then_a_page):
    from pipeline.read_schedule import ReadSchedule
    from schemas.documents import DocType

    cards, uploads = cards_then_a_page
    logged = DetectSizes(concurrent_reader.concurrent_engine)
    reader = DocumentReader(logged, concurrent_reader.limits)
    schedule = ReadSchedule(reader, uploads, lookahead=4)
    schedule.work()  # one thread: every upload located, then the located pages by cost
    results = schedule.results()

    options = reader.options
    assert logged.sides[0] == options.page_detect_side  # the certificate, given last, read first
    assert logged.sides[1:] == [options.card_detect_side] * 3
    assert [r[0].file for r in results] == [name for name, _ in uploads]  # the order given
    assert results[3][0].doc_type is DocType.DEATH_CERTIFICATE
    for doc, (reading,) in zip(cards, results):
        assert reading.fields == doc["fields"], reading.file


def test_no_more_pages_wait_located_than_the_lookahead(concurrent_reader, cards_then_a_page):
    from pipeline.read_schedule import ReadSchedule

    _, uploads = cards_then_a_page
    logged = DetectSizes(concurrent_reader.concurrent_engine)
    schedule = ReadSchedule(DocumentReader(logged, concurrent_reader.limits), uploads, lookahead=1)
    schedule.work()  # one located page at a time: read before the next is decoded
    options = DocumentReader(logged).options
    assert logged.sides == [options.card_detect_side] * 3 + [options.page_detect_side]
    assert [r[0].file for r in schedule.results()] == [name for name, _ in uploads]
