"""Masking personal data for people-facing output and logs (JSON output carries full values)."""

from __future__ import annotations

import re

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_CARD_NUMBER = re.compile(r"(?<!\d)(\d{4})(\d{5,11})(\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    """130634196203070017 → 130634********0017: region kept, birth date and sequence hidden."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[14:]


def mask_card_number(value: str) -> str:
    """6228480402564890018 → 6228***********0018."""
    if len(value) < 9:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    """欧阳翀翯 → 欧***: the family name's first character stays."""
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_text(text: str) -> str:
    """Every ID number and card number inside free text, masked (for logs and messages)."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _CARD_NUMBER.sub(lambda m: mask_card_number(m.group(0)), text)


SENSITIVE_FIELDS = {
    "id_number": mask_id_number,
    "holder_id_number": mask_id_number,
    "spouse_id_number": mask_id_number,
    "card_number": mask_card_number,
}


def mask_field(name: str, value: str) -> str:
    masker = SENSITIVE_FIELDS.get(name)
    return masker(value) if masker else value
