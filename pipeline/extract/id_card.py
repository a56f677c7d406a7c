"""Resident ID card (居民身份证), both sides, read by layout.

Front: rows 姓名 / 性别·民族 / 出生 / 住址 (1–3 lines, left of the portrait) / 公民身份号码.
Labels anchor each row; where OCR lost a label, the row's position in that order stands in.
Back: 签发机关 and 有效期限 rows under the title."""

from __future__ import annotations

import re

from pipeline.extract.base import Extracted, row_containing, row_starting_with, strip_label, text_after
from pipeline.fields import (
    DATE_DOTS, normalize_address, normalize_date, normalize_ethnicity, normalize_id_number, normalize_name,
    normalize_sex, normalize_validity, printed_birth_date, validate_id_number,
)
from pipeline.layout import Layout, Row, clean, fuzzy_find

PORTRAIT_LEFT = 0.60
"""Text right of this (as a share of the card's width) belongs to the portrait area."""
LABEL_COLUMN = 0.11
"""Front labels (姓名, 住址) start at ≈ 6% of the card's width, their values at ≈ 17%."""
ADDRESS_TOP = 0.47
"""The front's address starts at ≈ 52% of the card's height, the birth date above it ends at ≈ 43%."""
ADDRESS_LINE_SLACK = 0.03
"""How far (share of the card's width) the starts of an address's lines may differ."""
BACK_VALUE_COLUMN = 0.29
"""Back labels (签发机关, 有效期限) start at ≈ 20% of the card's width, their values at ≈ 37%."""
BACK_PRINT_LEFT = 0.15
"""A line on an ID card's back that ends left of this (share of the width) is not its print."""
_DATE_ROW = re.compile(r"\d{4}年?\d{1,2}月\d{1,2}")
_DOTTED_DATE = re.compile(rf"\d{{4}}[{DATE_DOTS}]?\d{{2}}[{DATE_DOTS}]?\d{{2}}")


def extract_id_card_front(layout: Layout) -> Extracted:
    out = Extracted()
    rows = layout.rows

    id_row = _id_number_row(layout)
    if id_row is not None:
        # the number's own lines, not the label's or anything else's in its row: where the
        # number is printed, and how sure its reading is
        number_lines = [line for line in id_row.lines if sum(c.isdigit() for c in line.text) >= 4]
        out.put("id_number", normalize_id_number(text_after(id_row, "公民身份号码")), number_lines or id_row.lines)

    name_row, name_lines = _name_lines(layout)
    if name_row is not None:
        left = _without_label_box([l for l in name_lines if l.x0 < PORTRAIT_LEFT])
        text = strip_label("".join(l.text for l in left), "姓名", remnant=True)
        out.put("name", normalize_name(text), left)

    sex_row = row_containing(layout, "性别")
    ethnic_row = row_containing(layout, "民族")
    row = (sex_row or ethnic_row or (None,))[0]
    if row is None and name_row is not None and name_row in rows:
        following = rows.index(name_row) + 1
        row = rows[following] if following < len(rows) else None
    if row is not None:
        text = row.text
        sex_part, _, ethnic_part = text.partition("民族")
        out.put("sex", normalize_sex(strip_label(sex_part, "性别")), row.lines)
        out.put("ethnicity", normalize_ethnicity(ethnic_part or text[-4:]), row.lines)

    id_number = out.fields.get("id_number")
    id_number = id_number if id_number and validate_id_number(id_number) is None else None
    birth_row = row_starting_with(layout, "出生") or next(
        (r for r in rows if _DATE_ROW.search(clean(r.text))
         or (r is not id_row and printed_birth_date(r.text, id_number))), None)
    if birth_row is not None:
        birth = normalize_date(birth_row.text) or printed_birth_date(birth_row.text, id_number)
        out.put("birth_date", birth, birth_row.lines)

    address_lines = _address_lines(layout, birth_row, id_row)
    if address_lines:
        text = strip_label("".join(l.text for l in address_lines), "住址", remnant=True)
        out.put("address", normalize_address(_without_number_label(text)), address_lines)
    return out


def normalize_authority(text: str) -> str | None:
    """The issuing authority: Chinese, digits and brackets only. Cards are issued by a county's
    public security bureau (…公安局) or a city bureau's district branch (…分局), so the
    character after 公安 and the last one after 分 can only be 局 (a blurred 局 reads as 网), a
    branch's name ends in 分局 (外局 is a blurred 分局), no office name holds 公案, and none
    is digits alone."""
    value = re.sub(r"[^\u4e00-\u9fff\d（）()]", "", clean(text))
    if not re.search(r"[\u4e00-\u9fff]", value):
        return None  # digits alone (a date, a smudge) name no office
    value = value.replace("公案", "公安")
    value = re.sub(r"公安[^局]", "公安局", value)
    value = re.sub(r"分[^局]$", "分局", value)
    value = re.sub(r"(公安局.+)[^分安]局$", r"\1分局", value)
    return value or None


def _id_number_row(layout: Layout) -> Row | None:
    labelled = row_containing(layout, "公民身份号码")
    if labelled is not None and normalize_id_number(labelled[0].text):
        return labelled[0]
    for row in reversed(layout.rows):
        if normalize_id_number(row.text):
            return row
    return labelled[0] if labelled else None


