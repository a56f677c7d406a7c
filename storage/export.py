"""`onewindow archive export CITIZEN`: a citizen's whole archive as one zip (PIPL art. 45, the
right to a copy): history, submission records, the uploads themselves, the records kept beside
the history (consents to face processing, certification records: silent certification from
other departments' data, face / in-person / video-call certifications, death records), the
challenges issued to them for remote verification, the audit log, and manifest.json listing
every file with its sha256.

Biometric data (核心 CORE in docs/archive.md's data classes: selfie video, stills, face
template) is *not* copied by default: core data is never shown outside the verification that
uses it, and a face template in a zip that travels by mail or USB stick is a credential for
any face matcher. The manifest lists what is held (kind, reference, size, date) and says why
it is withheld; `include_biometrics=True` is for a copy handed over in person under the
agency's own procedure."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import zipfile
from datetime import datetime, timezone
from typing import TYPE_CHECKING, BinaryIO

from pydantic import BaseModel, Field

from schemas.archive import AuditAction, BiometricRef, EventKind, ExportEntry, ExportManifest
from storage.biometrics import biometric_key
from storage.crypto import unseal
from storage.errors import KeyUnavailableError, NotFoundError

if TYPE_CHECKING:
    from storage.archive import Archive

BIOMETRICS_WITHHELD = (
    "人脸视频、照片和人脸特征模板属于核心数据（docs/archive.md 数据分级：核心数据不在任何列表、日志或副本中显示），"
    "不随本副本导出；此处列出所持有的种类、编号、大小和存储时间。本人可申请删除，或按经办机构规定现场查阅。"
    " Biometric data (core class) is listed, not copied: it is never shown outside the verification "
    "that uses it, and a face template outside the vault works as a credential for any face matcher.")


class WithheldEntry(BaseModel):
    kind: str
    ref: str
    size: int
    stored_at: datetime


class CitizenExport(ExportManifest):
    """The manifest of an export: files, plus what each part holds and what was withheld, and why."""

    records: dict[str, int] = Field(default_factory=dict)
    """Records kept beside the history, by kind (`consents`, `certification`, …)."""
    verifications: int = 0
    """Verification decisions in the history (remote certification by face, reviewers' decisions)."""
    challenges: int = 0
    biometrics_included: bool = False
    biometrics_withheld: list[WithheldEntry] = Field(default_factory=list)
    biometrics_note: str | None = None


def _media_suffix(data: bytes) -> str:
    for magic, suffix in ((b"\xff\xd8", ".jpg"), (b"\x89PNG", ".png"), (b"%PDF", ".pdf"),
                          (b"RIFF", ".webp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif")):
        if data.startswith(magic):
            return suffix
    return ".bin"


def export_citizen(archive: Archive, citizen: str, out: BinaryIO, *, actor: str, purpose: str,
                   include_biometrics: bool = False) -> CitizenExport:
    ck = archive.citizen_key(citizen)
    archive.audit_log.append(ck, actor=actor, action=AuditAction.EXPORT, purpose=purpose,
                             objects=[f"citizens/{ck}/", f"biometric/{ck}/", f"verification/pending/{ck}/"])
    events = archive.history_store.read(ck)
    manifest = CitizenExport(citizen_key=ck, generated_at=datetime.now(timezone.utc),
                             archive=archive.location, events=len(events), biometrics_included=include_biometrics)
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
            if event.kind is EventKind.VERIFICATION:
                manifest.verifications += 1
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
        _records(archive, ck, add, manifest)
        _challenges(archive, ck, add, manifest)
        _biometrics(archive, ck, list(held.values()), add, manifest, actor=actor, purpose=purpose)
        audit = [entry.model_dump(mode="json") for entry in archive.audit_log.entries(ck)]
        add("audit.json", json.dumps(audit, ensure_ascii=False, indent=1).encode())
        zf.writestr("manifest.json", manifest.model_dump_json(indent=1))
    return manifest


def _records(archive: Archive, ck: str, add, manifest: CitizenExport) -> None:
    """Every sealed record under citizens/<ck>/<kind>/ except the history's own events/:
    consents (pipeline/consent.py) and certification records (pipeline/certify.py) today,
    any later kind tomorrow (they are all sealed JSON under the citizen's data key)."""
    prefix = f"citizens/{ck}/"
    keys = [k for k in archive.store.list(prefix) if not k.startswith(prefix + "events/") and k.endswith(".enc")]
    if not keys:
        return
    try:
        dek = archive.keys.get(ck)
    except KeyUnavailableError:
        return  # erased: nothing readable is left
    for key in sorted(keys):
        kind, _, name = key.removeprefix(prefix).partition("/")
        try:
            data = unseal(dek, key, archive.store.get(key))
        except NotFoundError:
            continue
        add(f"records/{kind}/{name.removesuffix('.enc')}.json", json.dumps(json.loads(data), ensure_ascii=False,
                                                                             indent=1).encode())
        manifest.records[kind] = manifest.records.get(kind, 0) + 1


def _challenges(archive: Archive, ck: str, add, manifest: CitizenExport) -> None:
    """The challenges issued for remote verification (actions, times, whether used)."""
    for key in sorted(archive.store.list(f"verification/pending/{ck}/")):
        nonce = key.rsplit("-", 1)[1]
        try:
            challenge = json.loads(archive.store.get(f"verification/challenges/{nonce}.json"))
        except NotFoundError:
            continue
        try:
            challenge["used"] = json.loads(archive.store.get(f"verification/used/{nonce}.json"))
        except NotFoundError:
            challenge["used"] = None
        add(f"verification/challenges/{nonce}.json", json.dumps(challenge, ensure_ascii=False, indent=1).encode())
        manifest.challenges += 1


def _biometrics(archive: Archive, ck: str, held: list[BiometricRef], add, manifest: CitizenExport, *,
                actor: str, purpose: str) -> None:
    if not manifest.biometrics_included:
        manifest.biometrics_withheld = [WithheldEntry(kind=r.kind.value, ref=r.ref, size=r.size, stored_at=r.stored_at)
                                        for r in held]
        manifest.biometrics_note = BIOMETRICS_WITHHELD
        return
    for ref in held:
        try:
            data = archive.biometrics.get(ck, ref, actor=actor, purpose=purpose)
        except NotFoundError:
            continue
        add(biometric_key(ck, ref).replace(f"biometric/{ck}/", "biometric/").removesuffix(".enc"), data)
