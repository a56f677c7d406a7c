"""The archive contract, on both backends: content addressing, encryption, layout, records."""

import hashlib
import os
from datetime import date, datetime, timezone

import pytest

from schemas.archive import EventKind
from schemas.documents import DocType, DocumentReading, Quality
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, SubmissionResult, Upload
from storage.archive import Archive
from storage.crypto import Keyring, seal
from storage.errors import CorruptedError, KeyUnavailableError, NotFoundError, StorageError

CITIZEN = "130634196203070017"
OTHER = "110101199003077578"

PHOTO = os.urandom(4096)


def make_result(archive, sha, applicant=CITIZEN, submission_id="20261128T120830-5f0c9a1e"):
    reading = DocumentReading(file="front.jpg", doc_type=DocType.ID_CARD_FRONT, confidence=0.9,
                              fields={"name": "张三", "id_number": applicant or ""}, quality=Quality(ok=True))
    return SubmissionResult(
        submission_id=submission_id, service="retirement", service_name="退休", decision=Decision.FLAGGED,
        applicant=applicant, submitted_on=date(2026, 11, 28), received_at=datetime.now(timezone.utc),
        documents=[reading], uploads=[Upload(file="front.jpg", sha256=sha, size=len(PHOTO))],
        findings=[Finding(code=FindingCode.MISSING_DOCUMENT, severity=Severity.BLOCKER, message="缺少户口簿")])


def all_bytes(store):
    return {key: store.get(key) for key in store.list()}


def test_the_same_photo_twice_is_stored_once(archive):
    first = archive.put_upload(PHOTO, citizen=CITIZEN)
    second = archive.put_upload(PHOTO, citizen=CITIZEN)
    assert first == second
    assert len([k for k in archive.store.list("uploads/")]) == 1
    assert archive.get_upload(first) == PHOTO
    assert archive.get_upload(first, citizen=CITIZEN) == PHOTO


def test_uploads_without_a_citizen_still_work_as_before(archive):
    sha = archive.put_upload(b"no applicant")
    assert archive.get_upload(sha) == b"no applicant"
    assert archive.get_upload(sha, citizen=CITIZEN) == b"no applicant"  # found under the system scope
    with pytest.raises(NotFoundError):
        archive.get_upload("0" * 64)


def test_receive_stores_files_then_records_them_in_one_audited_step(archive):
    uploads = archive.receive("20261128T120830-5f0c9a1e", "retirement", [("a.jpg", PHOTO), ("b.jpg", b"b")],
                              citizen=CITIZEN, actor="window-3")
    assert [u.size for u in uploads] == [len(PHOTO), 1]
    assert archive.get_uploads([u.sha256 for u in uploads], citizen=CITIZEN) == [PHOTO, b"b"]
    (event,) = archive.history(CITIZEN)
    assert event.kind.value == "submission_received" and event.uploads == uploads
    entries = archive.audit_log.entries(archive.citizen_key(CITIZEN))
    assert [(e.action.value, len(e.objects)) for e in entries[:2]] == [("write", 3), ("read", 2)]
    # Receiving the same submission again (a retry) records nothing twice.
    archive.receive("20261128T120830-5f0c9a1e", "retirement", [("a.jpg", PHOTO), ("b.jpg", b"b")], citizen=CITIZEN)
    assert len(archive.history_store.event_keys(archive.citizen_key(CITIZEN))) == 1
    assert len(list(archive.store.list("uploads/"))) == 2


def test_nothing_personal_in_keys_or_bytes_at_rest(archive):
    sha = archive.put_upload(PHOTO, citizen=CITIZEN)
    archive.save_submission(make_result(archive, sha))
    objects = all_bytes(archive.store)
    for key, data in objects.items():
        assert CITIZEN[6:14] not in key, "an object key carries the birth date part of an ID number"
        assert CITIZEN.encode() not in data, f"{key} holds the ID number in clear"
        assert "张三".encode() not in data, f"{key} holds a name in clear"
    assert PHOTO not in b"".join(objects.values())


