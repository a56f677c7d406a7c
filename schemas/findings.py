"""Findings: the gaps a pre-review found, each one specific enough to act on."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from schemas.documents import DocType, Quad


class FindingCode(StrEnum):
    MISSING_DOCUMENT = "missing_document"
    UNREADABLE_DOCUMENT = "unreadable_document"
    INVALID_FIELD = "invalid_field"
    EXPIRED_DOCUMENT = "expired_document"
    INCONSISTENT_FIELD = "inconsistent_field"
    INELIGIBLE = "ineligible"
    UNEXPECTED_DOCUMENT = "unexpected_document"
    VERIFICATION_FAILED = "verification_failed"
    PROCESSING_FAILED = "processing_failed"


class Severity(StrEnum):
    BLOCKER = "blocker"
    """Flags the application for a person to look at."""
    WARNING = "warning"
    """Worth knowing; does not stop the application."""


class Finding(BaseModel):
    code: FindingCode
    severity: Severity
    message: str
    """In Chinese, for the citizen and the reviewer: what is wrong and what to bring or redo."""
    file: str | None = None
    page: int | None = None
    document_type: DocType | None = None
    field: str | None = None
    region: Quad | None = None
    """Where on the uploaded image the finding comes from, so a reviewer sees the exact spot."""
