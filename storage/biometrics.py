"""Biometric data (核心, the highest protection level), kept apart from identity data.

Objects live under biometric/<citizen_key>/<kind>/<ref>.enc, sealed with the citizen's
*biometric* data key (scope <citizen_key>.bio), not the identity key. Raw captures (selfie
video, still selfies) are deleted once a verification is recorded, or after
`raw_retention_days`; the face template and the decision stay for next year's match."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from schemas.archive import (
    ArchiveEvent,
    AuditAction,
    BiometricKind,
    BiometricRef,
    EventKind,
    VerificationRecord,
)
from storage.blobs import BlobStore
from storage.crypto import seal, unseal
from storage.history import History, derive_state, make_event_id
from storage.keys import DataKeys, biometric_scope

AuditFn = Callable[..., object]


def biometric_key(citizen_key: str, ref: BiometricRef | tuple[BiometricKind, str]) -> str:
    kind, name = (ref.kind, ref.ref) if isinstance(ref, BiometricRef) else ref
    return f"biometric/{citizen_key}/{kind.value}/{name}.enc"


class BiometricVault:
    def __init__(self, store: BlobStore, keys: DataKeys, history: History, audit: AuditFn,
                 *, raw_retention_days: int = 0):
        self.store = store
        self.keys = keys
        self.history = history
        self.audit = audit
        self.raw_retention_days = raw_retention_days

    def put(self, citizen_key: str, kind: BiometricKind, data: bytes, *, actor: str,
            purpose: str) -> BiometricRef:
        now = datetime.now(timezone.utc)
        ref = BiometricRef(kind=kind, ref=f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(6)}",
                           size=len(data), stored_at=now)
        key = biometric_key(citizen_key, ref)
        scope = biometric_scope(citizen_key)
        event = ArchiveEvent(event_id=make_event_id(EventKind.BIOMETRIC_STORED, submission_id=None, at=now),
                             kind=EventKind.BIOMETRIC_STORED, at=now, actor=actor,
                             citizen_key=citizen_key, biometrics=[ref])
        self.audit(citizen_key, AuditAction.WRITE, [key, self.history.event_key(event)], actor, purpose)
        self.store.create(key, seal(self.keys.get(scope, create=True), scope, key, data))
        self.history.append(event)
        return ref

    def get(self, citizen_key: str, ref: BiometricRef, *, actor: str, purpose: str) -> bytes:
        key = biometric_key(citizen_key, ref)
        self.audit(citizen_key, AuditAction.READ, [key], actor, purpose)
        return unseal(self.keys.get(biometric_scope(citizen_key)), key, self.store.get(key))

    def record_verification(self, citizen_key: str, verification: VerificationRecord, *, actor: str,
                            purpose: str) -> list[BiometricRef]:
        """Append the outcome; with the default policy, delete the raw captures at once.
        Returns the references purged."""
        now = datetime.now(timezone.utc)
        event = ArchiveEvent(event_id=make_event_id(EventKind.VERIFICATION, submission_id=None, at=now),
                             kind=EventKind.VERIFICATION, at=now, actor=actor, citizen_key=citizen_key,
                             verification=verification)
        self.audit(citizen_key, AuditAction.WRITE, [self.history.event_key(event)], actor, purpose)
        self.history.append(event)
        if self.raw_retention_days == 0:
            return self.purge(citizen_key, actor=actor, now=now)
        return []

    def purge(self, citizen_key: str, *, actor: str, now: datetime | None = None) -> list[BiometricRef]:
        """Delete raw captures older than the retention period (all of them at 0 days)."""
        now = now or datetime.now(timezone.utc)
        limit = now - timedelta(days=self.raw_retention_days)
        held = derive_state(citizen_key, self.history.read(citizen_key)).biometrics
        due = [ref for ref in held if ref.kind.raw and ref.stored_at <= limit]
        if not due:
            return []
        event = ArchiveEvent(event_id=make_event_id(EventKind.BIOMETRIC_PURGED, submission_id=None, at=now),
                             kind=EventKind.BIOMETRIC_PURGED, at=now, actor=actor,
                             citizen_key=citizen_key, biometrics=due)
        keys = [biometric_key(citizen_key, ref) for ref in due]
        self.audit(citizen_key, AuditAction.PURGE, keys + [self.history.event_key(event)], actor,
                   f"retention: raw biometrics kept {self.raw_retention_days} days after verification")
        for key in keys:
            self.store.delete(key)
        self.history.append(event)
        return due
