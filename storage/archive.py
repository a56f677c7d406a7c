"""The archive, the system of record, on top of a blob store (local directory or S3).

Layout (object keys carry hashes, HMACs, submission ids, timestamps and random ids only):
  uploads/<sha[:2]>/<sha256>.<scope>.enc     an upload, sealed under its citizen's data key
                                             (archives before 2026-11-30 have .../<sha256>/<scope>.enc:
                                             still read, never written)
  submissions/<submission_id>.enc            the full pre-review record, sealed likewise
  citizens/<citizen_key>/events/<id>.enc     the citizen's append-only history
  biometric/<citizen_key>/<kind>/<ref>.enc   biometrics, under a separate data key
  keys/<scope>.json                          data keys, wrapped by the master key
  audit/<scope>/<seq>.json                   the hash-chained audit log (no personal data)
Every read or write of a citizen's data is audited before it takes effect, so nothing touches
personal data unrecorded: a read's entry is on the log before its data is handed out, a write's
before the history event that makes its data part of the record (the entry is written beside
the data, not ahead of it, so the two cost one disk flush instead of two). Multi-object writes
put the data first and the history event last: until the event exists nothing refers to the
data, and repeating the operation completes it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import wait
from typing import TYPE_CHECKING, BinaryIO

from schemas.archive import (
    ArchiveEvent,
    AuditAction,
    AuditEntry,
    BiometricKind,
    BiometricRef,
    CitizenState,
    EraseReport,
    EventKind,
    ExportManifest,
    RecordedDocument,
    ReindexSummary,
    VerificationRecord,
    VerifyReport,
)
from schemas.documents import DocumentReading
from schemas.findings import Finding
from schemas.submission import Decision, SubmissionResult, Upload
from storage.audit import AuditLog
from storage.biometrics import BiometricVault
from storage.blobs import BlobStore, alongside, create_all, map_all, sha256_hex
from storage.crypto import Keyring, seal, seal_in_scratch, sealed_scope, unseal
from storage.errors import CorruptedError, KeyUnavailableError, NotFoundError
from storage.history import History, derive_state, make_event_id, now
from storage.keys import SYSTEM_SCOPE, DataKeys

if TYPE_CHECKING:
    from storage.reindex import IndexSink

log = logging.getLogger(__name__)


class Archive:
    def __init__(self, store: BlobStore, keyring: Keyring | None = None, *, actor: str = "onewindow",
                 audit_lock_days: int = 3650, biometric_raw_retention_days: int = 0):
        self.store = store
        self.keyring = keyring or Keyring.development()
        self.actor = actor
        self.keys = DataKeys(store, self.keyring)
        self.history_store = History(store, self.keys)
        self.audit_log = AuditLog(store, lock_days=audit_lock_days)
        self.biometrics = BiometricVault(store, self.keys, self.history_store, self._audit,
                                         raw_retention_days=biometric_raw_retention_days)

    @property
    def location(self) -> str:
        return self.store.location

    def citizen_key(self, id_number: str) -> str:
        return self.keyring.citizen_key(id_number)

    def _scope(self, citizen: str | None) -> str:
        return self.citizen_key(citizen) if citizen else SYSTEM_SCOPE

    def _audit(self, scope: str, action: AuditAction, objects: list[str], actor: str | None,
               purpose: str) -> AuditEntry:
        return self.audit_log.append(scope, actor=actor or self.actor, action=action, purpose=purpose,
                                     objects=objects, fresh=scope in self.keys.fresh)

    # Uploads --------------------------------------------------------------------------------

    @staticmethod
    def upload_key(sha256: str, scope: str = SYSTEM_SCOPE) -> str:
        """One level of folders only: on the local backend a folder per upload cost a second
        new directory in every write's disk flush (≈ +1 ms per 300-KB upload, measured)."""
        return f"uploads/{sha256[:2]}/{sha256}.{scope}.enc"

    @staticmethod
    def nested_upload_key(sha256: str, scope: str) -> str:
        """Where archives before 2026-11-30 kept an upload; still read, never written."""
        return f"uploads/{sha256[:2]}/{sha256}/{scope}.enc"

    @staticmethod
    def parse_upload_key(key: str) -> tuple[str, str] | None:
        """(sha256, scope) of an upload key of either layout; None for anything else."""
        parts = key.split("/")
        if parts[0] != "uploads" or not key.endswith(".enc"):
            return None
        if len(parts) == 4:  # uploads/<aa>/<sha>/<scope>.enc
            return parts[2], parts[3].removesuffix(".enc")
        sha, _, scope = parts[-1].removesuffix(".enc").partition(".")
        return (sha, scope) if len(parts) == 3 and scope else None

    @staticmethod
    def legacy_upload_key(sha256: str) -> str:
        """Where the skeleton archive kept uploads, in clear; still read, never written."""
        return f"blobs/sha256/{sha256[:2]}/{sha256}"

    def put_upload(self, data: bytes, *, citizen: str | None = None, actor: str | None = None,
                   purpose: str = "intake") -> str:
        """Store an upload (once per content and citizen) and return its sha256."""
        return self.put_uploads([data], citizen=citizen, actor=actor, purpose=purpose)[0]

    def put_uploads(self, items: Sequence[bytes], *, citizen: str | None = None,
                    actor: str | None = None, purpose: str = "intake") -> list[str]:
        """Store several uploads of one citizen under a single audit entry."""
        scope = self._scope(citizen)
        shas = map_all(sha256_hex, items)
        keys = [self.upload_key(sha, scope) for sha in shas]
        self._write_uploads(scope, keys, list(items), keys, actor, purpose)
        return shas

    def receive(self, submission_id: str, service: str, files: Sequence[tuple[str, bytes]], *,
                citizen: str | None = None, actor: str | None = None, purpose: str = "intake",
                media_type_of: Callable[[bytes], str | None] | None = None,
                revision: str = "0", inputs: dict[str, str] | None = None) -> list[Upload]:
        """Intake in one step: store the files, then record "submission received" in the
        citizen's history, under one audit entry. The event is written last, so until it exists
        nothing refers to the files; calling again after a failure completes it."""
        scope = self._scope(citizen)
        shas = map_all(sha256_hex, [data for _, data in files])
        uploads = [Upload(file=name, sha256=sha, size=len(data), media_type=media_type_of(data) if media_type_of else None)
                   for (name, data), sha in zip(files, shas)]
        keys = [self.upload_key(u.sha256, scope) for u in uploads]
        event = None
        if citizen:
            event = self._event(EventKind.SUBMISSION_RECEIVED, scope, actor or self.actor,
                                submission_id=submission_id, service=service, uploads=uploads, revision=revision,
                                inputs=dict(inputs or {}))
        event_keys = [self.history_store.event_key(event)] if event else []
        self._write_uploads(scope, keys, [data for _, data in files], keys + event_keys, actor, purpose)
        if event:  # only once every upload it names, and the audit entry, is written
            self.history_store.append(event)
        return uploads

    def _write_uploads(self, scope: str, keys: list[str], items: list[bytes], audited: list[str],
                       actor: str | None, purpose: str) -> None:
        """Seal and write uploads under the scope's data key, with the audit entry written beside
        them; returns once all are durable. The data key is made first: an upload sealed under a
        key that was then lost would be found by a retry and never rewritten."""
        dek = self.keys.get(scope, create=True)
        entry = alongside(self._audit, scope, AuditAction.WRITE, audited, actor, purpose)
        try:
            create_all(self.store, list(zip(keys, items)), lambda key, data: seal_in_scratch(dek, scope, key, data))
        except BaseException:
            wait([entry])  # nothing keeps running after the call
            raise
        entry.result()

    def get_upload(self, sha256: str, *, citizen: str | None = None, actor: str | None = None,
                   purpose: str = "pre-review") -> bytes:
        return self.get_uploads([sha256], citizen=citizen, actor=actor, purpose=purpose)[0]

    def get_uploads(self, shas: Sequence[str], *, citizen: str | None = None, actor: str | None = None,
                    purpose: str = "pre-review") -> list[bytes]:
        """Read uploads back, each checked against its sha256, audited once per scope. With
        `citizen` the keys are known and each read is one request."""
        ck = self.citizen_key(citizen) if citizen else None
        keys = [self.upload_key(sha, ck) if ck else self._find_upload(sha) for sha in shas]
        audited = alongside(self._audit_reads, keys, actor, purpose)  # written while the blobs are read

        def read(sha_and_key: tuple[str, str]) -> bytes:
            sha, key = sha_and_key
            try:
                return self._read_upload(sha, key)
            except NotFoundError:
                if ck is None:
                    raise
                other = self._find_upload(sha)  # e.g. stored before the applicant was known
                self._audit_reads([other], actor, purpose)
                return self._read_upload(sha, other)

        try:
            found = map_all(read, list(zip(shas, keys)))  # reading and AES-GCM release the GIL
        finally:
            audited.result()  # nothing is handed out before its read is on the audit log
        return found

    @classmethod
    def _key_scope(cls, key: str) -> str | None:
        parsed = cls.parse_upload_key(key)
        return parsed[1] if parsed else None

    def _audit_reads(self, keys: list[str], actor: str | None, purpose: str) -> None:
        for scope in sorted({self._key_scope(key) for key in keys} - {None}):
            self._audit(scope, AuditAction.READ, [k for k in keys if self._key_scope(k) == scope], actor, purpose)

    def _read_upload(self, sha256: str, key: str) -> bytes:
        scope = self._key_scope(key)
        if scope:  # AES-GCM authenticates the bytes sealed for this key (which names the sha256;
            sealed = self.store.get_view(key)  # `verify` still re-hashes every upload)
            return unseal(self.keys.get(scope), key, sealed)
        data = self.store.get(key)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise CorruptedError(f"upload {sha256[:12]}… is corrupted in the archive", key=key)
        return data

    def _find_upload(self, sha256: str) -> str:
        for key in self.store.list(f"uploads/{sha256[:2]}/{sha256}"):  # both layouts
            parsed = self.parse_upload_key(key)
            if parsed and parsed[0] == sha256:
                return key
        if self.store.exists(self.legacy_upload_key(sha256)):
            return self.legacy_upload_key(sha256)
        raise NotFoundError(f"upload {sha256[:12]}… is not in the archive at {self.location}")

    # Submissions ----------------------------------------------------------------------------

    @staticmethod
    def submission_key(submission_id: str) -> str:
        return f"submissions/{submission_id}.enc"

    def save_submission(self, submission: SubmissionResult, *, actor: str | None = None,
                        purpose: str = "pre-review", revision: str = "0") -> None:
        """Seal the full record, then (with an applicant) append its history events. Events
        already recorded step by step for this submission and revision are not written twice."""
        scope = self._scope(submission.applicant)
        key = self.submission_key(submission.submission_id)
        events = self._submission_events(submission, actor or self.actor, revision)
        self._audit(scope, AuditAction.WRITE, [key] + [self.history_store.event_key(e) for e in events],
                    actor, purpose)
        record = submission.model_dump_json().encode("utf-8")
        self.store.put(key, seal(self.keys.get(scope, create=True), scope, key, record))
        for event in events:
            self.history_store.append(event)

    def load_submission(self, submission_id: str, *, actor: str | None = None,
                        purpose: str = "review") -> SubmissionResult:
        key = self.submission_key(submission_id)
        try:
            raw = self.store.get(key)
        except NotFoundError:
            legacy = f"submissions/{submission_id}.json"
            if not self.store.exists(legacy):
                raise
            return SubmissionResult.model_validate_json(self.store.get(legacy))
        scope = sealed_scope(raw, key)
        self._audit(scope, AuditAction.READ, [key], actor, purpose)
        return SubmissionResult.model_validate_json(unseal(self.keys.get(scope), key, raw))

    def submission_ids(self) -> Iterator[str]:
        for key in self.store.list("submissions/"):
            if key.endswith((".enc", ".json")):
                yield key.removeprefix("submissions/").rsplit(".", 1)[0]

    # History --------------------------------------------------------------------------------

    def _event(self, kind: EventKind, citizen_key: str, actor: str, *, submission_id: str | None,
               revision: str = "0", **fields) -> ArchiveEvent:
        at = now()
        return ArchiveEvent(event_id=make_event_id(kind, submission_id=submission_id, at=at, revision=revision),
                            kind=kind, at=at, actor=actor, citizen_key=citizen_key,
                            submission_id=submission_id, **fields)

    def _submission_events(self, result: SubmissionResult, actor: str, revision: str) -> list[ArchiveEvent]:
        if not result.applicant:
            return []
        ck, sid = self.citizen_key(result.applicant), result.submission_id
        common = {"submission_id": sid, "service": result.service, "revision": revision}
        return [
            self._event(EventKind.SUBMISSION_RECEIVED, ck, actor, uploads=result.uploads,
                        inputs=dict(result.inputs), **common),
            self._event(EventKind.DOCUMENTS_READ, ck, actor, documents=result.documents, **common),
            self._event(EventKind.FINDINGS, ck, actor, findings=result.findings, **common),
            self._event(EventKind.DECISION, ck, actor, decision=result.decision, **common),
        ]

    def record_events(self, events: Sequence[ArchiveEvent], *, actor: str | None = None,
                      purpose: str = "pre-review") -> int:
        """Append events (all of one citizen) under one audit entry; returns how many were new."""
        if not events:
            return 0
        scope = events[0].citizen_key
        self._audit(scope, AuditAction.WRITE, [self.history_store.event_key(e) for e in events], actor, purpose)
        return sum(self.history_store.append(event) for event in events)

    def record_received(self, citizen: str | None, submission_id: str, service: str, uploads: list[Upload], *,
                        actor: str | None = None, revision: str = "0",
                        inputs: dict[str, str] | None = None) -> ArchiveEvent | None:
        if not citizen:
            return None
        event = self._event(EventKind.SUBMISSION_RECEIVED, self.citizen_key(citizen), actor or self.actor,
                            submission_id=submission_id, service=service, uploads=uploads, revision=revision,
                            inputs=dict(inputs or {}))
        self.record_events([event], actor=actor, purpose="intake")
        return event

    def record_documents_read(self, citizen: str | None, submission_id: str, documents: list[DocumentReading],
                              *, actor: str | None = None, revision: str = "0") -> ArchiveEvent | None:
        """After reading: what each document said. No-op without a citizen (nothing to file under)."""
        if not citizen:
            return None
        event = self._event(EventKind.DOCUMENTS_READ, self.citizen_key(citizen), actor or self.actor,
                            submission_id=submission_id, documents=documents, revision=revision)
        self.record_events([event], actor=actor, purpose="pre-review: documents read")
        return event

    def record_outcome(self, citizen: str | None, submission_id: str, findings: list[Finding],
                       decision: Decision, *, actor: str | None = None, revision: str = "0") -> list[ArchiveEvent]:
        """After checking: the findings and the decision, as two events under one audit entry."""
        if not citizen:
            return []
        ck, who = self.citizen_key(citizen), actor or self.actor
        events = [self._event(EventKind.FINDINGS, ck, who, submission_id=submission_id,
                              findings=findings, revision=revision),
                  self._event(EventKind.DECISION, ck, who, submission_id=submission_id,
                              decision=decision, revision=revision)]
        self.record_events(events, actor=actor, purpose="pre-review: findings and decision")
        return events

    def history(self, citizen: str, *, actor: str | None = None, purpose: str = "review") -> list[ArchiveEvent]:
        ck = self.citizen_key(citizen)
        self._audit(ck, AuditAction.READ, [f"citizens/{ck}/events/"], actor, purpose)
        return self.history_store.read(ck)

    def current_state(self, citizen: str, *, actor: str | None = None, purpose: str = "review") -> CitizenState:
        events = self.history(citizen, actor=actor, purpose=purpose)
        return derive_state(self.citizen_key(citizen), events)

    def documents_on_record(self, citizen: str, *, actor: str | None = None,
                            purpose: str = "reuse of documents on record") -> list[RecordedDocument]:
        """The latest reading of each document type this citizen handed in: what a later
        application may reuse instead of asking again (the caller judges validity)."""
        state = self.current_state(citizen, actor=actor, purpose=purpose)
        return sorted(state.documents.values(), key=lambda d: d.doc_type.value)

    # Biometrics, audit, maintenance ---------------------------------------------------------

    def put_biometric(self, citizen: str, kind: BiometricKind, data: bytes, *, actor: str | None = None,
                      purpose: str = "remote verification") -> BiometricRef:
        return self.biometrics.put(self.citizen_key(citizen), kind, data, actor=actor or self.actor,
                                   purpose=purpose)

    def get_biometric(self, citizen: str, ref: BiometricRef, *, actor: str | None = None,
                      purpose: str = "remote verification") -> bytes:
        return self.biometrics.get(self.citizen_key(citizen), ref, actor=actor or self.actor, purpose=purpose)

    def record_verification(self, citizen: str, verification: VerificationRecord, *,
                            actor: str | None = None, purpose: str = "remote verification") -> list[BiometricRef]:
        return self.biometrics.record_verification(self.citizen_key(citizen), verification,
                                                   actor=actor or self.actor, purpose=purpose)

    def audit_entries(self, citizen: str, *, actor: str | None = None,
                      purpose: str = "audit review") -> list[AuditEntry]:
        ck = self.citizen_key(citizen)
        self._audit(ck, AuditAction.AUDIT_READ, [f"audit/{ck}/"], actor, purpose)
        return self.audit_log.entries(ck)

    def rotate_keys(self, *, actor: str | None = None) -> tuple[int, int]:
        """Re-wrap every data key under the active master key (history is not rewritten)."""
        self._audit(SYSTEM_SCOPE, AuditAction.WRITE, ["keys/"], actor, "master key rotation")
        return self.keys.rewrap()

    def readable(self, scope: str) -> bool:
        try:
            self.keys.get(scope)
            return True
        except KeyUnavailableError:
            return False

    def verify(self, *, actor: str | None = None) -> VerifyReport:
        from storage.verify import verify_archive

        return verify_archive(self, actor=actor or self.actor)

    def export(self, citizen: str, out: BinaryIO, *, actor: str | None = None,
               purpose: str = "citizen's right to a copy (PIPL art. 45)") -> ExportManifest:
        from storage.export import export_citizen

        return export_citizen(self, citizen, out, actor=actor or self.actor, purpose=purpose)

    def erase(self, citizen: str, *, actor: str | None = None,
              purpose: str = "erasure (PIPL art. 47)") -> EraseReport:
        from storage.erasure import erase_citizen

        return erase_citizen(self, citizen, actor=actor or self.actor, purpose=purpose)

    def reindex(self, sink: IndexSink, *, actor: str | None = None) -> ReindexSummary:
        from storage.reindex import reindex_archive

        return reindex_archive(self, sink, actor=actor or self.actor)


