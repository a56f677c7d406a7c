"""Pensioner verification in the portal, on the real machinery: the ID card in the archive read by
the real reader, real face models, real clips from ../shared/data/videos (d12 blinks at 1.9 s and
turns right at 3.1 s), an attack clip made from them (specimens/attacks.py). The challenge is
fixed to what the clip shows through the `challenge_actions` dependency; everything else is the
production path."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import cv2
import pytest
from fastapi.testclient import TestClient

from pipeline.certify import CertificationLedger
from pipeline.consent import ConsentBook
from pipeline.process import process_submission
from portal.verification import challenge_actions
from portal_kit import TODAY, add_staff, csrf, login, make_app, text_of
from test_queued import prefix  # noqa: F401  (the Redis key prefix fixture)
from schemas.catalog import default_catalog
from schemas.certification import Source, Status
from schemas.documents import DocType
from schemas.verification import REASON_TEXT, Action, Reason
from specimens.attacks import id_card_photo
from tests.pipeline import verify_kit as kit

B, R = Action.BLINK, Action.TURN_RIGHT


class Card(tuple):
    """(ID number, name, JPEG bytes) that does not print its personal data in a traceback."""

    def __repr__(self) -> str:
        return "Card(<masked>)"


@pytest.fixture(scope="module")
def card():
    """d12's face on an ID card, photographed."""
    face = kit.frame_at("d12", 7.2)
    photo, person = id_card_photo(face, box=kit.face_box(face), seed=12)
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return Card((person.id_number, person.name, data.tobytes()))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("portal-clips")
    return {"live": kit.live_clip(folder, "d12", 7.0).read_bytes(),
            "replay": kit.replay_clip(folder, "d12", seconds=5.0).read_bytes()}


@pytest.fixture
def app(tmp_path, reader, card):
    app = make_app(tmp_path, reader, portal_verify_per_minute=5)
    app.dependency_overrides[challenge_actions] = lambda: [B, R]
    archive = app.state.portal.archive
    citizen, _, data = card
    result = process_submission([("id-front.jpg", data)], default_catalog().get("personal_info_change"),
                                citizen, archive, reader, TODAY)
    assert result.documents[0].doc_type is DocType.ID_CARD_FRONT
    return app


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