def test_a_changed_upload_is_reported_not_returned(archive):
    sha = archive.put_upload(PHOTO, citizen=CITIZEN)
    key = archive.upload_key(sha, archive.citizen_key(CITIZEN))
    raw = archive.store.get(key)
    archive.store.put(key, raw[:-3] + b"xyz")
    with pytest.raises(CorruptedError):
        archive.get_upload(sha, citizen=CITIZEN)


def test_submission_records_round_trip_and_list(archive):
    sha = archive.put_upload(PHOTO, citizen=CITIZEN)
    result = make_result(archive, sha)
    archive.save_submission(result)
    archive.save_submission(make_result(archive, sha, applicant=None, submission_id="20261128T120900-00aa11bb"))
    assert sorted(archive.submission_ids()) == ["20261128T120830-5f0c9a1e", "20261128T120900-00aa11bb"]
    assert archive.load_submission(result.submission_id) == result


def test_skeleton_records_in_clear_are_still_read(archive):
    """Archives written before encryption: plaintext blobs and JSON records stay readable."""
    sha = __import__("hashlib").sha256(b"old").hexdigest()
    archive.store.put(archive.legacy_upload_key(sha), b"old")
    result = make_result(archive, sha, submission_id="20250101T000000-0badc0de")
    archive.store.put("submissions/20250101T000000-0badc0de.json", result.model_dump_json().encode())
    assert archive.get_upload(sha) == b"old"
    assert archive.load_submission("20250101T000000-0badc0de") == result


def test_history_gives_state_and_documents_for_reuse(archive):
    sha = archive.put_upload(PHOTO, citizen=CITIZEN)
    result = make_result(archive, sha)
    archive.record_received(CITIZEN, result.submission_id, "retirement", result.uploads)
    archive.record_documents_read(CITIZEN, result.submission_id, result.documents)
    archive.record_outcome(CITIZEN, result.submission_id, result.findings, result.decision)
    archive.save_submission(result)  # the same events again: not written twice
    events = archive.history(CITIZEN)
    assert [e.kind.value for e in events] == ["submission_received", "documents_read", "findings", "decision"]
    state = archive.current_state(CITIZEN)
    assert state.submissions[0].decision is Decision.FLAGGED
    assert state.submissions[0].finding_codes == [FindingCode.MISSING_DOCUMENT]
    (doc,) = archive.documents_on_record(CITIZEN)
    assert doc.doc_type is DocType.ID_CARD_FRONT and doc.sha256 == sha and doc.fields["name"] == "张三"
    assert archive.current_state(OTHER).submissions == []


def test_without_an_applicant_there_is_no_history_to_record(archive):
    uploads = archive.receive("20261128T120830-5f0c9a1e", "retirement", [("a.pdf", b"%PDF-1.7")],
                              media_type_of=lambda data: "application/pdf" if data.startswith(b"%PDF") else None)
    assert uploads[0].media_type == "application/pdf"
    assert archive.record_documents_read(None, "20261128T120830-5f0c9a1e", []) is None
    assert archive.record_outcome(None, "20261128T120830-5f0c9a1e", [], Decision.ACCEPTED) == []
    assert archive.history_store.citizens() == []


def test_a_rerun_with_a_new_revision_appends(archive):
    sha = archive.put_upload(PHOTO, citizen=CITIZEN)
    result = make_result(archive, sha)
    archive.save_submission(result)
    result.decision = Decision.ACCEPTED
    archive.save_submission(result, revision="r2")
    assert len(archive.history(CITIZEN)) == 8
    assert archive.current_state(CITIZEN).submissions[0].decision is Decision.ACCEPTED


