"""Document types, their canonical fields and the result of reading one document image."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]
"""Four corners, clockwise from top-left, in pixels of the image the caller passed in."""


class DocType(StrEnum):
    ID_CARD_FRONT = "id_card_front"
    ID_CARD_BACK = "id_card_back"
    BANK_CARD = "bank_card"
    SOCIAL_SECURITY_CARD = "social_security_card"
    HOUSEHOLD_REGISTER = "household_register"
    DEATH_CERTIFICATE = "death_certificate"
    MARRIAGE_CERTIFICATE = "marriage_certificate"
    LABOR_CONTRACT_TERMINATION = "labor_contract_termination"
    UNKNOWN = "unknown"


DOC_TYPE_LABELS: dict[DocType, str] = {
    DocType.ID_CARD_FRONT: "居民身份证人像面",
    DocType.ID_CARD_BACK: "居民身份证国徽面",
    DocType.BANK_CARD: "银行卡",
    DocType.SOCIAL_SECURITY_CARD: "社会保障卡",
    DocType.HOUSEHOLD_REGISTER: "常住人口登记卡",
    DocType.DEATH_CERTIFICATE: "死亡医学证明",
    DocType.MARRIAGE_CERTIFICATE: "结婚证",
    DocType.LABOR_CONTRACT_TERMINATION: "解除/终止劳动合同证明",
    DocType.UNKNOWN: "无法识别的材料",
}

DOC_FIELDS: dict[DocType, tuple[str, ...]] = {
    DocType.ID_CARD_FRONT: ("name", "sex", "ethnicity", "birth_date", "address", "id_number"),
    DocType.ID_CARD_BACK: ("issuing_authority", "valid_from", "valid_until"),
    DocType.BANK_CARD: ("card_number", "bank_name"),
    DocType.SOCIAL_SECURITY_CARD: ("name", "id_number", "card_number", "bank_name"),
    DocType.HOUSEHOLD_REGISTER: (
        "name", "relation_to_head", "sex", "ethnicity", "birth_date", "id_number", "address",
    ),
    DocType.DEATH_CERTIFICATE: ("name", "sex", "id_number", "death_date"),
    DocType.MARRIAGE_CERTIFICATE: (
        "holder_name", "holder_id_number", "spouse_name", "spouse_id_number", "registration_date",
    ),
    DocType.LABOR_CONTRACT_TERMINATION: ("name", "id_number", "employer", "termination_date"),
    DocType.UNKNOWN: (),
}

FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "address": "住址",
    "id_number": "公民身份号码",
    "issuing_authority": "签发机关",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
    "card_number": "卡号",
    "bank_name": "开户银行",
    "relation_to_head": "与户主关系",
    "death_date": "死亡日期",
    "holder_name": "持证人",
    "holder_id_number": "持证人身份证号",
    "spouse_name": "配偶姓名",
    "spouse_id_number": "配偶身份证号",
    "registration_date": "登记日期",
    "employer": "用人单位",
    "termination_date": "解除（终止）劳动合同日期",
}

PERMANENT = "长期"
"""The value of `valid_until` on ID cards that never expire."""


class QualityIssue(StrEnum):
    NO_DOCUMENT = "no_document_found"
    CUT_OFF = "cut_off"
    TOO_SMALL = "too_small"
    BLURRY = "blurry"
    GLARE = "glare"
    TOO_DARK = "too_dark"


QUALITY_ISSUE_LABELS: dict[QualityIssue, str] = {
    QualityIssue.NO_DOCUMENT: "照片中未找到证件或纸张的完整边缘",
    QualityIssue.CUT_OFF: "证件边缘被裁切，未拍全",
    QualityIssue.TOO_SMALL: "证件在照片中太小",
    QualityIssue.BLURRY: "照片模糊",
    QualityIssue.GLARE: "证件上有反光",
    QualityIssue.TOO_DARK: "照片过暗",
}


class Quality(BaseModel):
    ok: bool
    issues: list[QualityIssue] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)


class FieldIssue(StrEnum):
    """Why a field read from a document cannot be trusted as it stands."""

    NOT_READ = "not_read"
    FORMAT = "format"
    CHECKSUM = "checksum"
    DATE = "date"
    REGION = "region"


class DocumentReading(BaseModel):
    """What OneWindow read from one document image or one PDF page (`onewindow extract`)."""

    file: str
    page: int | None = None
    sha256: str | None = None
    doc_type: DocType
    confidence: float
    fields: dict[str, str] = Field(default_factory=dict)
    quality: Quality
    field_issues: dict[str, FieldIssue] = Field(default_factory=dict)
    field_confidence: dict[str, float] = Field(default_factory=dict)
    regions: dict[str, Quad] = Field(default_factory=dict)
    document_region: Quad | None = None
    orientation: int = 0
    timings: dict[str, float] = Field(default_factory=dict)
    reused_from: str | None = None
    """Set when the reading was not uploaded with this application but taken from the
    citizen's archive (collect once): the earlier submission it came from."""
