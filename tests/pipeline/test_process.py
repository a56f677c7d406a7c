"""A whole application through the real stages: photographed specimens, the real OCR, the
local archive. Each defect a citizen can make ends in exactly its finding; a complete
application is accepted with nothing to fix; and nothing handed in is lost."""

from __future__ import annotations

import random
from datetime import date

import pytest

from pipeline.process import process_submission
from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.findings import FindingCode, Severity
from schemas.submission import Decision
from specimens.faces import FacePool
from specimens.generate import encode, specimen_images
from specimens.people import corrupt_id_number, make_person
from storage.archive import open_archive

TODAY = date(2026, 11, 28)
SERVICE = default_catalog().get("bank_account_change")
ALL = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)


def photos(person, doc_types=ALL, seed=1, difficulty=0) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    files = []
    for doc_type, (photo, info) in specimen_images(person, doc_types, difficulty, rng).items():
        data, ext = encode(photo, info)
        files.append((f"{doc_type.value}{ext}", data))
    return files


@pytest.fixture(scope="module")
def faces(settings):
    return FacePool(settings.faces_dir)


@pytest.fixture
def archive(tmp_path):
    return open_archive(str(tmp_path / "archive"))


def person(faces, seed, **overrides):
    overrides.setdefault("valid_from", "2020-06-01")
    overrides.setdefault("birth_date", "1961-03-15")
    return make_person(random.Random(seed), faces=faces, **overrides)


def blockers(result):
    return sorted((f.code, f.document_type, f.field) for f in result.findings if f.severity is Severity.BLOCKER)


def test_a_complete_valid_application_is_accepted_with_no_findings(reader, archive, faces):
    citizen = person(faces, 1)
    result = process_submission(photos(citizen), SERVICE, citizen.id_number, archive, reader, TODAY)
    assert result.decision is Decision.ACCEPTED, result.findings
    assert blockers(result) == []
    assert {d.doc_type for d in result.documents} == set(ALL)


def test_every_upload_is_archived_and_the_history_records_the_submission(reader, archive, faces):
    citizen = person(faces, 2)
    files = photos(citizen)
    result = process_submission(files, SERVICE, citizen.id_number, archive, reader, TODAY)
    for upload, (_, data) in zip(result.uploads, files):
        assert archive.get_upload(upload.sha256, citizen=citizen.id_number, actor="test") == data
    assert archive.load_submission(result.submission_id, actor="test").decision is result.decision
    kinds = [event.kind.value for event in archive.history(citizen.id_number, actor="test")]
    assert kinds[0] == "submission_received" and "decision" in kinds
    on_record = {d.doc_type for d in archive.documents_on_record(citizen.id_number, actor="test")}
    assert on_record == set(ALL)


def test_an_expired_id_card_is_flagged_on_its_valid_until_field(reader, archive, faces):
    citizen = person(faces, 3, birth_date="1975-07-09", valid_from="2005-03-01")
    assert citizen.valid_until == "2025-03-01"
    result = process_submission(photos(citizen), SERVICE, citizen.id_number, archive, reader, TODAY)
    assert result.decision is Decision.FLAGGED
    assert blockers(result) == [(FindingCode.EXPIRED_DOCUMENT, DocType.ID_CARD_BACK, "valid_until")]
    finding = next(f for f in result.findings if f.code is FindingCode.EXPIRED_DOCUMENT)
    assert "2025-03-01" in finding.message and finding.region is not None


def test_a_missing_bank_card_is_the_only_gap(reader, archive, faces):
    citizen = person(faces, 4)
    files = photos(citizen, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK))
    result = process_submission(files, SERVICE, citizen.id_number, archive, reader, TODAY)
    assert blockers(result) == [(FindingCode.MISSING_DOCUMENT, None, None)]
    assert "银行卡" in result.findings[0].message


def test_an_id_number_with_a_wrong_check_digit_is_invalid(reader, archive, faces):
    citizen = person(faces, 5)
    bad = corrupt_id_number(citizen.id_number, random.Random(5))
    forged = person(faces, 5, id_number=bad)
    result = process_submission(photos(forged), SERVICE, None, archive, reader, TODAY)
    assert (FindingCode.INVALID_FIELD, DocType.ID_CARD_FRONT, "id_number") in blockers(result)


def test_an_id_card_of_someone_else_is_inconsistent_with_the_applicant(reader, archive, faces):
    citizen, other = person(faces, 6), person(faces, 7)
    result = process_submission(photos(other), SERVICE, citizen.id_number, archive, reader, TODAY)
    assert (FindingCode.INCONSISTENT_FIELD, DocType.ID_CARD_FRONT, "id_number") in blockers(result)


def test_a_file_that_is_not_an_image_is_unreadable_and_still_archived(reader, archive, faces):
    citizen = person(faces, 8)
    files = photos(citizen) + [("scan.jpg", "这不是图片".encode())]
    result = process_submission(files, SERVICE, citizen.id_number, archive, reader, TODAY)
    unreadable = [f for f in result.findings if f.code is FindingCode.UNREADABLE_DOCUMENT]
    assert [f.file for f in unreadable] == ["scan.jpg"]
    assert result.uploads[-1].error and archive.get_upload(result.uploads[-1].sha256, citizen=citizen.id_number,
                                                           actor="test") == files[-1][1]
