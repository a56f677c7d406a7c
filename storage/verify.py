"""`onewindow archive verify`: re-hash every upload, open every sealed object, walk every
history and audit chain, and report what is missing or corrupted (by object key: no personal
data in the report)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from schemas.archive import AuditAction, EventKind, Problem, VerifyReport
from schemas.submission import SubmissionResult
from storage.crypto import sealed_scope, unseal
from storage.errors import CorruptedError, KeyUnavailableError, NotFoundError, StorageError
from storage.keys import SYSTEM_SCOPE, biometric_scope

if TYPE_CHECKING:
    from storage.archive import Archive


def _open(archive: Archive, key: str, scope: str | None = None) -> bytes:
    raw = archive.store.get(key)
    scope = scope or sealed_scope(raw, key)
    return unseal(archive.keys.get(scope), key, raw)


def _problem(exc: Exception, key: str) -> Problem:
    if isinstance(exc, NotFoundError):
        return Problem(kind="missing", key=key, detail="listed but gone when read")
    if isinstance(exc, KeyUnavailableError):
        return Problem(kind="unreadable", key=key, detail="its data key is gone (erased?) or not configured")
    if isinstance(exc, CorruptedError):
        return Problem(kind="corrupted", key=key, detail=str(exc).removeprefix(key).strip() or "corrupted")
    return Problem(kind="corrupted", key=key, detail=f"{type(exc).__name__}: {exc}"[:200])


def verify_archive(archive: Archive, *, actor: str) -> VerifyReport:
    report = VerifyReport()
    citizens = archive.history_store.citizens()
    for scope in [SYSTEM_SCOPE, *citizens]:
        archive.audit_log.append(scope, actor=actor, action=AuditAction.VERIFY,
                                 purpose="integrity check: re-hash and re-open every object")
    uploads = _check_uploads(archive, report)
    _check_submissions(archive, report)
    _check_histories(archive, citizens, uploads, report)
    _check_biometrics(archive, report)
    for scope in archive.audit_log.scopes():
        count, problems = archive.audit_log.check(scope)
        report.audit_entries += count
        report.problems.extend(problems)
    return report


def _check_uploads(archive: Archive, report: VerifyReport) -> set[str]:
    present = set()
    for key in archive.store.list("uploads/"):
        parsed = archive.parse_upload_key(key)
        if not parsed:
            continue
        report.blobs += 1
        present.add(key)
        sha = parsed[0]
        try:
            data = _open(archive, key)
        except (StorageError, ValueError) as exc:
            report.problems.append(_problem(exc, key))
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            report.problems.append(Problem(kind="corrupted", key=key, detail="content does not match its sha256"))
    for key in archive.store.list("blobs/sha256/"):
        report.blobs += 1
        try:
            ok = hashlib.sha256(archive.store.get(key)).hexdigest() == key.rsplit("/", 1)[1]
        except StorageError as exc:
            report.problems.append(_problem(exc, key))
            continue
        if not ok:
            report.problems.append(Problem(kind="corrupted", key=key, detail="content does not match its sha256"))
    return present


def _check_submissions(archive: Archive, report: VerifyReport) -> None:
    for key in archive.store.list("submissions/"):
        report.submissions += 1
        try:
            raw = _open(archive, key) if key.endswith(".enc") else archive.store.get(key)
            SubmissionResult.model_validate_json(raw)
        except (StorageError, ValueError) as exc:
            report.problems.append(_problem(exc, key))


def _check_histories(archive: Archive, citizens: list[str], uploads: set[str], report: VerifyReport) -> None:
    history = archive.history_store
    for citizen_key in citizens:
        for key in history.event_keys(citizen_key):
            report.events += 1
            try:
                event = history.read_key(key, citizen_key)
            except (StorageError, ValueError) as exc:
                report.problems.append(_problem(exc, key))
                continue
            if event.citizen_key != citizen_key or history.event_key(event) != key:
                report.problems.append(Problem(kind="corrupted", key=key, detail="event filed under the wrong key"))
            if event.kind is EventKind.SUBMISSION_RECEIVED:
                for upload in event.uploads:
                    wanted = archive.upload_key(upload.sha256, citizen_key)
                    if wanted not in uploads and archive.nested_upload_key(upload.sha256, citizen_key) not in uploads:
                        report.problems.append(Problem(
                            kind="missing", key=wanted, detail=f"upload named by {key} is not in the archive"))


def _check_biometrics(archive: Archive, report: VerifyReport) -> None:
    for key in archive.store.list("biometric/"):
        report.biometrics += 1
        try:
            _open(archive, key, biometric_scope(key.split("/")[1]))
        except (StorageError, ValueError) as exc:
            report.problems.append(_problem(exc, key))
