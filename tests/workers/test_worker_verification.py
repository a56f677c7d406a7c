"""Remote certification (pension_certification) through a real worker: the video is submitted
here, verified by `onewindow worker --burst` on the real Redis with the real face models,
against the portrait cut from an ID card the real reader put in the archive. Consent is
recorded first (ConsentBook, in the citizen's archive: process_remote looks there)."""

from __future__ import annotations

from datetime import date

import cv2
import pytest
from rq.job import Job

from pipeline.challenge import ChallengeStore
from pipeline.consent import ConsentBook
from pipeline.process import process_submission
from schemas.archive import EventKind
from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.submission import Decision
from schemas.verification import Action
from specimens.attacks import id_card_photo
from storage.archive import open_archive
from tests.pipeline import verify_kit as kit
from tests.workers.conftest import delete_prefixed, id_number, run_burst
from tests.workers.test_jobs import redis_bytes
from workers.recover import requeue_undecided
from workers.reprocess import select
from workers.review_queue import ReviewQueue
from workers.status import StatusBoard
from workers.submit import submit
from workers.verification import enqueue_verification

TODAY = date(2026, 11, 28)
SERVICE = default_catalog().get("pension_certification")


@pytest.fixture(scope="module")
def card():
    face = kit.frame_at("d12", 7.2)
    photo, person = id_card_photo(face, box=kit.face_box(face), seed=12)
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return person.id_number, person.name, data.tobytes()


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> bytes:
    return kit.live_clip(tmp_path_factory.mktemp("worker-clips"), "d12", 7.0).read_bytes()


@pytest.fixture
def citizen(ctx, reader, card):
    """The archive the workers use holds the citizen's ID card, read by the real reader."""
    id_number, _, data = card
    result = process_submission([("id-front.jpg", data)], default_catalog().get("personal_info_change"),
                                id_number, ctx.archive, reader, TODAY)
    assert result.documents[0].doc_type is DocType.ID_CARD_FRONT
    return id_number


def consent_and_challenge(archive, citizen):
    ConsentBook(archive).record(citizen, granted=True, channel="portal", actor="citizen")
    return ChallengeStore(archive.store).issue(citizen_key=archive.citizen_key(citizen),
                                               actions=[Action.BLINK, Action.TURN_RIGHT])


def vault(archive) -> list[str]:
    return sorted(key.split("/")[2] for key in archive.store.list("biometric/"))


def test_a_live_video_is_certified_by_a_worker(ctx, worker_env, citizen, video, card, prefix):
    challenge = consent_and_challenge(ctx.archive, citizen)
    sid = submit(ctx, [("selfie.mp4", video)], SERVICE, citizen, TODAY, nonce=challenge.nonce)
    board = StatusBoard(ctx.redis, ctx.names, 3600)
    assert board.get(sid)["state"] == "received"
    assert vault(ctx.archive) == ["video"]  # held in the vault while queued, nowhere else

    log = run_burst(worker_env, "--queues", "verification")

    status = board.get(sid)
    assert (status["state"], status["decision"], status["findings"]) == ("decided", "accepted", "")
    archive = open_archive(worker_env["ONEWINDOW_ARCHIVE"])
    record = archive.load_submission(sid)
    assert record.decision is Decision.ACCEPTED and record.service == SERVICE.id
    state = archive.current_state(citizen)
    assert state.last_verification.decision == "pass" and state.last_verification.template
    assert vault(archive) == ["template"]  # the raw video deleted with the decision
    assert sid not in ReviewQueue(ctx.redis, ctx.names).ids()
    assert sid not in select(ctx, None, None, None, None)  # reprocess leaves it out: the video is gone
    # Delivered a second time, the job files the archived decision and redeems nothing again.
    job = Job.fetch(ctx.names.job_id(sid, "0", "verify"), connection=ctx.redis)
    enqueue_verification(ctx, sid, job.args[1], SERVICE.id)
    run_burst(worker_env, "--queues", "verification")
    assert StatusBoard(ctx.redis, ctx.names, 3600).get(sid)["decision"] == "accepted"
    verifications = [e for e in archive.history(citizen) if e.kind is EventKind.VERIFICATION]
    assert len(verifications) == 1
    assert archive.verify().ok
    stored = redis_bytes(ctx.redis, prefix)
    assert citizen.encode() not in stored and card[1].encode() not in stored
    assert citizen not in log


