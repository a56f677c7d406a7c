"""Ingest: every accepted format decodes upright; every bad input fails with its reason."""

import io

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import IngestError
from pipeline.ingest import Limits, decode, sniff_media_type


def encoded(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def marker_image() -> Image.Image:
    """200×100, red block top-left: where it lands tells the orientation."""
    image = Image.new("RGB", (200, 100), (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 40, 40))
    return image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "BMP", "TIFF"])
def test_each_image_format_decodes_to_bgr(fmt):
    pages = decode(encoded(marker_image(), fmt))
    assert len(pages) == 1
    image = pages[0].image
    assert image.shape == (100, 200, 3) and image.dtype == np.uint8
    b, g, r = image[10, 10]
    assert r > 200 and g < 60 and b < 60, "channels must be BGR"


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: viewers rotate 90° clockwise
    data = encoded(marker_image(), "JPEG", exif=exif.tobytes())
    image = decode(data)[0].image
    assert image.shape[:2] == (200, 100)
    assert image[10, 90, 2] > 200, "the red block must end up top-right after the turn"


def test_pdf_pages_are_rendered_in_order():
    pages = [marker_image(), Image.new("RGB", (200, 100), (0, 0, 255))]
    data = encoded(pages[0], "PDF", save_all=True, append_images=pages[1:])
    decoded = decode(data)
    assert [p.number for p in decoded] == [1, 2]
    assert all(p.from_pdf for p in decoded)
    assert max(decoded[0].image.shape[:2]) == 2000
    assert decoded[1].image[50, 100, 0] > 200  # blue page, BGR


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    assert decode(encoded(image, "PNG"))[0].image.min() == 255


@pytest.mark.parametrize(
    ("data", "reason", "words"),
    [
        (b"", "empty", "empty"),
        ("姓名,身份证号\n张三,1101".encode(), "not_image", "text"),
        (b"\x00\x01\x02binary", "not_image", "unknown format"),
    ],
)
def test_bad_content_is_refused_with_its_reason(data, reason, words):
    with pytest.raises(IngestError, match=words) as info:
        decode(data)
    assert info.value.reason == reason


def test_truncated_jpeg_is_reported_as_corrupt():
    data = encoded(Image.effect_noise((400, 300), 50).convert("RGB"), "JPEG")
    with pytest.raises(IngestError, match="truncated or corrupt") as info:
        decode(data[: len(data) // 2])
    assert info.value.reason == "corrupt"


def test_huge_png_is_refused_before_decoding():
    data = encoded(Image.new("1", (20000, 20000)), "PNG")
    with pytest.raises(IngestError, match="20000×20000") as info:
        decode(data)
    assert info.value.reason == "too_many_pixels"


def test_pdf_without_pages_is_reported_as_such():
    import pypdfium2 as pdfium

    buffer = io.BytesIO()
    pdfium.PdfDocument.new().save(buffer)
    with pytest.raises(IngestError, match="no pages") as info:
        decode(buffer.getvalue())
    assert info.value.reason == "pdf_no_pages"


def test_byte_and_page_limits():
    data = encoded(marker_image(), "PNG")
    with pytest.raises(IngestError, match="over the limit"):
        decode(data, Limits(max_bytes=len(data) - 1))
    pdf = encoded(marker_image(), "PDF", save_all=True, append_images=[marker_image()] * 3)
    with pytest.raises(IngestError, match="4 pages"):
        decode(pdf, Limits(max_pages=3))


def test_type_is_sniffed_from_content_not_name():
    assert sniff_media_type(encoded(marker_image(), "PNG")) == "image/png"
    assert sniff_media_type(encoded(marker_image(), "WEBP")) == "image/webp"
    assert sniff_media_type(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff_media_type(b"GIF89a") is None
