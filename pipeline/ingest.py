"""Ingest: upload bytes → page images (BGR), with the limits a public service needs.

Images (JPEG, PNG, WebP, BMP, TIFF) are turned upright by their EXIF orientation; PDFs are
rendered page by page with pypdfium2. The type is sniffed from the content, never the name."""

from __future__ import annotations

import io
import re
import threading
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import IngestError

PDF_RENDER_LONG_SIDE = 2000
"""Pixels on a PDF page's long side when rendered (≈ 170 dpi on A4): plenty for OCR."""

_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?!s)")

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 60_000_000
    max_pages: int = 20


@dataclass
class Page:
    image: np.ndarray
    """BGR uint8, upright as the file says (EXIF applied)."""
    number: int | None
    """1-based page number for PDFs and multi-page TIFFs, None for a single image."""
    from_pdf: bool = False


def sniff_media_type(data: bytes) -> str | None:
    """The media type from the first bytes, or None if it is none OneWindow reads."""
    for magic, media_type in _SIGNATURES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_upload(data: bytes, limits: Limits) -> str:
    """The media type of an acceptable upload; raises IngestError with the reason otherwise."""
    if not data:
        raise IngestError("the file is empty", "empty")
    if len(data) > limits.max_bytes:
        raise IngestError(
            f"the file is {len(data) / 1e6:.1f} MB, over the limit of {limits.max_bytes / 1e6:.0f} MB",
            "too_large",
        )
    media_type = sniff_media_type(data)
    if media_type is None:
        looks_like = "text" if _looks_like_text(data) else "an unknown format"
        raise IngestError(
            f"not an image or PDF (the content is {looks_like}); "
            "accepted: JPEG, PNG, WebP, BMP, TIFF, PDF",
            "not_image",
        )
    return media_type


def decode(data: bytes, limits: Limits = Limits()) -> list[Page]:
    """Every page of an upload as an upright BGR image."""
    media_type = check_upload(data, limits)
    if media_type == "application/pdf":
        return _decode_pdf(data, limits)
    return _decode_image(data, limits)


def _decode_image(data: bytes, limits: Limits) -> list[Page]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = None  # our own limit below, checked before decoding
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > limits.max_pixels:
                raise IngestError(
                    f"the image is {width}×{height} pixels ({width * height / 1e6:.0f} MP), "
                    f"over the limit of {limits.max_pixels / 1e6:.0f} MP",
                    "too_many_pixels",
                )
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise IngestError(f"the image has {frames} pages, over the limit of {limits.max_pages}",
                                  "too_many_pages")
            pages = []
            for index in range(frames):
                image.seek(index)
                frame = ImageOps.exif_transpose(image) if index == 0 else image.copy()
                pages.append(Page(_to_bgr(frame), index + 1 if frames > 1 else None))
            return pages
    except IngestError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise IngestError(f"the image is truncated or corrupt ({_short(exc)})", "corrupt") from exc


def _to_bgr(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        image = canvas
    elif image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float32)
        image = Image.fromarray((array / max(array.max(), 1.0) * 255).astype(np.uint8)).convert("RGB")
    elif image.mode != "RGB":
        image = image.convert("RGB")
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)  # 30× faster than a reversed copy


_PDFIUM = threading.Lock()
"""PDFium is not thread-safe (pypdfium2's documentation): one PDF at a time per process, even
when a call reads several uploads at once."""


def _decode_pdf(data: bytes, limits: Limits) -> list[Page]:
    with _PDFIUM:
        return _decode_pdf_locked(data, limits)


def _decode_pdf_locked(data: bytes, limits: Limits) -> list[Page]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # PDFium refuses a document without pages outright; say so rather than "damaged".
        if _PAGE_OBJECT.search(data) is None:
            raise IngestError("the PDF has no pages", "pdf_no_pages") from exc
        raise IngestError(f"the PDF cannot be opened: damaged or encrypted ({_short(exc)})",
                          "pdf_unreadable") from exc
    try:
        count = len(pdf)
        if count == 0:
            raise IngestError("the PDF has no pages", "pdf_no_pages")
        if count > limits.max_pages:
            raise IngestError(f"the PDF has {count} pages, over the limit of {limits.max_pages}",
                              "too_many_pages")
        pages = []
        for index in range(count):
            page = pdf[index]
            width, height = page.get_size()
            scale = PDF_RENDER_LONG_SIDE / max(width, height, 1.0)
            bitmap = page.render(scale=scale, rev_byteorder=False)
            bgr = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])  # pdfium renders BGR(A)
            pages.append(Page(bgr, index + 1, from_pdf=True))
        return pages
    finally:
        pdf.close()


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r" for c in text)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
