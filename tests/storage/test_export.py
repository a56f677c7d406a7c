import hashlib
import io
import json
import zipfile

from schemas.submission import Decision, SubmissionResult, Upload

CITIZEN = "130634196203070017"


def test_export_is_a_zip_with_everything_and_a_manifest(archive):
    sha = archive.put_upload(b"\xff\xd8 jpeg bytes", citizen=CITIZEN)
    archive.save_submission(SubmissionResult(
        submission_id="20261128T120000-aaaaaaaa", service="retirement", service_name="退休",
        decision=Decision.ACCEPTED, applicant=CITIZEN, submitted_on="2026-11-28",
        received_at="2026-11-28T12:00:00Z", uploads=[Upload(file="front.jpg", sha256=sha, size=13)]))
    buffer = io.BytesIO()
    manifest = archive.export(CITIZEN, buffer)
    with zipfile.ZipFile(buffer) as zf:
        names = set(zf.namelist())
        listed = json.loads(zf.read("manifest.json"))
        for entry in listed["files"]:
            assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
        assert zf.read(f"documents/{sha}.jpg") == b"\xff\xd8 jpeg bytes"
    assert {"manifest.json", "audit.json", "submissions/20261128T120000-aaaaaaaa.json"} <= names
    assert manifest.events == 4 and manifest.submissions == 1
    assert len([n for n in names if n.startswith("history/")]) == 4
