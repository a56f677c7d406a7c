"""The second look at a label read into its value's line: ID-card rows rendered as the card
prints them (label in blue-grey hei, value in black), scored by the real RapidOCR model, with
the greedy reading of the label garbled as blurred cards garble it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from models.ocr import TextLine
from pipeline.extract import extract
from pipeline.layout import Layout
from pipeline.merged_labels import trim_merged_labels
from schemas.documents import DocType
from specimens.fonts import font

WIDTH, HEIGHT = 960, 606
LABEL_INK, VALUE_INK = (58, 104, 140), (20, 20, 20)


def _card_row(label: str, value: str, x: float = 0.06, y: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """A card-sized image with `label` then `value` on one row at (x, y) as fractions, and the
    one box detection gives them."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    label_font, value_font = font("noto_sans", 26), font("noto_serif", 32)
    left, base = int(x * WIDTH), int(y * HEIGHT)
    right = left
    for char in label:  # the card spaces its two-character labels
        draw.text((right, base), char, font=label_font, fill=LABEL_INK, anchor="ls")
        right += 50
    if label:
        right += 26
    draw.text((right, base), value, font=value_font, fill=VALUE_INK, anchor="ls")
    right += int(value_font.getlength(value))
    box = np.array([[left - 6, base - 36], [right + 6, base - 36], [right + 6, base + 10], [left - 6, base + 10]],
                   np.float32)
    return np.asarray(image)[:, :, ::-1].copy(), box


def _line_at(text: str, x: float, y: float) -> TextLine:
    """A line recognized as `text` at (x, y), fractions of the card (no pixels behind it)."""
    x0, y0 = x * WIDTH, y * HEIGHT
    return TextLine(text, 0.95, np.array([[x0, y0], [x0 + 24 * len(text), y0], [x0 + 24 * len(text), y0 + 28],
                                          [x0, y0 + 28]], np.float32))


def _front(image: np.ndarray, box: np.ndarray, read_as: str, field_row: str) -> tuple[Layout, object]:
    """An ID card front laid out around one line read as `read_as`: as the name row (first),
    or as the address row (after 出生)."""
    lines = [TextLine(read_as, 0.7, box)]
    if field_row == "address":
        lines = [_line_at("姓名李四", 0.06, 0.05), _line_at("出生1990年1月2日", 0.06, 0.12)] + lines
    lines.append(_line_at("公民身份号码", 0.06, 0.85))
    layout = Layout(lines, WIDTH, HEIGHT)
    return layout, extract(DocType.ID_CARD_FRONT, layout)


@pytest.fixture(scope="module")
def engine(reader):
    return reader.engine


@pytest.mark.parametrize(("value", "read_as"), [("范东", "书范东"), ("向垚凯", "单书向垚凯"), ("邹静妤", "路名邹静妤")])
def test_a_garbled_name_label_is_cut_where_the_model_puts_the_label(engine, value, read_as):
    image, box = _card_row("姓名", value)
    layout, extracted = _front(image, box, read_as, "name")
    assert extracted.fields["name"] == read_as  # extraction alone cannot tell
    trimmed = trim_merged_labels(engine, image, DocType.ID_CARD_FRONT, layout, extracted)
    assert trimmed is not None
    assert extract(DocType.ID_CARD_FRONT, trimmed).fields["name"] == value


def test_a_garbled_address_label_is_cut(engine):
    image, box = _card_row("住址", "天津市红桥区上田路134号", y=0.35)
    layout, extracted = _front(image, box, "生北天津市红桥区上田路134号", "address")
    trimmed = trim_merged_labels(engine, image, DocType.ID_CARD_FRONT, layout, extracted)
    assert trimmed is not None
    assert extract(DocType.ID_CARD_FRONT, trimmed).fields["address"] == "天津市红桥区上田路134号"


def test_a_garbled_authority_label_is_cut_on_the_back(engine):
    image, box = _card_row("签发机关", "天津市公安局河东分局", x=0.2, y=0.72)
    layout = Layout([_line_at("中华人民共和国", 0.38, 0.12), _line_at("居民身份证", 0.36, 0.28),
                     TextLine("王集业来天津市公安葡河东分商", 0.67, box), _line_at("有效期限2017.05.23-2037.05.23", 0.2, 0.84)],
                    WIDTH, HEIGHT)
    extracted = extract(DocType.ID_CARD_BACK, layout)
    trimmed = trim_merged_labels(engine, image, DocType.ID_CARD_BACK, layout, extracted)
    assert trimmed is not None
    assert extract(DocType.ID_CARD_BACK, trimmed).fields["issuing_authority"] == "天津市公安局河东分局"


def test_a_value_with_no_label_before_it_loses_nothing(engine):
    image, box = _card_row("", "上海市宝山区集井路76号", y=0.35)
    layout, extracted = _front(image, box, "上海市宝山区集井路76号", "address")
    assert trim_merged_labels(engine, image, DocType.ID_CARD_FRONT, layout, extracted) is None


def test_only_lines_that_begin_in_the_label_column_are_looked_at(engine):
    image, box = _card_row("", "书范东", x=0.17)
    layout, extracted = _front(image, box, "书范东", "name")
    assert trim_merged_labels(engine, image, DocType.ID_CARD_FRONT, layout, extracted) is None


def test_engines_that_cannot_rank_are_left_as_they_are():
    image, box = _card_row("姓名", "范东")
    layout, extracted = _front(image, box, "书范东", "name")
    assert trim_merged_labels(object(), image, DocType.ID_CARD_FRONT, layout, extracted) is None
