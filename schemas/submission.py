"""An application as handed in and as pre-reviewed: the record the archive keeps."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timezone
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.documents import DocumentReading
from schemas.findings import Finding, Severity


class Decision(StrEnum):
    ACCEPTED = "accepted"
    FLAGGED = "flagged"


class Upload(BaseModel):
    """One file as the citizen handed it in; its bytes live in the archive under `sha256`."""

    file: str
    sha256: str
    size: int
    media_type: str | None = None
    error: str | None = None
    """Why the file could not be read at all (not an image, too large, …), if so."""


def new_submission_id(now: datetime | None = None) -> str:
    """Time-ordered and unguessable: `20261128T120830-5f0c9a1e`. Carries no personal data."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


class SubmissionResult(BaseModel):
    """What `onewindow process --json` prints and what the archive keeps per submission."""

    submission_id: str
    service: str
    service_name: str
    decision: Decision
    applicant: str | None = None
    submitted_on: date
    received_at: datetime
    documents: list[DocumentReading] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    uploads: list[Upload] = Field(default_factory=list)
    archive: str | None = None
    inputs: dict[str, str] = Field(default_factory=dict)
    """What the applicant stated besides the documents (the service's declared inputs, e.g.
    `post_category`); a reprocess re-checks with the same. Records from before have none."""
    timings: dict[str, float] = Field(default_factory=dict)

    @property
    def blockers(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.BLOCKER]
