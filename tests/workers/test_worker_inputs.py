"""Application inputs through the workers: `onewindow submit --input post_category=…` carries
what the applicant states in the sealed manifest to the review job, which reaches the decision
`process` reaches in-process; `reprocess` re-runs with the inputs stored with the submission."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date

import pytest

from pipeline.process import process_submission
from schemas.catalog import default_catalog
from schemas.documents import DocType
from specimens.generate import encode, specimen_images
from specimens.people import make_person
from storage.archive import open_archive
from tests.workers.conftest import run_burst
from workers.reprocess import Reprocess, select

TODAY = "2026-11-28"
SERVICE = default_catalog().get("retirement")


@pytest.fixture(scope="module")
def retiree(faces, tmp_path_factory):
    """A woman born 1972-01: retired at 50 in a 50-year post; not before 2027-08 in a 55-year post."""
    person = make_person(random.Random(31), faces=faces, sex="女", birth_date="1972-01-15", valid_from="2020-06-01")
    folder = tmp_path_factory.mktemp("retiree-w")
    paths = []
    for doc_type, (photo, info) in specimen_images(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK,
                                                            DocType.SOCIAL_SECURITY_CARD), 0,
                                                   random.Random(31)).items():
        data, ext = encode(photo, info)
        (folder / f"{doc_type.value}{ext}").write_bytes(data)
        paths.append(folder / f"{doc_type.value}{ext}")
    return person.id_number, paths


def cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], env=env, capture_output=True, text=True, timeout=300)


def test_inputs_reach_the_review_job_and_a_reprocess(ctx, worker_env, retiree, reader, tmp_path):
    applicant, paths = retiree
    ids = {}
    for category in ("female_50", "female_55"):
        done = cli(worker_env, "submit", *map(str, paths), "--service", SERVICE.id, "--applicant", applicant,
                   "--date", TODAY, "--input", f"post_category={category}", "--json")
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["inputs"] == {"post_category": category}
        ids[category] = out["submission_id"]
    bad = cli(worker_env, "submit", *map(str, paths), "--service", SERVICE.id, "--applicant", applicant,
              "--input", "post_category=female_60")
    assert bad.returncode == 2 and "must be one of female_50, female_55" in bad.stderr

    run_burst(worker_env)

    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])
    local = open_archive(str(tmp_path / "in-process"))
    files = [(p.name, p.read_bytes()) for p in paths]
    for category, sid in ids.items():
        queued = archive.load_submission(sid)
        inline = process_submission(files, SERVICE, applicant, local, reader, date.fromisoformat(TODAY),
                                    inputs={"post_category": category})
        assert queued.inputs == {"post_category": category}
        assert queued.decision == inline.decision
        assert sorted((f.code, f.message) for f in queued.findings) == sorted((f.code, f.message)
                                                                              for f in inline.findings)
    assert archive.load_submission(ids["female_50"]).decision.value == "accepted"
    assert [f.code.value for f in archive.load_submission(ids["female_55"]).findings] == ["ineligible"]

    # A reprocess re-runs both with their stored inputs: no decision flips.
    batch = Reprocess(ctx, "inputs1", chunk=5)
    batch.start(select(ctx, SERVICE.id, None, None, None), {"service": SERVICE.id})
    batch.step()
    run_burst(worker_env)
    summary = batch.summary()
    assert summary["done"] == 2 and summary["flipped"] == {}
    for category, sid in ids.items():
        history = [e for e in archive.history(applicant) if e.submission_id == sid and e.kind == "decision"]
        assert len({e.decision for e in history}) == 1 and len(history) == 2  # first run and the batch's
