"""Remote certification as the pension_certification service runs it: consent first, the
challenge used up, the reference cut from the ID card the archive holds (read by the real
reader), the decision recorded, raw video deleted, the template kept apart, every step audited."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import cv2
import pytest

from pipeline.certify import CertificationLedger
from pipeline.challenge import ChallengeStore
from pipeline.consent import ConsentBook
from pipeline.process import process_submission
from pipeline.remote import certify_by_video, record_alternative, resolve_review
from pipeline.verify import VerifyOptions
from schemas.archive import AuditAction, BiometricKind
from schemas.catalog import default_catalog
from schemas.certification import Source, Status
from schemas.consent import Alternative
from schemas.documents import DocType
from schemas.submission import Decision
from schemas.verification import Action, Reason
from specimens.attacks import id_card_photo
from storage.archive import open_archive

from tests.pipeline import verify_kit as kit

B, M, L, R = Action.BLINK, Action.OPEN_MOUTH, Action.TURN_LEFT, Action.TURN_RIGHT
TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def card(reader):
    """d12's face on an ID card, photographed, and what the reader made of it."""
    face = kit.frame_at("d12", 7.2)
    photo, person = id_card_photo(face, box=kit.face_box(face), seed=12)
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return person.id_number, data.tobytes()


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("remote-clips")
    return {"d12": kit.live_clip(folder, "d12", 7.0).read_bytes(),
            "d18": kit.live_clip(folder, "d18", 7.0).read_bytes()}


@pytest.fixture
def archive_with_card(tmp_path, reader, card):
    archive = open_archive(str(tmp_path / "archive"), actor="test")
    citizen, data = card
    service = default_catalog().get("personal_info_change")
    result = process_submission([("id-front.jpg", data)], service, citizen, archive, reader, TODAY)
    assert result.documents[0].doc_type is DocType.ID_CARD_FRONT
    assert result.documents[0].fields.get("id_number") == citizen
    return archive, citizen


def issue(archive, citizen, *actions, **kw):
    return ChallengeStore(archive.store).issue(citizen_key=archive.citizen_key(citizen), actions=list(actions), **kw)


def biometric_kinds(archive) -> list[str]:
    return sorted(key.split("/")[2] for key in archive.store.list("biometric/"))


def test_without_consent_nothing_is_stored_or_processed(archive_with_card, videos):
    archive, citizen = archive_with_card
    issue(archive, citizen, B, R)
    outcome = certify_by_video(archive, citizen, videos["d12"], today=TODAY)
    assert outcome.status == "consent_required" and outcome.verification is None
    assert "单独同意" in outcome.message and set(outcome.alternatives) == set(Alternative)
    assert biometric_kinds(archive) == []
    assert archive.current_state(citizen).last_verification is None


def test_with_consent_and_the_challenge_answered_the_pensioner_is_certified(archive_with_card, videos):
    archive, citizen = archive_with_card
    ConsentBook(archive).record(citizen, granted=True, channel="counter", actor="clerk")
    issue(archive, citizen, B, R)
    outcome = certify_by_video(archive, citizen, videos["d12"], today=TODAY)
    assert outcome.status == "certified", outcome.verification.reasons
    result = outcome.verification
    assert result.match.reference == "id_card_front" and result.match.distance < result.match.threshold
    state = archive.current_state(citizen)
    assert state.last_verification.decision == "pass" and state.last_verification.template
    assert [b.kind for b in state.biometrics] == [BiometricKind.TEMPLATE]  # the video is gone
    assert biometric_kinds(archive) == ["template"]
    template = json.loads(archive.get_biometric(citizen, state.biometrics[0]))
    assert len(template["encoding"]) == 128 and "id_number" not in json.dumps(template)
    status = CertificationLedger(archive).status(TODAY)
    assert [(s.status, s.how, s.on) for s in status] == [(Status.CERTIFIED, Source.FACE, TODAY)]
    actions = [e.action for e in archive.audit_entries(citizen)]
    assert AuditAction.PURGE in actions and AuditAction.WRITE in actions


def test_a_used_or_expired_challenge_fails_with_its_reason(archive_with_card, videos):
    archive, citizen = archive_with_card
    ConsentBook(archive).record(citizen, granted=True, channel="portal", actor="citizen")
    challenge = issue(archive, citizen, B, R)
    assert certify_by_video(archive, citizen, videos["d12"], nonce=challenge.nonce).status == "certified"
    again = certify_by_video(archive, citizen, videos["d12"], nonce=challenge.nonce)
    assert again.status == "not_certified" and again.verification.reasons == [Reason.NONCE_REUSED]
    now = datetime.now(timezone.utc)
    late = issue(archive, citizen, B, R, ttl_seconds=60, now=now - timedelta(minutes=10))
    expired = certify_by_video(archive, citizen, videos["d12"], nonce=late.nonce, now=now)
    assert expired.verification.reasons == [Reason.CHALLENGE_EXPIRED]
    unknown = certify_by_video(archive, citizen, videos["d12"])  # nothing issued and unused
    assert unknown.verification.reasons == [Reason.NONCE_UNKNOWN]
    assert archive.current_state(citizen).last_verification.reasons == ["nonce_unknown"]