def _name_lines(layout: Layout) -> tuple[Row | None, list]:
    """The name's row and those of its lines that hold the name: the row that starts with 姓名;
    where print from beside the card (a sheet it lies on) joined that row, its lines from the
    one that starts with 姓名 on; where the label did not read, the first row that may be it."""
    row = row_starting_with(layout, "姓名")
    if row is not None:
        return row, row.lines
    for row in layout.rows:
        for at, line in enumerate(row.lines):
            found = fuzzy_find(clean(line.text)[:4], "姓名", 0)
            if at and found is not None and found[0] == 0:
                return row, row.lines[at:]
    row = _first_left_row(layout.rows)
    return row, row.lines if row is not None else []


def _first_left_row(rows: list[Row]) -> Row | None:
    """The name's row where its label did not read: the first left of the portrait that holds
    Chinese (digits of something lying over the card's top edge are no name)."""
    return next((r for r in rows if r.x0 < PORTRAIT_LEFT and normalize_name(r.text)), None)


def _address_lines(layout: Layout, birth_row: Row | None, id_row: Row | None):
    """The 住址 row and the rows under it, up to the ID number row, left of the portrait."""
    rows = layout.rows
    start_row = row_starting_with(layout, "住址")
    if start_row is not None:
        start = rows.index(start_row)
    elif birth_row is not None:
        start = rows.index(birth_row) + 1
    else:  # neither label nor birth date read: the address starts where the card prints it
        start = next((i for i, row in enumerate(rows) if row.cy > ADDRESS_TOP), len(rows))
    end = rows.index(id_row) if id_row is not None and id_row in rows else len(rows)
    lines = []
    for row in rows[start:end]:
        lines.extend(_without_label_box([l for l in row.lines if l.x0 < PORTRAIT_LEFT]))
    if lines and lines[-1].x0 >= LABEL_COLUMN and id_row is not None and id_row in rows:
        # the address's last line, set close above the number, can fall into the number's row
        # (8栋5单元 110101…): a line there that starts where the address's value lines start
        # (right of the label column, where a garbled 公民身份号码 would start)
        for line in id_row.lines:
            if (normalize_id_number(line.text) or abs(line.x0 - lines[-1].x0) > ADDRESS_LINE_SLACK
                    or fuzzy_find(line.text, "公民身份号码", 2) is not None):
                break
            lines.append(line)
    return lines


def _without_number_label(address: str) -> str:
    """The address without the number's label at its end: set close under the address's last
    line, the label can be read into that line's row (…216号公民身份号码)."""
    found = fuzzy_find(address[-8:], "公民身份号码", 1)
    return address[:len(address) - 8 + found[0]] if found is not None and len(address) > 8 else address


def _without_label_box(lines: list) -> list:
    """A row's lines without a label that OCR boxed on its own. Printed in another colour with a
    gap before the value, a label often gets a box of its own, and blurred it reads as anything
    (路名 for 姓名, 售纯 for 住址): a short box in the label column, apart from the next, is one.
    (Detection pads its boxes, so two boxes side by side overlap a little.)"""
    if (len(lines) >= 2 and lines[0].x0 < LABEL_COLUMN and len(clean(lines[0].text)) <= 3
            and (lines[0].x0 + lines[0].x1) / 2 < lines[1].x0):
        return lines[1:]
    return lines


def extract_id_card_back(layout: Layout) -> Extracted:
    out = Extracted()
    validity = row_containing(layout, "有效期限")
    validity_row = validity[0] if validity else next(
        (r for r in reversed(layout.rows) if _DOTTED_DATE.search(r.text)), None)

    authority = row_containing(layout, "签发机关")
    if authority is not None:
        row = authority[0]
        out.put("issuing_authority", normalize_authority(text_after(row, "签发机关")), row.lines)
    else:
        found = _authority_by_position(layout, validity_row)
        if found is not None:
            out.put("issuing_authority", normalize_authority(found[0]), found[1])

    if validity_row is not None:
        valid_from, valid_until = normalize_validity(text_after(validity_row, "有效期限"))
        out.put("valid_from", valid_from, validity_row.lines)
        out.put("valid_until", valid_until, validity_row.lines)
    return out


def _authority_by_position(layout: Layout, validity_row: Row | None) -> tuple[str, list] | None:
    """When blur garbled the 签发机关 label past one slip (管发机生, 营发积发) or lost it: the
    row under the 居民身份证 title and above the validity row, less its label (a line of its
    own, or the row's first four characters if they share one with the label where it prints
    them; else the whole row)."""
    title = row_containing(layout, "居民身份证")
    rows = layout.rows
    if title is None:
        return None
    below = rows[rows.index(title[0]) + 1:]
    if validity_row in below:
        below = below[:below.index(validity_row)]
    # (what lies wholly left of where the labels start is not the card's print: something
    # beside its edge, or the edge itself, read as 639)
    below = [lines for row in below if (lines := [l for l in row.lines if l.x1 > BACK_PRINT_LEFT])]
    if not below:
        return None
    lines = below[0]
    if len(lines) >= 2 and len(lines[0].text) <= 5:
        return "".join(line.text for line in lines[1:]), lines[1:]
    text = "".join(line.text for line in lines)
    head = text[:4]
    if len(text) > 4 and any(a == b for a, b in zip(head, "签发机关")):
        return text[4:], lines
    # no label read (the row starts where values do), or one garbled past knowing: the row as
    # read, for the second look at merged labels (pipeline/merged_labels.py) to cut
    return text, lines
