"""Dual-track: reviewer decisions filed in the archive beside the machine's, on real `process`
runs of photographed specimens, and the agreement report computed from the archive alone."""

from __future__ import annotations

import random
from datetime import date

import pytest

from pipeline.dualtrack import NoHistoryError, agreement, record_reviewer_decision
from pipeline.process import process_submission
from schemas.archive import EventKind, ReviewerDecision
from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.errors import InputError
from schemas.findings import FindingCode
from schemas.submission import Decision
from specimens.faces import FacePool
from specimens.generate import encode, specimen_images
from specimens.people import make_person
from storage.archive import open_archive
from storage.reindex import CountingSink

TODAY = date(2026, 11, 28)
FRONT, BACK, BANK = DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD
NOTE = "申请人王秀英来电说明情况"


def _files(person, doc_types, seed):
    images = specimen_images(person, doc_types, 0, random.Random(seed))
    return [(f"{t.value}{ext}", data) for t, (data, ext) in
            ((t, encode(photo, info)) for t, (photo, info) in images.items())]


@pytest.fixture(scope="module")
def runs(reader, settings, tmp_path_factory):
    """Four bank account changes on one archive: two complete (accepted), two without the new
    bank card (flagged, missing_document)."""
    faces = FacePool(settings.faces_dir)
    archive = open_archive(str(tmp_path_factory.mktemp("dualtrack") / "archive"))
    service = default_catalog().get("bank_account_change")
    results = []
    for seed, docs in [(41, (FRONT, BACK, BANK)), (42, (FRONT, BACK)), (43, (FRONT, BACK)), (44, (FRONT, BACK, BANK))]:
        person = make_person(random.Random(seed), faces=faces, birth_date="1961-03-15", valid_from="2020-06-01")
        results.append(process_submission(_files(person, docs, seed), service, person.id_number, archive, reader,
                                          TODAY))
    assert [r.decision for r in results] == [Decision.ACCEPTED, Decision.FLAGGED, Decision.FLAGGED,
                                             Decision.ACCEPTED], [r.findings for r in results]
    assert [f.code for f in results[1].blockers] == [FindingCode.MISSING_DOCUMENT]
    return archive, results


def test_agreement_per_service_and_finding_code(runs):
    archive, (ok, missing, missing_too, ok_too) = runs
    assert agreement(archive).overall.reviewed == 0
    record_reviewer_decision(archive, ok.submission_id, "rejected", reviewer="rita")  # corrected below
    record_reviewer_decision(archive, ok.submission_id, "approved", reviewer="rita", note=NOTE)
    record_reviewer_decision(archive, missing.submission_id, "requested_item", reviewer="rita",
                             requested_item="new_bank_card")
    record_reviewer_decision(archive, missing_too.submission_id, ReviewerDecision.APPROVED, reviewer="ruth",
                             disagreed_codes=["missing_document"])
    record_reviewer_decision(archive, ok_too.submission_id, "rejected", reviewer="ruth")

    report = agreement(archive)
    t = report.services["bank_account_change"]
    assert (t.reviewed, t.agree, t.both_accepted, t.both_flagged, t.false_alarms, t.misses) == (4, 2, 1, 1, 1, 1)
    assert t.rate == 0.5 and report.overall == t
    code = report.codes["missing_document"]
    assert (code.flagged, code.agree, code.false_alarms) == (2, 1, 1)
    assert set(report.codes) == {"missing_document"}
    assert agreement(archive, "retirement").overall.reviewed == 0
    as_json = report.as_json()
    assert as_json["services"]["bank_account_change"]["rate"] == 0.5

    # The history carries the decision (the latest one), the note sealed like every event.
    state = archive.current_state(ok.applicant, actor="test")
    (summary,) = [s for s in state.submissions if s.submission_id == ok.submission_id]
    assert summary.decision is Decision.ACCEPTED and summary.reviewer_decision is ReviewerDecision.APPROVED
    events = [e for e in archive.history(ok.applicant, actor="test") if e.kind is EventKind.REVIEW_DECISION]
    assert len(events) == 2 and {e.review.revision for e in events} == {"0"}
    noted = next(e for e in events if e.review.note)
    assert noted.review.note == NOTE and noted.review.machine_decision is Decision.ACCEPTED
    raw = archive.store.get(archive.history_store.event_key(noted))
    assert NOTE.encode() not in raw and "王秀英".encode() not in raw

    # Every tool that walks the archive takes the new event in its stride.
    assert archive.verify(actor="test").ok
    sink = CountingSink(keep=True)
    summary = archive.reindex(sink, actor="test")
    assert summary.unreadable == 0 and summary.submissions == 4 and summary.citizens == 4


def test_bad_reviews_are_refused_with_a_reason(runs, reader, tmp_path):
    archive, (ok, missing, _, _) = runs
    with pytest.raises(InputError, match="raised no expired_document"):
        record_reviewer_decision(archive, missing.submission_id, "approved", reviewer="rita",
                                 disagreed_codes=["expired_document"])
    with pytest.raises(InputError, match="no material 'passport'"):
        record_reviewer_decision(archive, missing.submission_id, "requested_item", reviewer="rita",
                                 requested_item="passport")
    with pytest.raises(InputError, match="only with the decision requested_item"):
        record_reviewer_decision(archive, missing.submission_id, "approved", reviewer="rita",
                                 requested_item="new_bank_card")
    with pytest.raises(InputError):
        record_reviewer_decision(archive, missing.submission_id, "maybe", reviewer="rita")
    with pytest.raises(InputError):
        agreement(archive, "no_such_service")
    anonymous = process_submission(_files(make_person(random.Random(45)), (BANK,), 45),
                                   default_catalog().get("bank_account_change"), None, archive, reader, TODAY)
    with pytest.raises(NoHistoryError):
        record_reviewer_decision(archive, anonymous.submission_id, "rejected", reviewer="rita")
