"""Pensioners certify from home (远程视频认证), for the `pension_certification` service:

    /verify              name and ID number
    /verify/consent      the notice (schemas.consent.FACE_NOTICE); agree or decline — recorded
                         in the citizen's archive before any face is looked at
    /verify/record       a random challenge (2–3 actions, single-use nonce, expiry) shown as large
                         prompts; the browser records with the camera, or a video file is sent
    /verify/result       pass / fail with reasons in plain Chinese / review
    /verify/alternative  book a reviewer's video call or a visit to the counter (on decline or fail)

The identity travels between the pages sealed in the session cookie (portal.security.
SealedIdentity), the nonce and the outcome in plain session keys (no personal data); no URL
carries either. The verification itself is pipeline.remote.certify_by_video, run in this
process off the event loop, one at a time; with Redis configured, the workers' verification
queue runs it (pipeline.remote.process_remote) and the result page waits for the decision. A booked alternative becomes a flagged case in the
reviewer queue; the reviewer who carries it out records it (pipeline.remote.record_alternative),
which certifies the pensioner."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta, timezone

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from pipeline.challenge import ChallengeRejected, ChallengeStore
from pipeline.consent import ConsentBook
from pipeline.fields import normalize_id_number, validate_id_number
from pipeline.remote import looks_like_video
from portal.app import portal_of
from portal.citizen import page
from portal.security import client_of, require_csrf
from schemas.catalog import UnknownServiceError
from schemas.consent import ALTERNATIVE_LABELS, FACE_NOTICE, FACE_NOTICE_VERSION, Alternative
from schemas.submission import Decision
from schemas.verification import ACTION_LABELS, REASON_TEXT, Action, Reason
from storage.errors import NotFoundError

router = APIRouter(include_in_schema=False)
log = logging.getLogger("onewindow.portal.verification")
SERVICE = "pension_certification"
CITIZEN = "citizen"
CHANNEL = "portal"
IDENTITY, NONCE, OUTCOME = "pensioner", "verify_nonce", "verify_outcome"


def challenge_actions() -> list[Action] | None:
    """The actions a new challenge asks for; None: random (pipeline.challenge.random_actions).
    A FastAPI dependency, so a test can fix the challenge to what its video shows."""
    return None


def _service(portal):
    try:
        return portal.catalog.get(SERVICE)
    except UnknownServiceError:
        raise HTTPException(404, "没有这个办理事项。") from None


def _identity(request: Request) -> tuple[str, str]:
    found = portal_of(request).identities.open(request.session.get(IDENTITY))
    if found is None:
        raise HTTPException(410, "认证页面已过期，请重新填写姓名和身份证号。")
    return found


def _start_over(request: Request):
    return RedirectResponse("/verify", status_code=303)


def _lock(portal) -> threading.Lock:
    """One verification at a time in this process: it already keeps a core busy."""
    lock = getattr(portal, "_verify_lock", None)
    if lock is None:
        lock = portal._verify_lock = threading.Lock()
    return lock


# Name and ID number -------------------------------------------------------------------------

@router.get("/verify")
def start(request: Request):
    portal = portal_of(request)
    return page(request, "verify_start.html", service=_service(portal), error=None, typed={})


@router.post("/verify/start", dependencies=[Depends(require_csrf)])
def begin(request: Request, id_number: str = Form(""), name: str = Form("")):
    portal = portal_of(request)
    service = _service(portal)
    applicant = normalize_id_number(id_number or "")
    name = name.strip()
    error = None
    if not applicant or validate_id_number(applicant) is not None:
        error = "身份证号码有误，请核对后重新填写（18 位，最后一位可能是 X）。"
    elif not name or len(name) > 40:
        error = "请填写本人姓名。"
    if error:
        return page(request, "verify_start.html", status_code=400, service=service, error=error,
                    typed={"name": name[:40], "id_number": (id_number or "").strip()[:18]})
    for key in (NONCE, OUTCOME):
        request.session.pop(key, None)
    request.session[IDENTITY] = portal.identities.seal(applicant, name)
    return RedirectResponse("/verify/consent", status_code=303)


# Consent --------------------------------------------------------------------------------------

@router.get("/verify/consent")
def consent_form(request: Request):
    portal = portal_of(request)
    if portal.identities.open(request.session.get(IDENTITY)) is None:
        return _start_over(request)
    return page(request, "verify_consent.html", service=_service(portal), notice=FACE_NOTICE,
                notice_version=FACE_NOTICE_VERSION, alternatives=ALTERNATIVE_LABELS)


@router.post("/verify/consent", dependencies=[Depends(require_csrf)])
def consent(request: Request, choice: str = Form("")):
    portal = portal_of(request)
    applicant, _ = _identity(request)
    if choice not in ("agree", "decline"):
        raise HTTPException(400, "请选择“同意”或“不同意”。")
    granted = choice == "agree"
    ConsentBook(portal.archive).record(applicant, granted=granted, channel=CHANNEL, actor=CITIZEN)
    log.info("consent to face processing %s on the portal", "given" if granted else "declined")
    request.session.pop(NONCE, None)
    if not granted:
        request.session[OUTCOME] = {"status": "declined", "reasons": [], "message": ""}
        return RedirectResponse("/verify/alternative", status_code=303)
    request.session.pop(OUTCOME, None)
    return RedirectResponse("/verify/record", status_code=303)


# The challenge and the recording ----------------------------------------------------------------

def _challenge(portal, request: Request, applicant: str, actions: list[Action] | None):
    """The challenge held in the session if it can still be answered, else a new one."""
    store = ChallengeStore(portal.archive.store)
    nonce = request.session.get(NONCE)
    now = datetime.now(timezone.utc)
    if nonce:
        try:
            held = store.get(nonce)
            used = store.store.exists(f"verification/used/{nonce}.json")
            if not used and not held.expired(now + timedelta(seconds=30)):
                return held
        except ChallengeRejected:
            pass
    s = portal.settings
    challenge = store.issue(ttl_seconds=s.challenge_ttl_seconds, max_seconds=s.challenge_max_video_seconds,
                            citizen_key=portal.archive.citizen_key(applicant), actions=actions, now=now)
    request.session[NONCE] = challenge.nonce
    return challenge


@router.get("/verify/record")
def record(request: Request, actions: list[Action] | None = Depends(challenge_actions)):
    portal = portal_of(request)
    found = portal.identities.open(request.session.get(IDENTITY))
    if found is None:
        return _start_over(request)
    applicant, _ = found
    if not ConsentBook(portal.archive).given(applicant, actor=CITIZEN):
        return RedirectResponse("/verify/consent", status_code=303)
    challenge = _challenge(portal, request, applicant, actions)
    prompts = [ACTION_LABELS[a] for a in challenge.actions]
    seconds = min(2 + 3 * len(prompts), int(challenge.max_seconds))
    return page(request, "verify_record.html", service=_service(portal), challenge=challenge, prompts=prompts,
                seconds=seconds, max_mb=portal.settings.max_upload_bytes // (1024 * 1024),
                expires=challenge.expires_at.astimezone().strftime("%H:%M"))


@router.post("/verify/video", dependencies=[Depends(require_csrf)])
async def video(request: Request, video: UploadFile | None = File(None)):
    portal = portal_of(request)
    portal.limiter.check("verify", client_of(request), portal.settings.portal_verify_per_minute)
    applicant, _ = _identity(request)
    nonce = request.session.get(NONCE)
    if not nonce:
        raise HTTPException(409, "请先获取动作提示，再录制视频。")
    limit = portal.settings.max_upload_bytes
    data = await video.read(limit + 1) if video is not None else b""
    if not data:
        raise HTTPException(400, "没有收到视频，请重新录制或选择视频文件。")
    if len(data) > limit:
        raise HTTPException(413, f"视频超过 {limit // (1024 * 1024)} MB，请缩短录制时间后重试。")
    if not looks_like_video(data):
        raise HTTPException(415, "这不是视频文件（按文件内容判断），请录制或选择一段视频。")
    request.session.pop(NONCE, None)  # used up either way
    if portal.settings.redis_url:
        submission_id = await run_in_threadpool(_queue, portal, applicant, data, nonce)
        request.session[OUTCOME] = {"status": "queued", "submission": submission_id, "reasons": [], "message": ""}
    else:
        request.session[OUTCOME] = await run_in_threadpool(_certify, portal, applicant, data, nonce)
    return RedirectResponse("/verify/result", status_code=303)


def _queue(portal, applicant: str, data: bytes, nonce: str) -> str:
    """With Redis configured: the workers' verification queue (workers/verification.py) runs
    the same process_remote; the result page waits for its decision."""
    from workers.submit import submit

    name = "recording.webm" if data[:4] == b"\x1aE\xdf\xa3" else "recording.mp4"
    return submit(portal.applications.ctx, [(name, data)], _service(portal), applicant, _today(portal), nonce=nonce)


def _queued_outcome(portal, applicant: str, submission_id: str) -> dict | None:
    """The workers' decision in the result page's terms; None while they are still at it."""
    if portal.applications.progress(submission_id).get("state") not in ("decided", "failed"):
        return None
    try:
        result = portal.archive.load_submission(submission_id, actor=CITIZEN, purpose="pensioner sees the result")
    except NotFoundError:
        return None
    message = "；".join(f.message for f in result.blockers)
    if result.decision is Decision.ACCEPTED:
        return {"status": "certified", "reasons": [], "message": ""}
    events = portal.archive.history(applicant, actor=CITIZEN, purpose="pensioner sees the result")
    decided = [e.verification for e in sorted(events, key=lambda e: e.at)
               if e.verification is not None and e.at >= result.received_at]
    if not decided:
        consent = ConsentBook(portal.archive).given(applicant, actor=CITIZEN)
        return {"status": "not_certified" if consent else "consent_required", "reasons": [], "message": message}
    status = "review" if decided[-1].decision == "review" else "not_certified"
    return {"status": status, "reasons": list(decided[-1].reasons), "message": message}


def _certify(portal, applicant: str, data: bytes, nonce: str) -> dict:
    """In-process: the same process_remote the workers run, so each attempt is an application in
    the archive; one the machine sends to a person (`review`) becomes a case in the reviewer
    console, whose approve / reject resolves it (portal/reviewer.py)."""
    from pipeline.remote import process_remote
    from pipeline.verify import VerifyOptions
    from portal.intake import index_result

    s = portal.settings
    name = "recording.webm" if data[:4] == b"\x1aE\xdf\xa3" else "recording.mp4"
    with _lock(portal):
        result = process_remote([(name, data)], _service(portal), applicant, portal.archive, _today(portal),
                                options=VerifyOptions.from_settings(s), period_days=s.certification_period_days,
                                nonce=nonce)
    if result.certification == "review":
        index_result(portal.store, portal.archive, result, revision=0, previous=None)
    reasons = [r.value for r in result.verification.reasons] if result.verification else []
    log.info("portal verification: %s %s", result.certification, ",".join(reasons))
    message = "；".join(f.message for f in result.blockers)
    return {"status": result.certification, "reasons": reasons, "message": message}


def _today(portal) -> date:
    return getattr(portal.applications, "today", date.today)()


# The result and the alternatives ----------------------------------------------------------------

@router.get("/verify/result")
def result(request: Request):
    portal = portal_of(request)
    outcome = request.session.get(OUTCOME)
    found = portal.identities.open(request.session.get(IDENTITY))
    if not outcome or found is None:
        return _start_over(request)
    if outcome["status"] == "queued":
        decided = _queued_outcome(portal, found[0], outcome["submission"])
        if decided is None:
            return page(request, "verify_wait.html", service=_service(portal))
        request.session[OUTCOME] = outcome = decided
    reasons = [REASON_TEXT[Reason(r)] for r in outcome["reasons"] if r in Reason._value2member_map_]
    if outcome["status"] == "consent_required" and not reasons:
        reasons = [REASON_TEXT[Reason.CONSENT_MISSING]]
    until = _today(portal) + timedelta(days=portal.settings.certification_period_days - 1)
    return page(request, "verify_result.html", service=_service(portal), outcome=outcome, reasons=reasons,
                until=until, alternatives=ALTERNATIVE_LABELS)


@router.get("/verify/alternative")
def alternative_form(request: Request):
    portal = portal_of(request)
    if portal.identities.open(request.session.get(IDENTITY)) is None:
        return _start_over(request)
    outcome = request.session.get(OUTCOME) or {}
    earliest = _today(portal) + timedelta(days=1)
    return page(request, "verify_alternative.html", service=_service(portal), outcome=outcome,
                alternatives=ALTERNATIVE_LABELS, earliest=earliest.isoformat(), booked=None, error=None)


@router.post("/verify/alternative", dependencies=[Depends(require_csrf)])
def book(request: Request, method: str = Form(""), preferred: str = Form("")):
    from portal.bookings import book_alternative

    portal = portal_of(request)
    applicant, _ = _identity(request)
    try:
        chosen = Alternative(method)
    except ValueError:
        raise HTTPException(400, "请选择一种认证方式。") from None
    day = None
    if preferred:
        try:
            day = date.fromisoformat(preferred)
        except ValueError:
            raise HTTPException(400, "希望的日期格式不对，请重新选择。") from None
        if day <= _today(portal) or day > _today(portal) + timedelta(days=60):
            raise HTTPException(400, "希望的日期请选在明天起 60 天以内。")
    outcome = request.session.get(OUTCOME) or {}
    reference = book_alternative(portal, _service(portal), applicant, chosen, day, outcome)
    return page(request, "verify_alternative.html", service=_service(portal), outcome=outcome,
                alternatives=ALTERNATIVE_LABELS, earliest=None, error=None,
                booked={"reference": reference, "method": ALTERNATIVE_LABELS[chosen], "day": day})
