"""`onewindow process --input KEY=VALUE`: what the applicant states besides the documents
reaches the check (a woman's post category sets her retirement age) and stays with the
submission in the archive; an unknown key or a refused value is one clear error line."""

from __future__ import annotations

import json
import random

import pytest

from schemas.documents import DocType
from specimens.faces import FacePool
from specimens.generate import encode, specimen_images
from specimens.people import make_person
from storage.archive import open_archive
from tests.cli.test_documents_cli import onewindow

TODAY = "2026-11-28"


@pytest.fixture(scope="module")
def retiree_files(settings, tmp_path_factory):
    """A woman born 1972-01: in a 50-year post she retired at 50 (2022-01); in a 55-year post
    the 2025 reform puts her at 55 years 7 months (2027-08)."""
    person = make_person(random.Random(31), faces=FacePool(settings.faces_dir), sex="女",
                         birth_date="1972-01-15", valid_from="2020-06-01")
    folder = tmp_path_factory.mktemp("retiree")
    images = specimen_images(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK,
                                      DocType.SOCIAL_SECURITY_CARD), 0, random.Random(31))
    paths = []
    for doc_type, (photo, info) in images.items():
        data, ext = encode(photo, info)
        path = folder / f"{doc_type.value}{ext}"
        path.write_bytes(data)
        paths.append(path)
    return person.id_number, paths


def _process(tmp_path, applicant, paths, *inputs):
    args = ["process", *paths, "--service", "retirement", "--applicant", applicant, "--date", TODAY, "--json"]
    for pair in inputs:
        args += ["--input", pair]
    done = onewindow(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_post_category_sets_the_retirement_age(retiree_files, tmp_path):
    applicant, paths = retiree_files
    worker = _process(tmp_path, applicant, paths, "post_category=female_50")
    assert worker["decision"] == "accepted", worker["findings"]
    assert worker["findings"] == [] and worker["inputs"] == {"post_category": "female_50"}

    cadre = _process(tmp_path, applicant, paths, "post_category=female_55")
    assert cadre["decision"] == "flagged"
    assert [f["code"] for f in cadre["findings"]] == ["ineligible"]
    assert "2027年08月" in cadre["findings"][0]["message"]

    # The inputs are kept with the submission and in the "received" event of the history.
    archive = open_archive(str(tmp_path / "archive"))
    stored = archive.load_submission(worker["submission_id"], actor="test")
    assert stored.inputs == {"post_category": "female_50"}
    received = [e for e in archive.history(applicant, actor="test")
                if e.kind == "submission_received" and e.submission_id == cadre["submission_id"]]
    assert received and received[0].inputs == {"post_category": "female_55"}


@pytest.mark.parametrize("pair, words", [
    ("insured=110105195803020117", "takes no input 'insured'"),
    ("post_category=female_60", "must be one of female_50, female_55"),
    ("post_category", "KEY=VALUE"),
])
def test_bad_input_is_one_clear_line(retiree_files, tmp_path, pair, words):
    applicant, paths = retiree_files
    done = onewindow("process", *paths, "--service", "retirement", "--applicant", applicant,
                     "--input", pair, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("onewindow: error:") and words in lines[0]
    assert not (tmp_path / "archive" / "submissions").exists()