def test_another_persons_video_fails_and_its_video_is_deleted(archive_with_card, videos):
    archive, citizen = archive_with_card
    ConsentBook(archive).record(citizen, granted=True, channel="portal", actor="citizen")
    issue(archive, citizen, M, B)
    outcome = certify_by_video(archive, citizen, videos["d18"])
    assert outcome.status == "not_certified" and outcome.verification.reasons == [Reason.FACE_MISMATCH]
    assert biometric_kinds(archive) == []


def test_a_borderline_case_keeps_only_key_frames_until_a_reviewer_decides(archive_with_card, videos):
    archive, citizen = archive_with_card
    ConsentBook(archive).record(citizen, granted=True, channel="portal", actor="citizen")
    probe = issue(archive, citizen, B, R)
    distance = certify_by_video(archive, citizen, videos["d12"], nonce=probe.nonce).verification.match.distance
    issue(archive, citizen, B, R)
    near = VerifyOptions(threshold=round(distance + 0.01, 3), review_margin=0.04)
    outcome = certify_by_video(archive, citizen, videos["d12"], options=near)
    assert outcome.status == "review" and outcome.verification.reasons == [Reason.MATCH_BORDERLINE]
    state = archive.current_state(citizen)
    assert state.last_verification.decision == "review"
    selfies = [b for b in state.biometrics if b.kind is BiometricKind.SELFIE]
    assert len(selfies) == 1 and not any(b.kind is BiometricKind.VIDEO for b in state.biometrics)
    package = json.loads(archive.get_biometric(citizen, selfies[0]))
    assert {f["role"] for f in package["frames"]} >= {"best_match", "blink", "turn_right", "reference:id_card_front"}
    resolve_review(archive, citizen, approve=True, reviewer="reviewer-1", note="same person", today=TODAY)
    state = archive.current_state(citizen)
    assert state.last_verification.decision == "pass"
    assert not any(b.kind is BiometricKind.SELFIE for b in state.biometrics)


def test_without_an_id_card_the_last_accepted_template_is_the_reference(tmp_path, card, videos):
    archive = open_archive(str(tmp_path / "archive"), actor="test")
    citizen = card[0]
    ConsentBook(archive).record(citizen, granted=True, channel="counter", actor="clerk")
    issue(archive, citizen, B, R)
    first = certify_by_video(archive, citizen, videos["d12"])
    assert first.status == "review" and first.verification.reasons == [Reason.NO_REFERENCE]
    resolve_review(archive, citizen, approve=True, reviewer="reviewer-1", note="video call")
    issue(archive, citizen, B, R)
    second = certify_by_video(archive, citizen, videos["d12"])
    assert second.status == "certified" and second.verification.match.reference == "template"


def test_a_retention_period_keeps_the_raw_video_after_the_decision(tmp_path, card, videos):
    archive = open_archive(str(tmp_path / "archive"), actor="test", biometric_raw_retention_days=30)
    citizen = card[0]
    ConsentBook(archive).record(citizen, granted=True, channel="counter", actor="clerk")
    issue(archive, citizen, B, R)
    certify_by_video(archive, citizen, videos["d12"])
    assert "video" in biometric_kinds(archive)


def test_consent_can_be_withdrawn_and_an_alternative_recorded(archive_with_card, videos):
    archive, citizen = archive_with_card
    book = ConsentBook(archive)
    book.record(citizen, granted=True, channel="portal", actor="citizen")
    book.record(citizen, granted=False, channel="portal", actor="citizen")
    issue(archive, citizen, B, R)
    assert certify_by_video(archive, citizen, videos["d12"]).status == "consent_required"
    record_alternative(archive, citizen, Alternative.VIDEO_CALL, by="reviewer-2", on=TODAY, note="called at 10:00")
    (status,) = CertificationLedger(archive).status(TODAY)
    assert status.status is Status.CERTIFIED and status.how is Source.VIDEO_CALL


def test_process_routes_a_video_to_the_service(archive_with_card, videos, reader):
    archive, citizen = archive_with_card
    service = default_catalog().get("pension_certification")
    refused = process_submission([("selfie.mp4", videos["d12"])], service, citizen, archive, reader, TODAY)
    assert refused.decision is Decision.FLAGGED and refused.certification == "consent_required"
    assert refused.findings[0].code.value == "verification_failed" and "现场认证" in refused.findings[0].message
    ConsentBook(archive).record(citizen, granted=True, channel="counter", actor="clerk")
    issue(archive, citizen, B, R)
    result = process_submission([("selfie.mp4", videos["d12"])], service, citizen, archive, reader, TODAY)
    assert result.decision is Decision.ACCEPTED and result.certification == "certified" and result.findings == []
    body = json.loads(result.model_dump_json())
    assert body["verification"]["decision"] == "pass" and body["uploads"] == []
    assert archive.load_submission(result.submission_id).decision is Decision.ACCEPTED
    assert archive.verify().ok