def open_archive(location: str, keyring: Keyring | None = None, **options) -> Archive:
    """The archive at `location`: a directory (the embedded default), or s3://bucket with the
    endpoint and credentials in `options` (see open_archive_from_settings)."""
    if location.startswith("s3://"):
        from storage.s3 import S3BlobStore, make_client, parse_s3_location

        bucket, prefix = parse_s3_location(location)
        endpoint = options.pop("endpoint")
        client = make_client(endpoint, access_key=options.pop("access_key", None),
                             secret_key=options.pop("secret_key", None), secure=options.pop("secure", True),
                             region=options.pop("region", "us-east-1"),
                             cert_check=options.pop("cert_check", True), timeout=options.pop("timeout", 10.0))
        store = S3BlobStore(client, bucket, prefix=prefix, endpoint=endpoint,
                            attempts=options.pop("attempts", 4), backoff=options.pop("backoff", 0.2),
                            object_lock=options.pop("object_lock", False))
    else:
        from storage.local import LocalBlobStore

        store = LocalBlobStore(location)
    return Archive(store, keyring, **options)


def open_archive_from_settings(settings, *, actor: str = "onewindow") -> Archive:
    """The archive the configuration describes (ONEWINDOW_ARCHIVE and friends)."""
    from storage.errors import StorageError

    keyring = Keyring.from_settings(settings)
    if settings.uses_development_secrets:
        log.info("archive %s uses the built-in development keys: not for real personal data", settings.archive)
    common = {"actor": actor, "audit_lock_days": settings.audit_lock_days,
              "biometric_raw_retention_days": settings.biometric_raw_retention_days}
    if not settings.archive.startswith("s3://"):
        return open_archive(settings.archive, keyring, **common)
    if not settings.s3_endpoint:
        raise StorageError(f"ONEWINDOW_ARCHIVE={settings.archive} needs ONEWINDOW_S3_ENDPOINT (host:port)")
    secret = settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None
    return open_archive(settings.archive, keyring, endpoint=settings.s3_endpoint,
                        access_key=settings.s3_access_key, secret_key=secret, secure=settings.s3_secure,
                        region=settings.s3_region, cert_check=settings.s3_cert_check,
                        timeout=settings.s3_timeout, attempts=settings.s3_attempts,
                        backoff=settings.s3_backoff, object_lock=settings.s3_object_lock, **common)
