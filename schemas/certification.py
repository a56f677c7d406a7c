"""Certification of pensioners as alive (养老金领取资格认证): the records that certify someone
(life activity other departments report, a face verification, an in-person or video-call
check), death records that stop certification, and the status derived from them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from schemas.submission import SubmissionResult
from schemas.verification import VerificationResult


class Source(StrEnum):
    # Silent certification: life activity other departments report.
    HOSPITAL_SETTLEMENT = "hospital_settlement"
    TRAVEL = "travel"
    BANK = "bank"
    # The agency's own checks.
    FACE = "face"
    IN_PERSON = "in_person"
    VIDEO_CALL = "video_call"
    # Not a certification.
    DEATH = "death"
    PENSIONER = "pensioner"
    """On the pension roll since the record's date (brings someone into the status list)."""

    @property
    def certifies(self) -> bool:
        return self not in (Source.DEATH, Source.PENSIONER)


SOURCE_LABELS: dict[Source, str] = {
    Source.HOSPITAL_SETTLEMENT: "医保结算",
    Source.TRAVEL: "出行记录",
    Source.BANK: "银行交易",
    Source.FACE: "刷脸认证",
    Source.IN_PERSON: "现场认证",
    Source.VIDEO_CALL: "视频通话认证",
    Source.DEATH: "死亡登记",
    Source.PENSIONER: "待遇领取名册",
}

SOURCE_ALIASES: dict[str, Source] = {
    **{s.value: s for s in Source},
    **{label: s for s, label in SOURCE_LABELS.items()},
    "hospital": Source.HOSPITAL_SETTLEMENT, "医疗结算": Source.HOSPITAL_SETTLEMENT,
    "出行": Source.TRAVEL, "银行": Source.BANK, "死亡": Source.DEATH, "火化": Source.DEATH,
}
"""What the `source` column of an import may say (case-insensitive for the English names)."""


class CertificationRecord(BaseModel):
    """One fact about one pensioner, kept sealed in their part of the archive."""

    record_id: str
    """Deterministic (citizen, source, date, reference): importing it again changes nothing."""
    id_number: str
    source: Source
    on: date
    reference: str | None = None
    """The reporting department's own record number, or the verification / reviewer behind it."""
    recorded_at: datetime
    actor: str


class Status(StrEnum):
    CERTIFIED = "certified"
    DUE = "due"
    """Certified, but the certification runs out within the window asked about."""
    MUST_VERIFY = "must_verify"
    """No certification in force and no life activity on record: ask for a face (or an alternative)."""
    STOPPED = "stopped"
    """A death record: certification stopped, the pension flagged for a reviewer."""


STATUS_LABELS: dict[Status, str] = {
    Status.CERTIFIED: "已认证",
    Status.DUE: "即将到期",
    Status.MUST_VERIFY: "需刷脸认证",
    Status.STOPPED: "已停止（死亡记录，待复核）",
}


class PensionerStatus(BaseModel):
    id_number: str
    status: Status
    how: Source | None = None
    on: date | None = None
    """The date of the record that certifies (or of death)."""
    valid_until: date | None = None
    note: str | None = None


class BadRow(BaseModel):
    line: int
    reason: str
    text: str
    """The row as read, ID numbers masked."""


class ImportReport(BaseModel):
    file: str
    rows: int = 0
    imported: int = 0
    already: int = 0
    """Rows already on record (an import run twice)."""
    deaths: int = 0
    flagged: list[str] = Field(default_factory=list)
    """Submission ids of the cases opened for a reviewer (one per new death record)."""
    bad: list[BadRow] = Field(default_factory=list)


class RemoteSubmissionResult(SubmissionResult):
    """`onewindow process VIDEO --service pension_certification`: the application record plus
    what the verification found (the video itself is in the biometric vault, not `uploads`)."""

    verification: VerificationResult | None = None
    certification: Literal["certified", "not_certified", "review", "consent_required"] = "not_certified"
    alternatives: list[str] = Field(default_factory=list)
