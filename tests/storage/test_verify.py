"""verify: re-hash every upload, re-open every record, walk every chain; report by object key."""

from schemas.submission import Decision, SubmissionResult, Upload

CITIZEN = "130634196203070017"


def fill(archive):
    sha = archive.put_upload(b"photo", citizen=CITIZEN)
    archive.save_submission(SubmissionResult(
        submission_id="20261128T120000-aaaaaaaa", service="retirement", service_name="退休",
        decision=Decision.ACCEPTED, applicant=CITIZEN, submitted_on="2026-11-28",
        received_at="2026-11-28T12:00:00Z", uploads=[Upload(file="a.jpg", sha256=sha, size=5)]))
    return sha


def test_a_sound_archive_verifies_clean(archive):
    fill(archive)
    report = archive.verify()
    assert report.ok, report.problems
    assert (report.blobs, report.events, report.submissions) == (1, 4, 1)


def test_corrupted_missing_and_tampered_objects_are_reported(archive):
    sha = fill(archive)
    ck = archive.citizen_key(CITIZEN)
    upload = archive.upload_key(sha, ck)
    record = archive.submission_key("20261128T120000-aaaaaaaa")
    raw = archive.store.get(record)
    archive.store.put(record, raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:])
    archive.store.delete(upload)
    audit_key = archive.audit_log.key(ck, 1)
    archive.store.delete(audit_key)
    problems = {(p.kind, p.key) for p in archive.verify().problems}
    assert ("corrupted", record) in problems
    assert ("missing", upload) in problems
    assert any(kind == "chain_broken" and key.startswith(f"audit/{ck}/") for kind, key in problems)
    assert all(CITIZEN not in p.detail for p in archive.verify().problems)
