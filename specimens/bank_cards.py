"""Debit cards of Chinese banks: bank-coloured background, name and logo mark, chip, the
number in groups of four (embossed silver with a shadow on some cards, flat print on others),
card type, sometimes VALID THRU, and the UnionPay mark."""

from __future__ import annotations

import random
from functools import cache

import numpy as np
from PIL import Image, ImageDraw

from specimens import fonts, marks
from specimens.banks import BANKS_BY_NAME, Bank, group_digits
from specimens.people import Person


def _mix(a, b, t: float) -> tuple[int, ...]:
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b))


@cache
def bank_background(bank: Bank, light: bool, variant: int) -> Image.Image:
    """A diagonal gradient in the bank's colour (or a pale card with a colour band), with soft
    concentric arcs that printed cards often carry; a few variants per bank, rendered once."""
    rng = random.Random(f"{bank.name}-{light}-{variant}")
    w, h = marks.CARD_SIZE
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.clip(0.55 * x / w + 0.45 * y / h, 0, 1)[..., None]
    if light:
        a, b = np.array((250, 250, 248), np.float32), np.array(_mix(bank.accent, (255,) * 3, 0.4))
    else:
        a = np.array(_mix(bank.colour, (255,) * 3, 0.18), np.float32)
        b = np.array(_mix(bank.colour, (0,) * 3, 0.35), np.float32)
    img = a * (1 - t) + b * t
    if variant % 2 == 0:  # faint concentric arcs from a corner
        cx, cy = rng.uniform(0.6, 1.1) * w, rng.uniform(-0.2, 0.4) * h
        r = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        pattern = (np.cos(r * rng.uniform(0.03, 0.06)) ** 16) * np.clip(1 - r / (1.1 * w), 0, 1)
    else:  # a broad diagonal sheen with fine parallel lines in it
        u = (x * 0.8 - y * 0.6) / w
        sheen = np.exp(-((u - rng.uniform(0.1, 0.5)) / 0.18) ** 2)
        pattern = sheen * (0.5 + 0.5 * np.cos((x * 0.6 + y * 0.8) * 0.5) ** 8)
    img = img + (255 - img) * pattern[..., None] * (0.07 if not light else 0.2)
    if light:  # a colour band along the bottom
        band = np.clip((y - h * 0.8) / 6, 0, 1)[..., None]
        img = img * (1 - band) + np.array(bank.colour, np.float32) * band
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def _embossed(card: Image.Image, xy: tuple[int, int], text: str, family: str, size: int,
              light: bool) -> None:
    """Raised digits: a metallic face, a dark shadow below right, a highlight above left."""
    font = fonts.font(family, size)
    top = xy[1] - size - 10  # work on the strip the number occupies: blurs are costly
    strip = (card.width, size + 30)
    mask = Image.new("L", strip, 0)
    marks.spaced_text(ImageDraw.Draw(mask), (xy[0], xy[1] - top), text, font, 255, spacing=2)
    shadow = marks.soft_shadow(mask, 1.6, 200)
    highlight = marks.soft_shadow(mask, 1.0, 150)
    card.paste((0, 0, 0), (0, top), shadow.transform(strip, Image.AFFINE, (1, 0, -3, 0, 1, -3)))
    card.paste((255, 255, 255), (0, top),
               highlight.transform(strip, Image.AFFINE, (1, 0, 1, 0, 1, 1)))
    face = (70, 70, 72) if light else (236, 234, 222)
    card.paste(face, (0, top), mask)


def render_bank_card(person: Person, rng: random.Random) -> Image.Image:
    bank = BANKS_BY_NAME[person.bank_name]
    light = rng.random() < 0.35
    card = bank_background(bank, light, rng.randrange(4)).copy()
    ink = (30, 30, 34) if light else (255, 255, 255)
    logo = marks.bank_logo(bank.logo, 76, bank.colour if light else (255, 255, 255),
                           (250, 250, 248) if light else bank.colour)
    card.paste(logo, (52, 44), logo)
    draw = ImageDraw.Draw(card)
    family = fonts.pick_hei(rng) if rng.random() < 0.7 else "noto_serif_bold"
    name_font = fonts.font(family, 46)
    draw.text((144, 88), bank.name, font=name_font, fill=ink, anchor="ls")
    english = fonts.font("dejavu_sans_bold", 17 if len(bank.english) < 30 else 14)
    draw.text((146, 118), bank.english, font=english, fill=ink, anchor="ls")
    chip = marks.chip()
    card.paste(chip, (112, 214), chip)
    kind = rng.choice(("借记卡", "借记卡", "储蓄卡"))
    kind_font = fonts.font(fonts.pick_hei(rng), 30)
    draw.text((960, 88), kind, font=kind_font, fill=ink, anchor="rs")
    draw.text((960, 118), "DEBIT CARD", font=fonts.font("dejavu_sans", 16), fill=ink, anchor="rs")
    digits = group_digits(person.bank_card_number)
    number_family = rng.choice(fonts.DIGIT_FAMILIES)
    size = 60 if len(person.bank_card_number) <= 16 else 52
    x = 80 if len(person.bank_card_number) <= 16 else 64
    if rng.random() < 0.5:
        _embossed(card, (x, 420), digits, number_family, size, light)
    else:
        colour = (25, 25, 28) if light else (250, 250, 250)
        marks.spaced_text(draw, (x, 420), digits, fonts.font(number_family, size), colour, 2)
    if person.bank_valid_thru:
        small = fonts.font("dejavu_sans", 15)
        draw.text((x + 230, 462), "VALID", font=small, fill=ink, anchor="ls")
        draw.text((x + 230, 480), "THRU", font=small, fill=ink, anchor="ls")
        draw.text((x + 290, 482), person.bank_valid_thru, fill=ink, anchor="ls",
                  font=fonts.font(number_family, 32))
    mark = marks.unionpay(family=fonts.pick_hei(rng))
    card.paste(mark, (812, 498), mark)
    return card
