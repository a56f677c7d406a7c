"""Data classes: every field the archive keeps has a protection level, in the four grades the
agency's classification uses (公开 / 内部 / 敏感 / 核心). The level decides where data is kept
(biometrics apart, under their own key), how long, and how lists and logs show it."""

from __future__ import annotations

from enum import IntEnum

from schemas.privacy import mask_card_number, mask_id_number, mask_name


class Protection(IntEnum):
    """Ordered: a higher level is more protected. Compare with `<=` against a clearance."""

    PUBLIC = 1
    INTERNAL = 2
    SENSITIVE = 3
    CORE = 4

    @property
    def label(self) -> str:
        return PROTECTION_LABELS[self]


PROTECTION_LABELS: dict[Protection, str] = {
    Protection.PUBLIC: "公开",
    Protection.INTERNAL: "内部",
    Protection.SENSITIVE: "敏感",
    Protection.CORE: "核心",
}

FIELD_PROTECTION: dict[str, Protection] = {
    # What a service is and how the agency handled it: nothing about a person.
    "service": Protection.PUBLIC,
    "service_name": Protection.PUBLIC,
    "doc_type": Protection.PUBLIC,
    "decision": Protection.INTERNAL,
    "finding_code": Protection.INTERNAL,
    # Identifiers OneWindow makes up: link records together, say nothing on their own.
    "submission_id": Protection.INTERNAL,
    "citizen_key": Protection.INTERNAL,
    "sha256": Protection.INTERNAL,
    "file": Protection.INTERNAL,
    "issuing_authority": Protection.INTERNAL,
    "valid_from": Protection.INTERNAL,
    "valid_until": Protection.INTERNAL,
    "registration_date": Protection.INTERNAL,
    "bank_name": Protection.INTERNAL,
    "sex": Protection.INTERNAL,
    # Personal information (个人信息) that identifies or describes one person.
    "name": Protection.SENSITIVE,
    "holder_name": Protection.SENSITIVE,
    "spouse_name": Protection.SENSITIVE,
    "ethnicity": Protection.SENSITIVE,
    "birth_date": Protection.SENSITIVE,
    "address": Protection.SENSITIVE,
    "relation_to_head": Protection.SENSITIVE,
    "death_date": Protection.SENSITIVE,
    "id_number": Protection.SENSITIVE,
    "holder_id_number": Protection.SENSITIVE,
    "spouse_id_number": Protection.SENSITIVE,
    "applicant": Protection.SENSITIVE,
    "card_number": Protection.SENSITIVE,
    "finding_message": Protection.SENSITIVE,
    "document_image": Protection.SENSITIVE,
    # Biometrics (生物识别信息): the highest grade, stored apart, kept only as long as the policy says.
    "face_image": Protection.CORE,
    "selfie": Protection.CORE,
    "video": Protection.CORE,
    "face_template": Protection.CORE,
}

_MASKERS = {
    "id_number": mask_id_number,
    "holder_id_number": mask_id_number,
    "spouse_id_number": mask_id_number,
    "applicant": mask_id_number,
    "card_number": mask_card_number,
    "name": mask_name,
    "holder_name": mask_name,
    "spouse_name": mask_name,
}

CORE_PLACEHOLDER = "〔核心数据，不显示〕"


def protection_of(field: str) -> Protection:
    """A field nobody classified is treated as sensitive: unknown data fails closed."""
    return FIELD_PROTECTION.get(field, Protection.SENSITIVE)


def mask_by_level(field: str, value: str, clearance: Protection = Protection.INTERNAL) -> str:
    """The value as someone cleared up to `clearance` may see it in a list or a log line."""
    level = protection_of(field)
    if level <= clearance:
        return value
    if level is Protection.CORE:
        return CORE_PLACEHOLDER
    masker = _MASKERS.get(field)
    if masker:
        return masker(value)
    return value[:1] + "*" * max(len(value) - 1, 0) if len(value) > 2 else "*" * len(value)
