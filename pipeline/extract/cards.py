"""Bank cards and social security cards (社会保障卡), read by layout."""

from __future__ import annotations

import re

from pipeline.extract.base import Extracted, row_containing, strip_label, text_after
from pipeline.fields import (
    digits_only, normalize_id_number, normalize_name, normalize_ssc_number, validate_card_number,
)
from pipeline.layout import Layout, Line, fuzzy_find

_DIGIT_RUN = re.compile(r"\d[\d ]{11,24}\d")
"""A card number as embossed: digits in groups, maybe followed on the row by VALID THRU…"""
_BANK = re.compile(r"([\u4e00-\u9fff]{2,14}?银行)")


BANK_NAMES = (
    "中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行",
    "招商银行", "兴业银行", "中信银行", "上海浦东发展银行", "中国民生银行", "中国光大银行",
    "平安银行", "华夏银行", "广发银行", "北京银行", "上海银行", "江苏银行", "浙商银行", "渤海银行",
)
"""Issuers of most cards in circulation: a reading one OCR slip away from one of them is it."""


def snap_bank_name(name: str) -> str:
    """A listed issuer's name, if the reading is one OCR slip from it, or holds it after a
    stray character (the logo's 中 read with 中国工商银行), or lost the start of just one
    (工商银行); else the reading as it is."""
    if name in BANK_NAMES or len(name) < 4:
        return name
    ending = [bank for bank in BANK_NAMES if name.endswith(bank)]
    if ending:
        return max(ending, key=len)
    lost_start = [bank for bank in BANK_NAMES if bank.endswith(name)]
    if len(lost_start) == 1:
        return lost_start[0]
    near = [bank for bank in BANK_NAMES
            if len(bank) == len(name) and (found := fuzzy_find(name, bank, 1)) is not None and found[2] <= 1]
    return near[0] if len(near) == 1 else name


def bank_name_in(layout: Layout, lines: list[Line] | None = None) -> tuple[str, Line] | None:
    """The first printed name ending in 银行 (top of the card first), with its line."""
    for line in sorted(lines if lines is not None else layout.lines, key=lambda l: (l.y0, l.x0)):
        text = line.text.replace("很行", "银行").replace("银衍", "银行")
        match = _BANK.search(text)
        if match:
            return snap_bank_name(match.group(1)), line
    return None


def extract_bank_card(layout: Layout) -> Extracted:
    out = Extracted()
    candidates = []
    for row in layout.rows:
        if re.search(r"[\u4e00-\u9fff]", row.text):
            continue  # the number is printed alone; Chinese text on the row is something else
        for run in _DIGIT_RUN.findall(row.text):
            digits = digits_only(run)
            if 13 <= len(digits) <= 19:
                valid = validate_card_number(digits) is None
                height = max(l.height for l in row.lines)
                candidates.append((valid, height, digits, row))
    if candidates:
        _, _, digits, row = max(candidates, key=lambda c: (c[0], c[1]))
        out.put("card_number", digits, row.lines)
    bank = bank_name_in(layout)
    if bank is not None:
        out.put("bank_name", bank[0], [bank[1]])
    return out


def extract_social_security_card(layout: Layout) -> Extracted:
    """By label where the labels read; by position where they do not. The card prints
    姓名, 社会保障号码 and 社会保障卡号 as three rows with their values in one column, so the
    ID number (the easiest thing to read) anchors the row above it and the row below it."""
    out = Extracted()
    id_index = next((i for i, r in enumerate(layout.rows) if normalize_id_number(r.text)), None)
    if id_index is not None:
        row = layout.rows[id_index]
        out.put("id_number", normalize_id_number(row.text), row.lines)

    name = row_containing(layout, "姓名")
    named = [l for l in name[0].lines if l.x0 < 0.85] if name is not None else []  # right edge: chip, logo
    if named and normalize_name(strip_label("".join(l.text for l in named), "姓名")):
        out.put("name", normalize_name(strip_label("".join(l.text for l in named), "姓名")), named)
    elif id_index is not None and id_index > 0:
        values = _value_column(layout.rows[id_index - 1], layout.rows[id_index])
        value = normalize_name(strip_label("".join(l.text for l in values), "姓名", remnant=True))
        if value and 2 <= len(value) <= 6:
            out.put("name", value, values)

    card_row = row_containing(layout, "社会保障卡号")
    if card_row is not None and normalize_ssc_number(text_after(card_row[0], "卡号")):
        out.put("card_number", normalize_ssc_number(text_after(card_row[0], "卡号")), card_row[0].lines)
    elif id_index is not None and id_index + 1 < len(layout.rows):
        values = _value_column(layout.rows[id_index + 1], layout.rows[id_index])
        out.put("card_number", normalize_ssc_number("".join(l.text for l in values)), values)

    bank = bank_name_in(layout)
    if bank is not None:
        out.put("bank_name", bank[0], [bank[1]])
    return out


def _value_column(row, anchor) -> list[Line]:
    """The lines of `row` that stand in the value column of `anchor` (the ID number's row):
    from where the ID number starts to about a card-third right of it."""
    number = max(anchor.lines, key=lambda l: len(l.text))
    return [l for l in row.lines if number.x0 - 0.06 <= l.x0 <= number.x0 + 0.25]