def test_a_borderline_match_ends_in_the_review_queue(ctx, worker_env, citizen, video):
    consent_and_challenge(ctx.archive, citizen)
    first = submit(ctx, [("selfie.mp4", video)], SERVICE, citizen, TODAY)
    run_burst(worker_env, "--queues", "verification")
    distance = ctx.archive.current_state(citizen).last_verification.distance
    assert distance is not None and StatusBoard(ctx.redis, ctx.names, 3600).get(first)["decision"] == "accepted"

    consent_and_challenge(ctx.archive, citizen)
    second = submit(ctx, [("selfie.mp4", video)], SERVICE, citizen, TODAY)
    near = {**worker_env, "ONEWINDOW_FACE_MATCH_THRESHOLD": f"{distance + 0.01:.3f}",
            "ONEWINDOW_FACE_REVIEW_MARGIN": "0.04"}
    run_burst(near, "--queues", "verification")

    status = StatusBoard(ctx.redis, ctx.names, 3600).get(second)
    assert (status["state"], status["decision"], status["findings"]) == ("decided", "flagged", "verification_failed")
    assert ReviewQueue(ctx.redis, ctx.names).ids() == [second]
    assert ctx.archive.current_state(citizen).last_verification.decision == "review"
    assert "selfie" in vault(ctx.archive) and "video" not in vault(ctx.archive)  # key frames for the reviewer


def test_without_consent_nothing_is_queued_or_stored(ctx, citizen, video):
    sid = submit(ctx, [("selfie.mp4", video)], SERVICE, citizen, TODAY)
    status = StatusBoard(ctx.redis, ctx.names, 3600).get(sid)
    assert (status["state"], status["decision"], status["findings"]) == ("decided", "flagged", "verification_failed")
    assert ReviewQueue(ctx.redis, ctx.names).ids() == [sid]
    assert vault(ctx.archive) == []
    assert "单独同意" in ctx.archive.load_submission(sid).findings[0].message


def test_a_verification_that_keeps_failing_ends_as_processing_failed(ctx, worker_env, citizen, video):
    consent_and_challenge(ctx.archive, citizen)
    sid = submit(ctx, [("selfie.mp4", video)], SERVICE, citizen, TODAY)
    for key in list(ctx.archive.store.list("biometric/")):  # the vault loses the video
        ctx.archive.store.delete(key)

    run_burst(worker_env, "--queues", "verification")

    status = StatusBoard(ctx.redis, ctx.names, 3600).get(sid)
    assert (status["state"], status["decision"], status["findings"]) == ("failed", "flagged", "processing_failed")
    assert ReviewQueue(ctx.redis, ctx.names).ids() == [sid]
    record = open_archive(worker_env["ONEWINDOW_ARCHIVE"]).load_submission(sid)
    assert [f.code.value for f in record.findings] == ["processing_failed"]


def test_a_queued_verification_survives_redis_losing_its_data(ctx, worker_env, citizen, video, prefix):
    consent_and_challenge(ctx.archive, citizen)
    sid = submit(ctx, [("selfie.mp4", video)], SERVICE, citizen, TODAY)
    delete_prefixed(ctx.redis, prefix)  # Redis forgot the queue, the job and the status
    assert StatusBoard(ctx.redis, ctx.names, 3600).get(sid) == {}

    assert requeue_undecided(ctx)["requeued"] == [sid]
    assert requeue_undecided(ctx)["requeued"] == []  # queued now: not twice
    run_burst(worker_env, "--queues", "verification")

    assert StatusBoard(ctx.redis, ctx.names, 3600).get(sid)["decision"] == "accepted"
    assert ctx.archive.current_state(citizen).last_verification.decision == "pass"
    assert requeue_undecided(ctx)["undecided"] == 0


def test_the_cli_submits_a_video_and_refuses_a_nonce_for_documents(worker_env, video, tmp_path):
    import json
    import subprocess
    import sys

    clip = tmp_path / "selfie.mp4"
    clip.write_bytes(video)
    applicant = id_number(77)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "cli", *args], env=worker_env, capture_output=True, text=True,
                              timeout=120)

    done = cli("submit", str(clip), "--service", SERVICE.id, "--applicant", applicant, "--json")
    assert done.returncode == 0, done.stderr
    sid = json.loads(done.stdout)["submission_id"]
    status = json.loads(cli("status", sid, "--json").stdout)  # no consent on record: decided at once
    assert (status["state"], status["decision"], status["findings"]) == ("decided", "flagged", "verification_failed")
    refused = cli("submit", str(clip), "--service", "bank_account_change", "--applicant", applicant, "--nonce", "x")
    assert refused.returncode == 2 and "--nonce is for remote-verification services only" in refused.stderr
    assert applicant not in done.stdout + done.stderr
