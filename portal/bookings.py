"""Alternatives to the face path, booked by the pensioner and carried out by a reviewer.

A booking (on declining consent, or after a failed verification) is kept as an application of
the `pension_certification` service in the archive — flagged, with a finding that says which
alternative and what day the pensioner asked for — and indexed as a case, so it waits in the
reviewer queue like any other. The reviewer who holds the video call, or the clerk at the
counter, records it from the case page: pipeline.remote.record_alternative certifies the
pensioner, and the case is closed as approved (the reviewer's decision beside the machine's)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from pipeline.dualtrack import record_reviewer_decision
from pipeline.remote import record_alternative
from portal.app import portal_of
from portal.auth import Staff, current_staff
from portal.intake import index_result
from portal.security import require_csrf
from portal.store import Status, utcnow
from schemas.archive import AuditAction
from schemas.catalog import Service
from schemas.certification import RemoteSubmissionResult
from schemas.consent import ALTERNATIVE_LABELS, Alternative
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, new_submission_id

router = APIRouter(include_in_schema=False)
ACTOR = "citizen"
WHY = {"declined": "本人不同意人脸识别", "not_certified": "视频认证未通过", "review": "视频认证待人工核验",
       "consent_required": "未取得人脸识别同意"}


def book_alternative(portal, service: Service, applicant: str, method: Alternative, day: date | None,
                     outcome: dict) -> str:
    """Keep the booking as a flagged application and index it; returns its reference (the
    random submission id, no personal data)."""
    received_at = datetime.now(timezone.utc)
    why = WHY.get(outcome.get("status", ""), "本人选择")
    when = f"，希望 {day:%Y年%m月%d日}" if day else ""
    message = f"申请人预约{ALTERNATIVE_LABELS[method].removeprefix('预约')}（{why}{when}）。请联系申请人完成核验后登记。"
    result = RemoteSubmissionResult(
        submission_id=new_submission_id(received_at), service=service.id, service_name=service.name,
        decision=Decision.FLAGGED, applicant=applicant, submitted_on=received_at.astimezone().date(),
        received_at=received_at, archive=portal.archive.location, certification="not_certified",
        findings=[Finding(code=FindingCode.VERIFICATION_FAILED, severity=Severity.BLOCKER, message=message)],
        alternatives=[method.value])
    portal.archive.save_submission(result, actor=ACTOR, purpose=f"pensioner books {method.value}")
    index_result(portal.store, portal.archive, result, revision=0, previous=None)
    return result.submission_id


@router.post("/console/cases/{submission_id}/alternative", dependencies=[Depends(require_csrf)])
def carried_out(request: Request, submission_id: str, method: str = Form(""), note: str = Form(""),
                staff: Staff = Depends(current_staff)):
    """The reviewer held the video call (or the clerk saw the pensioner at the counter):
    certify, and close the case as approved."""
    portal = portal_of(request)
    case = portal.store.case(submission_id)
    if case is None:
        raise HTTPException(404, "没有这个申请。")
    if case.service != "pension_certification" or not case.open:
        raise HTTPException(409, "此申请不是待办的资格认证。")
    if case.claimed_by not in (None, staff.name):
        raise HTTPException(409, f"此申请已由 {case.claimed_by} 认领。")
    try:
        chosen = Alternative(method)
    except ValueError:
        raise HTTPException(400, "请选择核验方式。") from None
    result = portal.archive.load_submission(submission_id, actor=staff.actor,
                                            purpose="reviewer records an alternative certification")
    if not result.applicant:
        raise HTTPException(409, "此申请没有申请人。")
    note = note.strip()[:200]
    today = getattr(portal.applications, "today", date.today)()
    record_alternative(portal.archive, result.applicant, chosen, by=staff.actor, on=today, note=note or None,
                       period_days=portal.settings.certification_period_days)
    case.status, case.reviewer_decision = Status.APPROVED, "approved"
    case.reviewer, case.reason = staff.name, f"{ALTERNATIVE_LABELS[chosen]}已完成" + (f"：{note}" if note else "")
    # dual-track: the reviewer's decision beside the machine's, in the citizen's history
    record_reviewer_decision(portal.archive, submission_id, "approved", reviewer=staff.name, note=case.reason,
                             revision=str(case.revision), actor=staff.actor)
    case.decided_at = case.updated_at = utcnow()
    case.claimed_by = None
    portal.store.put_case(case)
    portal.archive.audit_log.append(case.citizen_key or "system", actor=staff.actor, action=AuditAction.WRITE,
                                    purpose=f"reviewer certifies by {chosen.value}",
                                    objects=[f"portal/cases/{submission_id}"])
    portal.applications.closed(submission_id)
    return RedirectResponse("/console", status_code=303)