def start(client, card):
    citizen, name, _ = card
    response = client.post("/verify/start", data={"csrf": csrf(client, "/verify"), "id_number": citizen, "name": name},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/verify/consent"


def consent(client, choice: str):
    return client.post("/verify/consent", data={"csrf": csrf(client, "/verify/consent"), "choice": choice},
                       follow_redirects=False)


def send(client, video: bytes, token: str | None = None):
    token = token or csrf(client, "/verify/consent")
    return client.post("/verify/video", data={"csrf": token}, files={"video": ("clip.mp4", video, "video/mp4")},
                       follow_redirects=False)


def biometrics(app) -> list[str]:
    return sorted(key.split("/")[2] for key in app.state.portal.archive.store.list("biometric/"))


def cookie_text(client) -> str:
    raw = client.cookies.get("ow_session") or ""
    body = raw.split(".")[0]
    return base64.b64decode(body + "=" * (-len(body) % 4)).decode("utf-8", "replace")


def test_without_consent_no_face_is_processed(app, client, card, clips):
    citizen = card[0]
    start(client, card)
    assert citizen not in cookie_text(client)  # sealed, not merely signed
    response = client.get("/verify/record", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/verify/consent"
    assert send(client, clips["live"]).status_code == 409  # no challenge without consent
    assert biometrics(app) == [] and list(app.state.portal.archive.store.list("verification/")) == []

    # consent given, challenge shown, then withdrawn at the counter before the video arrives
    assert consent(client, "agree").headers["location"] == "/verify/record"
    assert "眨眨眼" in client.get("/verify/record").text
    ConsentBook(app.state.portal.archive).record(citizen, granted=False, channel="counter", actor="clerk")
    response = send(client, clips["live"])
    assert response.headers["location"] == "/verify/result"
    page = text_of(client.get("/verify/result").text)
    assert "认证未通过" in page and "单独同意" in page and "视频通话" in page
    assert biometrics(app) == []
    assert app.state.portal.archive.current_state(citizen).last_verification is None


def test_declining_leads_to_the_alternative_which_a_reviewer_carries_out(app, client, card):
    citizen = card[0]
    start(client, card)
    response = consent(client, "decline")
    assert response.headers["location"] == "/verify/alternative"
    archive = app.state.portal.archive
    recorded = ConsentBook(archive).current(citizen, actor="test")
    assert recorded is not None and not recorded.granted and recorded.channel == "portal"
    page = client.get("/verify/alternative")
    assert "不影响认证" in text_of(page.text)
    day = (TODAY + timedelta(days=3)).isoformat()
    booked = client.post("/verify/alternative", data={"csrf": csrf(client, "/verify/alternative"),
                                                      "method": "video_call", "preferred": day})
    assert booked.status_code == 200 and "已预约" in text_of(booked.text)
    reference = re.search(r'id="reference">([^<]+)<', booked.text).group(1)
    assert citizen not in booked.text and biometrics(app) == []

    case = app.state.portal.store.case(reference)
    assert (case.service, case.machine_decision, case.status) == ("pension_certification", "flagged", "pending")
    assert case.citizen_key == archive.citizen_key(citizen)
    saved = archive.load_submission(reference)
    assert "视频通话" in saved.findings[0].message and "不同意" in saved.findings[0].message

    add_staff(app, "rita", "reviewer")
    with TestClient(app) as staff:
        login(staff, "rita")
        detail = staff.get(f"/console/cases/{reference}")
        assert "登记核验并认证" in detail.text and citizen not in detail.text
        token = csrf(staff, f"/console/cases/{reference}")
        done = staff.post(f"/console/cases/{reference}/alternative",
                          data={"csrf": token, "method": "video_call", "note": "视频通话核实本人"},
                          follow_redirects=False)
        assert done.status_code == 303
    status = CertificationLedger(archive).status(TODAY)
    assert [(s.status, s.how) for s in status] == [(Status.CERTIFIED, Source.VIDEO_CALL)]
    case = app.state.portal.store.case(reference)
    assert (case.status, case.reviewer_decision, case.reviewer) == ("approved", "approved", "rita")
    assert any(e.purpose == "reviewer certifies by video_call" for e in archive.audit_entries(citizen))
    decisions = [e for e in archive.history(citizen) if e.kind.value == "review_decision"]
    assert [(d.submission_id, d.review.decision.value) for d in decisions] == [(reference, "approved")]


def test_a_live_video_answering_the_challenge_certifies_the_pensioner(app, client, card, clips):
    citizen = card[0]
    start(client, card)
    consent(client, "agree")
    record = client.get("/verify/record")
    prompts = re.findall(r'<li class="prompt"[^>]*>([^<]+)</li>', record.text)
    assert prompts == ["眨眨眼", "向右转头"]
    assert 'src="/static/verify.js"' in record.text and 'name="video"' in record.text
    token = re.search(r'name="csrf" value="([^"]+)"', record.text).group(1)
    response = send(client, clips["live"], token)
    assert response.status_code == 303 and response.headers["location"] == "/verify/result"
    page = client.get("/verify/result")
    assert "认证通过" in text_of(page.text) and citizen not in page.text
    archive = app.state.portal.archive
    state = archive.current_state(citizen)
    assert state.last_verification.decision == "pass"
    assert biometrics(app) == ["template"]  # the video is deleted, the template kept
    assert [(s.status, s.how) for s in CertificationLedger(archive).status(TODAY)] == [(Status.CERTIFIED, Source.FACE)]
    purposes = [e.purpose for e in archive.audit_entries(citizen)]
    assert "consent to face processing: given" in purposes
    assert any(p.startswith("remote certification") for p in purposes)
    assert send(client, clips["live"], token).status_code == 409  # the nonce went with the first video


def test_a_screen_replay_fails_with_its_reason_and_offers_the_alternative(app, client, card, clips):
    citizen = card[0]
    start(client, card)
    consent(client, "agree")
    client.get("/verify/record")
    assert send(client, clips["replay"]).headers["location"] == "/verify/result"
    page = text_of(client.get("/verify/result").text)
    assert "认证未通过" in page and REASON_TEXT[Reason.SCREEN_REPLAY] in page
    assert "再录一次" in page and "预约其他认证方式" in page
    assert Reason.SCREEN_REPLAY.value in app.state.portal.archive.current_state(citizen).last_verification.reasons
    assert biometrics(app) == []  # the failed video is deleted too
    assert all(s.status is not Status.CERTIFIED for s in CertificationLedger(app.state.portal.archive).status(TODAY))
    again = client.get("/verify/record")  # a retry gets a fresh challenge
    assert again.status_code == 200 and "眨眨眼" in again.text


def test_verification_is_rate_limited_and_sniffs_what_it_is_sent(client, card):
    start(client, card)
    consent(client, "agree")
    token = csrf(client, "/verify/record")
    codes = [send(client, b"\x89PNG\r\n\x1a\n" + b"0" * 200, token).status_code for _ in range(6)]
    assert codes == [415] * 5 + [429]


def test_a_missing_or_tampered_identity_starts_over(client, card):
    assert client.get("/verify/record", follow_redirects=False).headers["location"] == "/verify"
    start(client, card)
    client.cookies.clear()
    client.cookies.set("ow_session", "tampered")
    assert client.get("/verify/consent", follow_redirects=False).headers["location"] == "/verify"
    assert client.post("/verify/consent", data={"choice": "agree"}).status_code == 403  # no CSRF token either


def test_with_redis_the_workers_verify_and_the_result_page_waits_for_them(tmp_path, reader, card, clips, prefix):
    from test_queued import REDIS_URL, burst

    app = make_app(tmp_path, reader, redis_url=REDIS_URL, redis_prefix=prefix)
    app.dependency_overrides[challenge_actions] = lambda: [B, R]
    citizen, _, data = card
    process_submission([("id-front.jpg", data)], default_catalog().get("personal_info_change"), citizen,
                       app.state.portal.archive, reader, TODAY)
    with TestClient(app) as client:
        start(client, card)
        consent(client, "agree")
        client.get("/verify/record")
        assert send(client, clips["live"]).headers["location"] == "/verify/result"
        waiting = client.get("/verify/result")
        assert "正在核验" in text_of(waiting.text) and 'http-equiv="refresh"' in waiting.text
        burst(tmp_path, prefix)
        page = client.get("/verify/result")
        assert "认证通过" in text_of(page.text), text_of(page.text)
    archive = app.state.portal.archive
    assert archive.current_state(citizen).last_verification.decision == "pass"
    assert biometrics(app) == ["template"]


def test_a_borderline_match_waits_in_the_console_and_the_reviewer_certifies(tmp_path, reader, card, clips):
    """The review band widened around d12's distance: the machine may not decide, so the
    attempt becomes a case; the reviewer's approval certifies and keeps the template."""
    app = make_app(tmp_path, reader, face_match_threshold=0.3, face_review_margin=0.2)
    app.dependency_overrides[challenge_actions] = lambda: [B, R]
    archive = app.state.portal.archive
    citizen, _, data = card
    process_submission([("id-front.jpg", data)], default_catalog().get("personal_info_change"),
                       citizen, archive, reader, TODAY)
    with TestClient(app) as client:
        start(client, card)
        consent(client, "agree")
        client.get("/verify/record")
        assert send(client, clips["live"]).headers["location"] == "/verify/result"
        assert "人工" in text_of(client.get("/verify/result").text)
    assert archive.current_state(citizen).last_verification.decision == "review"
    assert biometrics(app) == ["selfie"]  # key frames for the reviewer, the video gone
    [case] = [c for c in app.state.portal.store.cases() if c.service == "pension_certification"]
    assert (case.machine_decision, case.status) == ("flagged", "pending")

    add_staff(app, "rita", "reviewer")
    with TestClient(app) as staff:
        login(staff, "rita")
        token = csrf(staff, f"/console/cases/{case.submission_id}")
        done = staff.post(f"/console/cases/{case.submission_id}/decide",
                          data={"csrf": token, "action": "approve", "reason": "比对关键帧为本人"},
                          follow_redirects=False)
        assert done.status_code == 303
    assert archive.current_state(citizen).last_verification.decision == "pass"
    assert biometrics(app) == ["template"]
    assert [(s.status, s.how) for s in CertificationLedger(archive).status(TODAY)] == [(Status.CERTIFIED, Source.FACE)]
