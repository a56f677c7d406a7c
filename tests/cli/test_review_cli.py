"""`onewindow review` and `onewindow report agreement` as a reviewer and an admin run them, on
applications pre-reviewed by `onewindow process` from photographed specimens."""

from __future__ import annotations

import json
import random

import pytest

from schemas.documents import DocType
from specimens.faces import FacePool
from specimens.generate import encode, specimen_images
from specimens.people import make_person
from tests.cli.test_documents_cli import onewindow

FRONT, BACK, BANK = DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD


def _write(folder, person, doc_types, seed):
    paths = []
    for doc_type, (photo, info) in specimen_images(person, doc_types, 0, random.Random(seed)).items():
        data, ext = encode(photo, info)
        path = folder / f"{seed}-{doc_type.value}{ext}"
        path.write_bytes(data)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def processed(settings, tmp_path_factory):
    """One complete bank account change (accepted) and one without the bank card (flagged)."""
    folder = tmp_path_factory.mktemp("review-cli")
    faces = FacePool(settings.faces_dir)
    ids = []
    for seed, docs in [(51, (FRONT, BACK, BANK)), (52, (FRONT, BACK))]:
        person = make_person(random.Random(seed), faces=faces, birth_date="1970-04-02", valid_from="2021-06-01")
        done = onewindow("process", *_write(folder, person, docs, seed), "--service", "bank_account_change",
                         "--applicant", person.id_number, "--date", "2026-11-28", "--json", cwd=folder)
        assert done.returncode == 0, done.stderr
        ids.append(json.loads(done.stdout)["submission_id"])
    return folder, ids


def test_review_then_report_agreement(processed):
    folder, (accepted, flagged) = processed
    done = onewindow("review", accepted, "--decision", "approved", "--reviewer", "rita", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "machine accepted" in done.stdout and "agree" in done.stdout
    done = onewindow("review", flagged, "--decision", "approved", "--reviewer", "rita",
                     "--disagree", "missing_document", "--note", "银行卡号已电话核实", "--json", cwd=folder)
    assert done.returncode == 0, done.stderr
    recorded = json.loads(done.stdout)
    assert recorded["machine_decision"] == "flagged" and recorded["machine_codes"] == ["missing_document"]
    assert recorded["decision"] == "approved" and recorded["disagreed_codes"] == ["missing_document"]

    done = onewindow("report", "agreement", "--json", cwd=folder)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    service = report["services"]["bank_account_change"]
    assert (service["reviewed"], service["agree"], service["false_alarms"], service["rate"]) == (2, 1, 1, 0.5)
    assert report["codes"]["missing_document"] == {"flagged": 1, "agree": 0, "false_alarms": 1, "rate": 0.0}

    done = onewindow("report", "agreement", "--service", "bank_account_change", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "bank_account_change" in done.stdout and "50.0%" in done.stdout and "missing_document" in done.stdout
    done = onewindow("report", "agreement", "--service", "retirement", cwd=folder)
    assert done.returncode == 0 and "No reviewer decisions" in done.stdout

    done = onewindow("archive", "verify", "--json", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["problems"] == []


@pytest.mark.parametrize("args, words", [
    (["20990101T000000-deadbeef", "--decision", "approved"], "no submission 20990101T000000-deadbeef"),
    (["{flagged}", "--decision", "approved", "--disagree", "expired_document"], "raised no expired_document"),
    (["{flagged}", "--decision", "rejected", "--item", "new_bank_card"], "only with the decision requested_item"),
    (["{flagged}", "--decision", "maybe"], "invalid choice"),
])
def test_bad_review_is_one_clear_error(processed, args, words):
    folder, (_, flagged) = processed
    done = onewindow("review", *(a.format(flagged=flagged) for a in args), cwd=folder)
    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    assert words in done.stderr
