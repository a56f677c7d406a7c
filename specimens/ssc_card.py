"""The social security card (社会保障卡) front: title band with the emblem, the issuing bank's
name and mark, chip, photo on the left, and on the right 姓名, 社会保障号码 (the ID number),
社会保障卡号 (letter + 8 digits) and 发卡日期 (year and month)."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from specimens import fonts, marks
from specimens.banks import BANKS_BY_NAME
from specimens.id_cards import LABEL, INK, _fit, _jitter, _paste_portrait
from specimens.people import Person

TITLE_RED = (196, 26, 36)
PORTRAIT_BOX = (44, 200, 334, 557)
"""290 × 357: the face stays above 150 px, what dlib needs."""


def render_ssc(person: Person, rng: random.Random) -> Image.Image:
    card = marks.guilloche("ssc").copy()
    draw = ImageDraw.Draw(card)
    band = Image.new("RGB", (marks.CARD_SIZE[0], 6), (196, 26, 36))
    card.paste(band, (0, 172))
    dx, dy = _jitter(rng, 2)
    emblem = marks.emblem(112)
    card.paste(emblem, (40 + dx, 36 + dy), emblem)
    title_family = rng.choice(fonts.TITLE_FAMILIES)
    marks.spaced_text(draw, (170 + dx, 78 + dy), "中华人民共和国", fonts.font(title_family, 30),
                      TITLE_RED, 8)
    marks.spaced_text(draw, (168 + dx, 142 + dy), "社会保障卡", fonts.font(title_family, 56),
                      TITLE_RED, 10)
    bank = BANKS_BY_NAME[person.ssc_bank_name]
    logo = marks.bank_logo(bank.logo, 50, bank.colour, (250, 250, 250))
    bank_font = _fit(bank.name, fonts.pick_hei(rng), 30, 250)
    right = 968
    name_w = bank_font.getlength(bank.name)
    card.paste(logo, (int(right - name_w - 60), 58), logo)
    draw.text((right, 96), bank.name, font=bank_font, fill=bank.colour, anchor="rs")
    chip = marks.chip((104, 80))
    card.paste(chip, (846, 200), chip)
    _paste_portrait(card, person, PORTRAIT_BOX)
    label_font = fonts.font(fonts.pick_hei(rng), 26)
    value_family = fonts.pick_cjk(rng)
    digit_family = rng.choice(fonts.DIGIT_FAMILIES)
    lx, vx = 372 + dx, 552 + dx
    rows = (
        ("姓名", person.name, value_family, 38),
        ("社会保障号码", person.id_number, digit_family, 34),
        ("社会保障卡号", person.ssc_card_number, digit_family, 34),
    )
    y = 330 + dy
    for label, value, family, size in rows:
        marks.spaced_text(draw, (lx, y), label, label_font, LABEL,
                          spacing=label_font.size * 3.2 if len(label) == 2 else 0)
        draw.text((vx, y), value, font=_fit(value, family, size, 1000 - vx), fill=INK, anchor="ls")
        y += 72
    year, month, _ = person.ssc_issue_date.split("-")
    marks.spaced_text(draw, (lx, y), "发卡日期", label_font, LABEL, spacing=label_font.size * 0.7)
    draw.text((vx, y), f"{year}年{month}月", font=fonts.font(value_family, 32), fill=INK,
              anchor="ls")
    mark = marks.unionpay((128, 81), family=fonts.pick_hei(rng))
    card.paste(mark, (850, 530), mark)
    return card
