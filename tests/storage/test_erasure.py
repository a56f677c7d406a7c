"""Erasure: one citizen's data becomes unreadable, everyone else's stays, the report says what went."""

import pytest

from schemas.archive import BiometricKind
from schemas.submission import Decision, SubmissionResult, Upload
from storage.errors import KeyUnavailableError, NotFoundError, StorageError

CITIZEN = "130634196203070017"
OTHER = "110101199003077578"


def submit(archive, who, sid, payload):
    sha = archive.put_upload(payload, citizen=who)
    archive.save_submission(SubmissionResult(
        submission_id=sid, service="retirement", service_name="退休", decision=Decision.ACCEPTED,
        applicant=who, submitted_on="2026-11-28", received_at="2026-11-28T12:00:00Z",
        uploads=[Upload(file="a.jpg", sha256=sha, size=len(payload))]))
    return sha


def test_erase_removes_one_citizen_and_says_what(archive):
    mine = submit(archive, CITIZEN, "20261128T120000-aaaaaaaa", b"my photo")
    theirs = submit(archive, OTHER, "20261128T120001-bbbbbbbb", b"their photo")
    archive.put_biometric(CITIZEN, BiometricKind.TEMPLATE, b"face")
    ck = archive.citizen_key(CITIZEN)
    old_event_keys = archive.history_store.event_keys(ck)
    sealed = archive.store.get(archive.upload_key(mine, ck))

    report = archive.erase(CITIZEN)

    assert report.removed == {"events": 5, "uploads": 1, "submissions": 1, "biometrics": 1, "keys": 2}
    assert report.keys_destroyed == [ck, f"{ck}.bio"]
    with pytest.raises(NotFoundError):
        archive.get_upload(mine, citizen=CITIZEN)
    with pytest.raises(NotFoundError):
        archive.load_submission("20261128T120000-aaaaaaaa")
    assert archive.current_state(CITIZEN).events == 0
    # A copy kept elsewhere (an old version, a backup) no longer opens.
    archive.store.put(archive.upload_key(mine, ck), sealed)
    with pytest.raises(KeyUnavailableError):
        archive.get_upload(mine, citizen=CITIZEN)
    # The other citizen is untouched; the erasure itself is on the audit log.
    assert archive.get_upload(theirs, citizen=OTHER) == b"their photo"
    assert archive.load_submission("20261128T120001-bbbbbbbb").applicant == OTHER
    assert "erase" in [e.action.value for e in archive.audit_log.entries(ck)]
    assert old_event_keys and not archive.history_store.event_keys(ck)
    # The citizen may come back: a new key, and the audit chain carries on unbroken.
    submit(archive, CITIZEN, "20261201T090000-cccccccc", b"new photo")
    assert archive.audit_log.check(ck)[1] == []
    assert len(archive.current_state(CITIZEN).submissions) == 1


def test_erasure_on_a_versioned_bucket_removes_old_versions_too(s3_server, keyring):
    from storage.archive import Archive

    store = s3_server.store()
    assert store.versioned
    archive = Archive(store, keyring)
    submit(archive, CITIZEN, "20261128T120000-aaaaaaaa", b"v1")
    ck = archive.citizen_key(CITIZEN)
    archive.erase(CITIZEN)
    left = [o.object_name for o in store.client.list_objects(store.bucket, recursive=True, include_version=True)
            if ck in o.object_name and not o.object_name.startswith(("audit/", "erased/"))]
    assert left == []
    with pytest.raises(StorageError):
        archive.keys.get(ck)
