"""Remote certification by video (远程视频认证), as the `pension_certification` service does it:

1. consent first: without a recorded, unwithdrawn consent to face processing nothing of the
   video is stored or looked at; the citizen is told so and offered the alternatives
   (in person, or a reviewer's video call, `record_alternative`);
2. the challenge issued to the citizen is used up (unknown / reused / expired fail at once);
3. the raw video goes to the biometric vault (apart from identity data, its own key);
4. the reference: the portrait cut from the latest ID-card front on record (the card
   straightened from its recorded outline, the photo on its right), else the template of an
   earlier accepted verification;
5. verify; the decision is recorded in the history (`Archive.record_verification`), which
   deletes the raw video at once unless `biometric_raw_retention_days` says otherwise;
   a pass keeps a template for next year and certifies the pensioner; a borderline match keeps
   only the key frames for the reviewer (`resolve_review` ends that).
Every read and write above is audited by the archive."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import cv2
import numpy as np

from models.faces import ENCODING_MODEL, FaceModels, face_models
from pipeline.certify import CertificationLedger, certify
from pipeline.challenge import ChallengeRejected, ChallengeStore
from pipeline.consent import ConsentBook
from pipeline.ingest import decode
from pipeline.locate import DocumentKind, Located, rectify
from pipeline.orient import rotate_image
from pipeline.verify import Reference, Verification, VerifyOptions, reference_from_image, verify
from schemas.archive import BiometricKind, BiometricRef, VerificationRecord
from schemas.catalog import Service
from schemas.certification import RemoteSubmissionResult, Source
from schemas.consent import ALTERNATIVE_LABELS, Alternative
from schemas.documents import DocType
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, new_submission_id
from schemas.verification import (
    REASON_TEXT,
    Liveness,
    MatchResult,
    Reason,
    VerificationDecision,
    VerificationResult,
)
from storage.archive import Archive
from storage.history import derive_state

ACTOR = "remote-verification"
VIDEO_SIGNATURES = (b"ftyp", b"moov", b"mdat")
PORTRAIT_AREAS = ((0.58, 0.08, 0.96, 0.76), (0.04, 0.08, 0.42, 0.76))
"""Where the photo is on an upright, straightened ID card (x0, y0, x1, y1 as shares): on the
right of the front; the left is tried too, for cards read the other way round."""
ALTERNATIVES_TEXT = "；".join(ALTERNATIVE_LABELS[a] for a in Alternative)


@dataclass
class RemoteCertification:
    """The outcome: `certified`, `not_certified`, `review` (a person decides) or
    `consent_required` (nothing was processed)."""

    status: str
    verification: VerificationResult | None
    message: str
    alternatives: list[Alternative] = field(default_factory=lambda: list(Alternative))


def looks_like_video(data: bytes) -> bool:
    head = data[:64]
    return (head[4:8] in VIDEO_SIGNATURES or head[:4] == b"\x1aE\xdf\xa3"
            or (head[:4] == b"RIFF" and head[8:12] == b"AVI "))


def certify_by_video(archive: Archive, citizen: str, video: bytes, *, models: FaceModels | None = None,
                     options: VerifyOptions = VerifyOptions(), challenges: ChallengeStore | None = None,
                     nonce: str | None = None, period_days: int = 365, today: date | None = None,
                     now: datetime | None = None, actor: str = ACTOR,
                     stored: BiometricRef | None = None) -> RemoteCertification:
    """`stored`: the video is in the biometric vault already (the workers put it there when it
    was submitted, after checking consent); it is not stored a second time."""
    now = now or datetime.now(timezone.utc)
    today = today or now.astimezone().date()
    if not ConsentBook(archive).given(citizen, actor=actor):
        return RemoteCertification("consent_required", None, REASON_TEXT[Reason.CONSENT_MISSING])
    challenges = challenges or ChallengeStore(archive.store)
    ck = archive.citizen_key(citizen)
    try:
        challenge = challenges.latest_for(ck) if nonce is None else challenges.get(nonce)
        challenge = challenges.redeem(challenge.nonce, citizen_key=ck, now=now)
    except ChallengeRejected as exc:
        result = _refused(exc.reason, options, challenge_nonce=nonce)
        archive.record_verification(citizen, _record(result, []), actor=actor, purpose="remote certification")
        return RemoteCertification("not_certified", result, REASON_TEXT[exc.reason])

    if stored is None:
        stored = archive.put_biometric(citizen, BiometricKind.VIDEO, video, actor=actor,
                                       purpose="remote certification: selfie video")
    models = models or face_models()
    reference, why = find_reference(archive, citizen, models, actor=actor)
    verification = _verify_bytes(video, reference, why, models, options, challenge, now)
    result = verification.result
    template = None
    if result.decision is VerificationDecision.PASS and verification.encoding is not None:
        template = archive.put_biometric(citizen, BiometricKind.TEMPLATE, template_bytes(verification.encoding, now),
                                         actor=actor, purpose="remote certification: face template for next year")
    archive.record_verification(citizen, _record(result, [stored.ref], template), actor=actor,
                                purpose="remote certification: decision")
    if result.decision is VerificationDecision.REVIEW:
        package = review_package(verification, reference)
        archive.put_biometric(citizen, BiometricKind.SELFIE, package, actor=actor,
                              purpose="remote certification: key frames for the reviewer")
        return RemoteCertification("review", result, "；".join(result.messages) or "已转人工核验")
    if result.decision is VerificationDecision.PASS:
        certify(CertificationLedger(archive, period_days=period_days), citizen, Source.FACE, today,
                result.nonce, actor=actor)
        return RemoteCertification("certified", result, "认证通过")
    return RemoteCertification("not_certified", result, "；".join(result.messages))


def _verify_bytes(video: bytes, reference: Reference | None, why: Reason | None, models: FaceModels,
                  options: VerifyOptions, challenge, now: datetime) -> Verification:
    """verify() on a private temporary copy (FFmpeg reads files), deleted straight after."""
    with tempfile.TemporaryDirectory(prefix="ow-verify-") as folder:
        path = os.path.join(folder, "probe")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(video)
        return verify(reference, path, models, options, challenge=challenge, now=now, reference_reason=why)


def _refused(reason: Reason, options: VerifyOptions, challenge_nonce: str | None) -> VerificationResult:
    return VerificationResult(decision=VerificationDecision.FAIL, reasons=[reason], nonce=challenge_nonce,
                              match=MatchResult(threshold=options.threshold, review_margin=options.review_margin),
                              liveness=Liveness(assessed=False))


def _record(result: VerificationResult, probes: list[str], template: BiometricRef | None = None) -> VerificationRecord:
    liveness: dict[str, float | bool | str] = {
        "assessed": result.liveness.assessed,
        "challenge": ",".join(result.liveness.challenge),
        "missing": ",".join(result.liveness.missing),
    }
    liveness.update({k: v for k, v in result.liveness.checks.items() if isinstance(v, (int, float, bool, str))})
    return VerificationRecord(decision=result.decision.value, distance=result.match.distance,
                              threshold=result.match.threshold, liveness=liveness,
                              reasons=[r.value for r in result.reasons], probes=probes,
                              template=template.ref if template else None)


def template_bytes(encoding: np.ndarray, now: datetime) -> bytes:
    return json.dumps({"model": ENCODING_MODEL, "encoding": [round(float(v), 6) for v in encoding],
                       "created_at": now.isoformat()}).encode()


def review_package(verification: Verification, reference: Reference | None) -> bytes:
    """What the reviewer needs, nothing more: the key frames, the reference face, the result,
    and the encoding (a template if the reviewer approves). Raw, so it goes with the decision."""
    frames = [{"t": frame.t, "role": frame.role, "jpeg": base64.b64encode(data).decode()}
              for frame, data in verification.pictures]
    if reference is not None and reference.picture is not None:
        ok, data = cv2.imencode(".jpg", reference.picture, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if ok:
            frames.append({"t": 0.0, "role": f"reference:{reference.source}", "jpeg": base64.b64encode(data).decode()})
    encoding = verification.encoding.tolist() if verification.encoding is not None else None
    return json.dumps({"result": verification.result.model_dump(mode="json"), "frames": frames,
                       "encoding": encoding}).encode()


# The reference ------------------------------------------------------------------------------

def find_reference(archive: Archive, citizen: str, models: FaceModels, *,
                   actor: str = ACTOR) -> tuple[Reference | None, Reason | None]:
    """The ID-card portrait on record, else the template of the last accepted verification;
    (None, the reason) if neither gives a face."""
    events = archive.history(citizen, actor=actor, purpose="remote certification: find the reference portrait")
    state = derive_state(archive.citizen_key(citizen), events)
    card = state.documents.get(DocType.ID_CARD_FRONT)
    if card is not None and card.sha256:
        reading = next((d for e in reversed(sorted(events, key=lambda e: (e.at, e.event_id)))
                        for d in e.documents if d.doc_type is DocType.ID_CARD_FRONT
                        and (d.sha256 in (None, card.sha256))), None)
        image = decode(archive.get_upload(card.sha256, citizen=citizen, actor=actor,
                                          purpose="remote certification: reference portrait"))[0].image
        portrait = card_portrait(image, reading.document_region if reading else None,
                                 reading.orientation if reading else 0, models)
        if portrait is not None:
            reference = reference_from_image(portrait, models, source="id_card_front")
            if reference is not None:
                return reference, None
    template = _accepted_template(state)
    if template is not None:
        data = json.loads(archive.get_biometric(citizen, template, actor=actor,
                                                purpose="remote certification: last year's template"))
        if data.get("model") == ENCODING_MODEL:
            return Reference(np.asarray(data["encoding"], np.float32), "template"), None
    return None, Reason.REFERENCE_NO_FACE if card is not None else Reason.NO_REFERENCE


def _accepted_template(state) -> BiometricRef | None:
    verification = state.last_verification
    if verification is None or verification.decision != "pass" or not verification.template:
        return None
    return next((ref for ref in state.biometrics if ref.ref == verification.template), None)


def card_portrait(image: np.ndarray, region, orientation: int, models: FaceModels) -> np.ndarray | None:
    """The photo on an ID card front: straighten the card from its recorded outline, turn it
    upright, and take the photo area that holds a face; failing that, the whole upload if it
    holds exactly one face."""
    if region is not None:
        located = Located(DocumentKind.CARD, np.array(region, np.float32), 1.0, False)
        flat, _ = rectify(image, located, 1012)
        card = rotate_image(flat, orientation)
        h, w = card.shape[:2]
        for x0, y0, x1, y1 in PORTRAIT_AREAS:
            area = card[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)]
            if models.detect(area, side=None, upsample=1):
                return area
    boxes = models.detect(image, side=1600, upsample=1)
    if len(boxes) == 1:
        box = boxes[0]
        m = int(0.6 * box.width)
        return image[max(box.top - m, 0):box.bottom + m, max(box.left - m, 0):box.right + m]
    return None


# Reviewers and alternatives -----------------------------------------------------------------

def resolve_review(archive: Archive, citizen: str, *, approve: bool, reviewer: str, note: str = "",
                   period_days: int = 365, today: date | None = None) -> VerificationRecord:
    """A reviewer's decision on a verification sent to review. Recording it deletes the key
    frames (raw biometrics); an approval keeps the encoding as next year's template."""
    today = today or date.today()
    state = archive.current_state(citizen, actor=reviewer, purpose="review of a remote certification")
    held = sorted((r for r in state.biometrics if r.kind is BiometricKind.SELFIE), key=lambda r: r.stored_at)
    template = None
    if approve and held:
        package = json.loads(archive.get_biometric(citizen, held[-1], actor=reviewer,
                                                   purpose="review of a remote certification"))
        if package.get("encoding"):
            now = datetime.now(timezone.utc)
            template = archive.put_biometric(citizen, BiometricKind.TEMPLATE,
                                             template_bytes(np.asarray(package["encoding"]), now),
                                             actor=reviewer, purpose="approved by reviewer: face template")
    record = VerificationRecord(decision="pass" if approve else "fail",
                                reasons=[f"reviewer: {note}" if note else "reviewer"],
                                probes=[r.ref for r in held], template=template.ref if template else None)
    archive.record_verification(citizen, record, actor=reviewer, purpose="review of a remote certification")
    if approve:
        certify(CertificationLedger(archive, period_days=period_days), citizen, Source.FACE, today,
                f"reviewed by {reviewer}", actor=reviewer)
    return record


