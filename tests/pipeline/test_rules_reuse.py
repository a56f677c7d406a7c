"""Collect once, share many: a document already on the citizen's record stands in for one not
uploaded again — when it is theirs, valid and unexpired on the new date — and the result says
which earlier submission it came from."""

from __future__ import annotations

import random
from datetime import date

import pytest

from pipeline.check import pre_review
from pipeline.process import process_submission
from schemas.archive import RecordedDocument
from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.findings import FindingCode
from schemas.submission import Decision
from specimens.faces import FacePool
from specimens.generate import encode, specimen_images
from specimens.people import make_person
from storage.archive import open_archive
from tests.pipeline.rule_kit import APPLICANT, TODAY, id_back, id_front, ssc

def recorded(doc, submission_id="20251001T080000-aaaaaaaa") -> RecordedDocument:
    from datetime import datetime, timezone

    return RecordedDocument(doc_type=doc.doc_type, submission_id=submission_id, sha256="0" * 64,
                            read_at=datetime(2025, 10, 1, tzinfo=timezone.utc), fields=dict(doc.fields))


def review(documents, on_record, applicant=APPLICANT, service="retirement"):
    return pre_review(default_catalog().get(service), documents, applicant, TODAY, on_record)


def test_valid_id_card_on_record_is_reused_and_says_where_from():
    result = review([ssc()], [recorded(id_front()), recorded(id_back())])
    assert result.findings == []
    assert {d.doc_type for d in result.reused} == {DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK}
    assert {d.reused_from for d in result.reused} == {"20251001T080000-aaaaaaaa"}
    assert all(d.file.startswith("档案:20251001T080000-aaaaaaaa") for d in result.reused)


def test_expired_id_card_on_record_is_asked_for_again():
    result = review([ssc()], [recorded(id_front()), recorded(id_back("2026-11-01"))])
    assert [f.code for f in result.findings] == [FindingCode.MISSING_DOCUMENT]
    assert "国徽面" in result.findings[0].message
    assert [d.doc_type for d in result.reused] == [DocType.ID_CARD_FRONT]


def test_materials_that_must_be_new_are_not_reused():
    # a bank account change needs the new card, never the one on record
    from tests.pipeline.rule_kit import bank_card

    result = review([id_front(), id_back()], [recorded(bank_card())], service="bank_account_change")
    assert [f.code for f in result.findings] == [FindingCode.MISSING_DOCUMENT]
    assert result.reused == []


def test_uploaded_documents_win_over_the_record():
    result = review([id_front(), id_back(), ssc()], [recorded(id_front()), recorded(id_back())])
    assert result.findings == [] and result.reused == []


@pytest.fixture(scope="module")
def faces(settings):
    return FacePool(settings.faces_dir)


def test_two_process_runs_on_one_archive(reader, faces, tmp_path):
    """First a bank account change with the ID card; a month later a retirement application
    with only the social security card: the ID card on record is reused, not asked again."""
    archive = open_archive(str(tmp_path / "archive"))
    citizen = make_person(random.Random(7), faces=faces, birth_date="1961-03-15", valid_from="2020-06-01")
    rng = random.Random(7)
    images = specimen_images(citizen, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD,
                                       DocType.SOCIAL_SECURITY_CARD), 0, rng)
    files = {t: (f"{t.value}{ext}", data) for t, (data, ext) in
             ((t, encode(photo, info)) for t, (photo, info) in images.items())}
    catalog = default_catalog()

    first = process_submission([files[DocType.ID_CARD_FRONT], files[DocType.ID_CARD_BACK], files[DocType.BANK_CARD]],
                               catalog.get("bank_account_change"), citizen.id_number, archive, reader,
                               date(2026, 10, 28))
    assert first.decision is Decision.ACCEPTED, first.findings

    second = process_submission([files[DocType.SOCIAL_SECURITY_CARD]], catalog.get("retirement"),
                                citizen.id_number, archive, reader, TODAY)
    assert second.decision is Decision.ACCEPTED, second.findings
    reused = {d.doc_type: d for d in second.documents if d.reused_from}
    assert set(reused) == {DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK}
    assert {d.reused_from for d in reused.values()} == {first.submission_id}
    assert reused[DocType.ID_CARD_FRONT].fields["id_number"] == citizen.id_number
    stored = archive.load_submission(second.submission_id, actor="test")
    assert {d.reused_from for d in stored.documents if d.reused_from} == {first.submission_id}