def test_key_rotation_rewraps_data_keys_without_rewriting_history(archive, keyring):
    sha = archive.put_upload(PHOTO, citizen=CITIZEN)
    archive.save_submission(make_result(archive, sha))
    before = {k: v for k, v in all_bytes(archive.store).items() if not k.startswith(("keys/", "audit/"))}
    new_key = os.urandom(32)
    both = Keyring({**keyring.master_keys, "k2": new_key}, "k2", keyring._citizen_secret)
    assert Archive(archive.store, both).rotate_keys() == (1, 0)
    after = all_bytes(archive.store)
    assert all(after[k] == v for k, v in before.items()), "rotation rewrote data objects"
    only_new = Archive(archive.store, Keyring({"k2": new_key}, "k2", keyring._citizen_secret))
    assert only_new.get_upload(sha, citizen=CITIZEN) == PHOTO
    assert only_new.current_state(CITIZEN).submissions
    only_old = Archive(archive.store, keyring)
    with pytest.raises(KeyUnavailableError):
        only_old.get_upload(sha, citizen=CITIZEN)


def test_reads_and_writes_are_audited_with_who_and_why(archive):
    sha = archive.put_upload(PHOTO, citizen=CITIZEN, actor="clerk-7", purpose="intake at window 3")
    archive.get_upload(sha, citizen=CITIZEN, actor="reviewer-2", purpose="review of case")
    entries = archive.audit_log.entries(archive.citizen_key(CITIZEN))
    assert [(e.actor, e.action.value, e.purpose) for e in entries] == [
        ("clerk-7", "write", "intake at window 3"), ("reviewer-2", "read", "review of case")]
    assert entries[1].prev == entries[0].hash


def test_uploads_kept_in_the_earlier_nested_layout_are_read_verified_and_erased(archive):
    """Archives written before 2026-11-30 kept each upload in a folder of its own
    (uploads/<aa>/<sha>/<scope>.enc); new uploads go to uploads/<aa>/<sha>.<scope>.enc."""
    ck = archive.citizen_key(CITIZEN)
    sha = hashlib.sha256(PHOTO).hexdigest()
    nested = archive.nested_upload_key(sha, ck)
    archive.store.put(nested, seal(archive.keys.get(ck, create=True), ck, nested, PHOTO))
    upload = Upload(file="a.jpg", sha256=sha, size=len(PHOTO))
    archive.history_store.append(archive._event(EventKind.SUBMISSION_RECEIVED, ck, "test",
                                                submission_id="20251128T120830-5f0c9a1e", service="retirement",
                                                uploads=[upload], inputs={}))
    fresh = archive.put_upload(b"new photo", citizen=CITIZEN)
    assert archive.upload_key(fresh, ck) in set(archive.store.list("uploads/"))
    assert archive.parse_upload_key(nested) == (sha, ck)
    assert archive.parse_upload_key(archive.upload_key(fresh, ck)) == (fresh, ck)

    assert archive.get_upload(sha) == PHOTO
    assert archive.get_upload(sha, citizen=CITIZEN) == PHOTO
    report = archive.verify()
    assert report.ok, report.problems
    assert report.blobs == 2
    assert archive.erase(CITIZEN).removed["uploads"] == 2
    assert list(archive.store.list("uploads/")) == []


def test_the_audit_entry_is_written_beside_the_uploads_and_before_the_event(archive, monkeypatch):
    """If the entry cannot be written, the uploads may be, but no event names them; a retry
    writes the entry and the event."""
    real, failed = archive.audit_log.append, []

    def fail_once(*args, **kwargs):
        if not failed:
            failed.append(True)
            raise StorageError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(archive.audit_log, "append", fail_once)
    files = [("a.jpg", PHOTO), ("b.jpg", b"b")]
    with pytest.raises(StorageError, match="disk is full"):
        archive.receive("20261128T120830-5f0c9a1e", "retirement", files, citizen=CITIZEN)
    assert archive.history(CITIZEN) == []
    uploads = archive.receive("20261128T120830-5f0c9a1e", "retirement", files, citizen=CITIZEN)
    (event,) = archive.history(CITIZEN)
    assert event.uploads == uploads
    writes = [e for e in archive.audit_log.entries(archive.citizen_key(CITIZEN)) if e.action.value == "write"]
    assert [len(e.objects) for e in writes] == [3]  # the two uploads and the event
