"""The second-generation resident identity card (居民身份证), both faces, laid out like the
real card at the canonical 1012×638: blue-grey labels, black values, the address wrapped at
eleven characters, the 18-character number in an OCR-B-like face, the emblem side with its
spaced title, issuing office and validity period."""

from __future__ import annotations

import datetime as dt
import random

from PIL import Image, ImageDraw, ImageFont

from schemas.documents import PERMANENT
from specimens import fonts, marks
from specimens.faces import silhouette
from specimens.people import Person, address_lines

LABEL = (58, 104, 140)
"""Blue-grey of the printed labels."""
INK = (22, 22, 24)
PORTRAIT_BOX = (622, 78, 922, 447)
"""Where the photo sits on the front (x0, y0, x1, y1): 300 × 369 px."""


def _fit(text: str, family: str, size: int, max_width: float,
         spacing: float = 0) -> ImageFont.FreeTypeFont:
    """The family at `size`, or smaller until `text` fits `max_width`."""
    while size > 18 and marks.spaced_width(text, fonts.font(family, size), spacing) > max_width:
        size -= 1
    return fonts.font(family, size)


def _jitter(rng: random.Random, px: int = 3) -> tuple[int, int]:
    """Printers are never perfectly registered: a small offset per card."""
    return rng.randint(-px, px), rng.randint(-px, px)


def _paste_portrait(card: Image.Image, person: Person, box: tuple[int, int, int, int]) -> None:
    portrait = person.portrait if person.portrait is not None else silhouette()
    size = (box[2] - box[0], box[3] - box[1])
    if portrait.size != size:
        portrait = portrait.resize(size, Image.LANCZOS)
    # Photos are printed into the card: fade the edge so it sits in the background.
    fade = Image.new("L", size, 255)
    draw = ImageDraw.Draw(fade)
    for i in range(10):
        draw.rectangle((i, i, size[0] - 1 - i, size[1] - 1 - i), outline=int(255 * (i + 1) / 11))
    card.paste(portrait.convert("RGB"), box[:2], fade)


def render_id_front(person: Person, rng: random.Random) -> Image.Image:
    card = marks.guilloche("id_front").copy()
    _paste_portrait(card, person, PORTRAIT_BOX)
    draw = ImageDraw.Draw(card)
    value_family = fonts.pick_cjk(rng)
    label_font = fonts.font(fonts.pick_hei(rng), 27)
    value = fonts.font(value_family, 34)
    dx, dy = _jitter(rng)
    lx, vx = 62 + dx, 168 + dx

    def label(y: int, text: str, x: int = lx) -> None:
        marks.spaced_text(draw, (x, y), text, label_font, LABEL, spacing=label_font.size * 0.9
                          if len(text) == 2 else 0)

    y_name, y_sex, y_birth, y_addr, y_number = (y + dy for y in (118, 196, 268, 340, 572))
    label(y_name, "姓名")
    draw.text((vx, y_name + 2), person.name, font=_fit(person.name, value_family, 40, 430),
              fill=INK, anchor="ls")
    label(y_sex, "性别")
    draw.text((vx, y_sex), person.sex, font=value, fill=INK, anchor="ls")
    label(y_sex, "民族", x=lx + 228)
    draw.text((lx + 340, y_sex), person.ethnicity, font=value, fill=INK, anchor="ls")
    label(y_birth, "出生")
    year, month, day = (int(v) for v in person.birth_date.split("-"))
    digits = fonts.font(value_family, 34)
    x = vx
    for number, unit in ((year, "年"), (month, "月"), (day, "日")):
        draw.text((x, y_birth), str(number), font=digits, fill=INK, anchor="ls")
        x += digits.getlength(str(number)) + 12
        draw.text((x, y_birth), unit, font=label_font, fill=LABEL, anchor="ls")
        x += label_font.getlength(unit) + 14
    label(y_addr, "住址")
    for i, line in enumerate(address_lines(person.address)):
        draw.text((vx, y_addr + i * 46), line, font=value, fill=INK, anchor="ls")
    label(y_number, "公民身份号码")
    number_font = fonts.font(rng.choice(fonts.DIGIT_FAMILIES), 44)
    marks.spaced_text(draw, (lx + 280, y_number), person.id_number, number_font, INK, spacing=3)
    return card


def dotted_date(iso: str) -> str:
    return iso if iso == PERMANENT else dt.date.fromisoformat(iso).strftime("%Y.%m.%d")


def render_id_back(person: Person, rng: random.Random) -> Image.Image:
    card = marks.guilloche("id_back").copy()
    emblem = marks.emblem(170)
    dx, dy = _jitter(rng)
    card.paste(emblem, (70 + dx, 52 + dy), emblem)
    draw = ImageDraw.Draw(card)
    title_family = rng.choice(fonts.TITLE_FAMILIES)
    small_title = fonts.font(title_family, 44)
    big_title = fonts.font(title_family, 72)
    centre = 610 + dx
    width = marks.spaced_width("中华人民共和国", small_title, 22)
    marks.spaced_text(draw, (centre - width / 2, 138 + dy), "中华人民共和国", small_title, INK, 22)
    width = marks.spaced_width("居民身份证", big_title, 30)
    marks.spaced_text(draw, (centre - width / 2, 256 + dy), "居民身份证", big_title, INK, 30)
    label_font = fonts.font(fonts.pick_hei(rng), 28)
    value_family = fonts.pick_cjk(rng)
    lx, vx = 208 + dx, 370 + dx
    marks.spaced_text(draw, (lx, 490 + dy), "签发机关", label_font, LABEL, 2)
    draw.text((vx, 490 + dy), person.issuing_authority, fill=INK, anchor="ls",
              font=_fit(person.issuing_authority, value_family, 34, 1012 - vx - 50))
    marks.spaced_text(draw, (lx, 566 + dy), "有效期限", label_font, LABEL, 2)
    period = f"{dotted_date(person.valid_from)}-{dotted_date(person.valid_until)}"
    draw.text((vx, 566 + dy), period, font=fonts.font(value_family, 34), fill=INK, anchor="ls")
    return card
