"""Consent to face processing, recorded in the citizen's archive before any face is looked
at (PIPL art. 29), and withdrawable at any time: the latest record decides."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from pipeline.records import CitizenRecords
from schemas.consent import ConsentRecord, ConsentScope
from storage.archive import Archive


class ConsentBook:
    def __init__(self, archive: Archive):
        self.records = CitizenRecords(archive, "consents")

    def record(self, citizen: str, *, granted: bool, channel: str, actor: str,
               scope: ConsentScope = ConsentScope.FACE_VERIFICATION, now: datetime | None = None) -> ConsentRecord:
        now = now or datetime.now(timezone.utc)
        consent = ConsentRecord(consent_id=f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}", scope=scope,
                                granted=granted, at=now, channel=channel, actor=actor)
        self.records.put(citizen, consent.consent_id, consent, actor=actor,
                         purpose="consent to face processing: " + ("given" if granted else "withdrawn"))
        return consent

    def current(self, citizen: str, *, actor: str, scope: ConsentScope = ConsentScope.FACE_VERIFICATION
                ) -> ConsentRecord | None:
        """The latest consent record for `scope`, or None if there has never been one."""
        found = [c for c in self.records.read(citizen, ConsentRecord, actor=actor, purpose="check consent to face processing")
                 if c.scope is scope]
        return max(found, key=lambda c: (c.at, c.consent_id)) if found else None

    def given(self, citizen: str, *, actor: str) -> bool:
        latest = self.current(citizen, actor=actor)
        return bool(latest and latest.granted)
