"""The page-like documents the services need — household register, death certificate,
marriage certificate, labour-contract termination certificate — rendered as photographed
pages with their truth, read by the real OCR: the type is recognised and the fields come out
as DESIGN.md names and normalizes them. Then two applications that need them end to end."""

from __future__ import annotations

import random
from datetime import date

import pytest

from pipeline.process import process_submission
from schemas.catalog import default_catalog
from schemas.documents import DOC_FIELDS, DocType
from schemas.submission import Decision
from specimens.certificates import PAGE_RENDERERS, spouse_of
from specimens.faces import FacePool
from specimens.generate import document_fields, encode, specimen_images
from specimens.people import make_person
from storage.archive import open_archive

TODAY = date(2026, 11, 28)
PAGES = tuple(PAGE_RENDERERS)
CASES = [(0, 0), (1, 1), (2, 0), (3, 1)]
"""(person seed, difficulty): scans and ordinary phone photos."""


@pytest.fixture(scope="module")
def page_readings(reader):
    """Each page type of four people, read once: [(doc_type, difficulty, truth, reading)]."""
    out = []
    for seed, difficulty in CASES:
        person = make_person(random.Random(seed))
        for doc_type, (photo, info) in specimen_images(person, PAGES, difficulty, random.Random(seed)).items():
            data, ext = encode(photo, info)
            (reading,) = reader.read_upload(data, f"{seed}-{doc_type.value}{ext}")
            out.append((doc_type, difficulty, document_fields(doc_type, person), reading))
    return out


def test_truth_names_the_canonical_fields():
    person = make_person(random.Random(5))
    for doc_type in PAGES:
        assert set(document_fields(doc_type, person)) == set(DOC_FIELDS[doc_type])
    marriage = document_fields(DocType.MARRIAGE_CERTIFICATE, person)
    assert marriage["spouse_id_number"] == spouse_of(person).id_number != person.id_number


def test_every_page_is_classified_as_its_type(page_readings):
    wrong = [(t.value, r.doc_type.value) for t, _, _, r in page_readings if r.doc_type is not t]
    assert wrong == []


def test_fields_read_exactly(page_readings):
    total = sum(len(truth) for _, _, truth, _ in page_readings)
    misses = [(t.value, k, r.fields.get(k), v) for t, _, truth, r in page_readings
              for k, v in truth.items() if r.fields.get(k) != v]
    assert len(misses) <= total * 0.05, misses
    scans = [(t, truth, r) for t, d, truth, r in page_readings if d == 0]
    assert all(r.fields == truth for _, truth, r in scans), [(t.value, r.fields, truth) for t, truth, r in scans
                                                             if r.fields != truth]


def test_read_fields_validate_and_carry_their_region(page_readings):
    for doc_type, _, truth, reading in page_readings:
        read_right = [k for k, v in truth.items() if reading.fields.get(k) == v]
        assert not any(k in reading.field_issues for k in read_right), (doc_type, reading.field_issues)
        assert all(k in reading.regions for k in read_right)


@pytest.fixture(scope="module")
def faces(settings):
    return FacePool(settings.faces_dir)


def _files(person, doc_types, seed):
    images = specimen_images(person, doc_types, 1, random.Random(seed))
    return [(f"{t.value}{ext}", data) for t, (data, ext) in
            ((t, encode(photo, info)) for t, (photo, info) in images.items())]


def test_survivor_benefits_end_to_end(reader, faces, tmp_path):
    """A widow applies: her ID card and bank card, their marriage certificate, his death
    certificate. Accepted; with the wrong insured named, exactly one inconsistency."""
    applicant = make_person(random.Random(11), faces=faces, birth_date="1961-03-15", valid_from="2020-06-01")
    deceased = spouse_of(applicant)
    files = (_files(applicant, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD,
                                DocType.MARRIAGE_CERTIFICATE), 11)
             + _files(deceased, (DocType.DEATH_CERTIFICATE,), 12))
    archive = open_archive(str(tmp_path / "archive"))
    result = process_submission(files, default_catalog().get("survivor_benefits"), applicant.id_number,
                                archive, reader, TODAY)
    assert result.decision is Decision.ACCEPTED, result.findings
    assert result.findings == []
    death = next(d for d in result.documents if d.doc_type is DocType.DEATH_CERTIFICATE)
    assert death.fields["id_number"] == deceased.id_number


def test_unemployment_benefit_claim_end_to_end(reader, faces, tmp_path):
    person = make_person(random.Random(21), faces=faces, birth_date="1975-07-09", valid_from="2021-06-01")
    files = _files(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.LABOR_CONTRACT_TERMINATION,
                            DocType.BANK_CARD), 21)
    archive = open_archive(str(tmp_path / "archive"))
    result = process_submission(files, default_catalog().get("unemployment_benefit_claim"), person.id_number,
                                archive, reader, TODAY)
    assert result.decision is Decision.ACCEPTED, result.findings
    assert result.findings == []