def record_alternative(archive: Archive, citizen: str, method: Alternative, *, by: str, on: date | None = None,
                       note: str | None = None, period_days: int = 365) -> None:
    """Certification without a face match: at the counter, or on a reviewer's video call."""
    source = Source.IN_PERSON if method is Alternative.IN_PERSON else Source.VIDEO_CALL
    certify(CertificationLedger(archive, period_days=period_days), citizen, source, on or date.today(),
            f"{by}: {note}" if note else by, actor=by)


# The service --------------------------------------------------------------------------------

def process_remote(uploads: list[tuple[str, bytes]], service: Service, applicant: str | None, archive: Archive,
                   today: date | None = None, *, options: VerifyOptions | None = None,
                   models: FaceModels | None = None, period_days: int | None = None,
                   submission_id: str | None = None, received_at: datetime | None = None,
                   nonce: str | None = None, stored: BiometricRef | None = None) -> RemoteSubmissionResult:
    """`onewindow process VIDEO --service pension_certification --applicant ID`: one video,
    certified by `certify_by_video`, recorded as an application that is accepted (certified)
    or flagged (with why, and the alternatives). Settings are read here when not passed, as
    process_submission has no place for them. The workers pass the id and time they gave the
    application at submission, the challenge's nonce if one was named, and the vault reference
    of the video they already stored (workers/verification.py)."""
    received_at = received_at or datetime.now(timezone.utc)
    today = today or received_at.astimezone().date()
    if options is None or period_days is None:
        from schemas.settings import Settings

        settings = Settings()
        options = options or VerifyOptions.from_settings(settings)
        period_days = period_days or settings.certification_period_days
    videos = [(name, data) for name, data in uploads if looks_like_video(data)]
    outcome: RemoteCertification | None = None
    if not applicant:
        message = "远程认证需要填写申请人身份证号。"
    elif len(videos) != 1:
        message = "请上传一段本人按提示动作录制的视频（仅一段）。"
    else:
        outcome = certify_by_video(archive, applicant, videos[0][1], models=models, options=options,
                                   period_days=period_days, today=today, nonce=nonce, stored=stored)
        message = outcome.message
    certified = outcome is not None and outcome.status == "certified"
    findings = [] if certified else [Finding(
        code=FindingCode.VERIFICATION_FAILED, severity=Severity.BLOCKER, file=videos[0][0] if videos else None,
        message=message + ("" if outcome and outcome.status in ("review", "consent_required")
                           else f" 也可选择：{ALTERNATIVES_TEXT}。"))]
    result = RemoteSubmissionResult(
        submission_id=submission_id or new_submission_id(received_at), service=service.id, service_name=service.name,
        decision=Decision.ACCEPTED if certified else Decision.FLAGGED, applicant=applicant,
        submitted_on=today, received_at=received_at, findings=findings, archive=archive.location,
        verification=outcome.verification if outcome else None,
        certification=outcome.status if outcome else "not_certified",
        alternatives=[a.value for a in Alternative],
    )
    if applicant:
        archive.save_submission(result, actor=ACTOR, purpose=f"remote certification {service.id}")
    result.timings = {"total": round((datetime.now(timezone.utc) - received_at).total_seconds(), 3)}
    return result
