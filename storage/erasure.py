"""Per-citizen erasure (PIPL art. 47): make one citizen's data unreadable, and say what went.

Two layers, so erasure holds even where the backend keeps old versions (S3 versioning, object
lock, backups): first every object of the citizen is deleted (all versions), then the
citizen's data keys are destroyed, so any copy left anywhere no longer opens (crypto-shredding).
The audit log stays: it holds no personal data, and it must show that erasure happened."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from schemas.archive import AuditAction, EraseReport
from storage.crypto import sealed_scope
from storage.errors import StorageError
from storage.keys import biometric_scope

if TYPE_CHECKING:
    from storage.archive import Archive


def erase_citizen(archive: Archive, citizen: str, *, actor: str, purpose: str) -> EraseReport:
    ck = archive.citizen_key(citizen)
    store, history = archive.store, archive.history_store
    archive.audit_log.append(ck, actor=actor, action=AuditAction.ERASE, purpose=purpose,
                             objects=[f"citizens/{ck}/", f"biometric/{ck}/", f"keys/{ck}.json"])
    report = EraseReport(citizen_key=ck, erased_at=datetime.now(timezone.utc))
    removed = {"events": 0, "uploads": 0, "submissions": 0, "biometrics": 0, "keys": 0}

    # The history names the citizen's submissions (readable until the keys go).
    submission_ids: set[str] = set()
    unreadable = 0
    for key in history.event_keys(ck):
        try:
            event = history.read_key(key, ck)
        except (StorageError, ValueError):
            unreadable += 1
            continue
        if event.submission_id:
            submission_ids.add(event.submission_id)

    # Uploads are found by their key, not the history, so one stored without a history event
    # (an intake cut short) goes too. Listing uploads/ reads keys only, once per erasure.
    for key in list(store.list("uploads/")):
        parsed = archive.parse_upload_key(key)
        if parsed and parsed[1] == ck:
            store.delete(key)
            removed["uploads"] += 1
    for sid in sorted(submission_ids):
        key = archive.submission_key(sid)
        try:
            if sealed_scope(store.get(key), key) == ck:
                store.delete(key)
                removed["submissions"] += 1
        except StorageError:
            continue
    for key in list(store.list(f"biometric/{ck}/")):
        store.delete(key)
        removed["biometrics"] += 1
    for key in list(store.list(f"citizens/{ck}/")):
        store.delete(key)
        removed["events"] += key.endswith(".enc")

    for scope in (ck, biometric_scope(ck)):
        if archive.keys.destroy(scope):
            removed["keys"] += 1
            report.keys_destroyed.append(scope)

    report.removed = removed
    report.notes.append("data keys destroyed: any copy left elsewhere (old versions, backups) no longer opens")
    report.notes.append("the audit log of this citizen is kept; it holds no personal data")
    if unreadable:
        report.notes.append(f"{unreadable} history events could not be read; submission records they name "
                            "are unreadable now that the keys are gone, and `archive verify` lists them")
    store.put(f"erased/{ck}.json", json.dumps(report.model_dump(mode="json")).encode())
    return report
