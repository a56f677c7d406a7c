"""Bank cards and social security cards (社会保障卡), read by layout."""

from __future__ import annotations

import re

from pipeline.extract.base import Extracted, row_containing, text_after
from pipeline.fields import (
    digits_only, normalize_id_number, normalize_name, normalize_ssc_number, validate_card_number,
)
from pipeline.layout import Layout, Line

_DIGIT_RUN = re.compile(r"\d[\d ]{11,24}\d")
"""A card number as embossed: digits in groups, maybe followed on the row by VALID THRU…"""
_BANK = re.compile(r"([\u4e00-\u9fff]{2,14}?银行)")


def bank_name_in(layout: Layout, lines: list[Line] | None = None) -> tuple[str, Line] | None:
    """The first printed name ending in 银行 (top of the card first), with its line."""
    for line in sorted(lines if lines is not None else layout.lines, key=lambda l: (l.y0, l.x0)):
        text = line.text.replace("很行", "银行").replace("银衍", "银行")
        match = _BANK.search(text)
        if match:
            return match.group(1), line
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
    out = Extracted()
    name = row_containing(layout, "姓名")
    if name is not None:
        out.put("name", normalize_name(text_after(name[0], "姓名")), name[0].lines)

    id_row = row_containing(layout, "社会保障号码")
    if id_row is not None and normalize_id_number(id_row[0].text):
        out.put("id_number", normalize_id_number(id_row[0].text), id_row[0].lines)
    else:
        row = next((r for r in layout.rows if normalize_id_number(r.text)), None)
        if row is not None:
            out.put("id_number", normalize_id_number(row.text), row.lines)

    card_row = row_containing(layout, "社会保障卡号") or row_containing(layout, "卡号")
    if card_row is not None:
        value = normalize_ssc_number(text_after(card_row[0], "卡号"))
        out.put("card_number", value, card_row[0].lines)

    bank = bank_name_in(layout)
    if bank is not None:
        out.put("bank_name", bank[0], [bank[1]])
    return out
