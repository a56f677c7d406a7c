"""`onewindow archive export CITIZEN`: a citizen's whole archive as one zip (PIPL art. 45, the
right to a copy): history, submission records, the uploads themselves, biometrics still held,
the audit log, and manifest.json listing every file with its sha256."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import zipfile
from datetime import datetime, timezone
from typing import TYPE_CHECKING, BinaryIO

from schemas.archive import AuditAction, EventKind, ExportEntry, ExportManifest
from storage.biometrics import biometric_key
from storage.errors import NotFoundError

if TYPE_CHECKING:
    from storage.archive import Archive


def _media_suffix(data: bytes) -> str:
    for magic, suffix in ((b"\xff\xd8", ".jpg"), (b"\x89PNG", ".png"), (b"%PDF", ".pdf"),
                          (b"RIFF", ".webp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif")):
        if data.startswith(magic):
            return suffix
    return ".bin"


def export_citizen(archive: Archive, citizen: str, out: BinaryIO, *, actor: str, purpose: str) -> ExportManifest:
    ck = archive.citizen_key(citizen)
    archive.audit_log.append(ck, actor=actor, action=AuditAction.EXPORT, purpose=purpose,
                             objects=[f"citizens/{ck}/", f"biometric/{ck}/"])
    events = archive.history_store.read(ck)
    manifest = ExportManifest(citizen_key=ck, generated_at=datetime.now(timezone.utc),
                              archive=archive.location, events=len(events))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        def add(path: str, data: bytes) -> None:
            zf.writestr(path, data)
            manifest.files.append(ExportEntry(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data)))

        submission_ids, shas, held = [], {}, {}
        for event in events:
            add(f"history/{event.event_id}.json", event.model_dump_json(indent=1).encode())
            if event.submission_id and event.submission_id not in submission_ids:
                submission_ids.append(event.submission_id)
            if event.kind is EventKind.SUBMISSION_RECEIVED:
                shas.update({u.sha256: u.file for u in event.uploads})
            if event.kind is EventKind.BIOMETRIC_STORED:
                held.update({r.ref: r for r in event.biometrics})
            if event.kind is EventKind.BIOMETRIC_PURGED:
                for ref in event.biometrics:
                    held.pop(ref.ref, None)
        for sid in submission_ids:
            try:
                record = archive.load_submission(sid, actor=actor, purpose=purpose)
            except NotFoundError:
                continue
            add(f"submissions/{sid}.json", record.model_dump_json(indent=1).encode())
            manifest.submissions += 1
        for sha, name in shas.items():
            try:
                data = archive.get_upload(sha, citizen=citizen, actor=actor, purpose=purpose)
            except NotFoundError:
                continue
            suffix = mimetypes.guess_extension(mimetypes.guess_type(name)[0] or "") or _media_suffix(data)
            add(f"documents/{sha}{suffix}", data)
        for ref in held.values():
            try:
                data = archive.biometrics.get(ck, ref, actor=actor, purpose=purpose)
            except NotFoundError:
                continue
            add(biometric_key(ck, ref).replace(f"biometric/{ck}/", "biometric/").removesuffix(".enc"), data)
        audit = [entry.model_dump(mode="json") for entry in archive.audit_log.entries(ck)]
        add("audit.json", json.dumps(audit, ensure_ascii=False, indent=1).encode())
        zf.writestr("manifest.json", manifest.model_dump_json(indent=1))
    return manifest
