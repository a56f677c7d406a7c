"""The reviewer console: login, the queue of flagged applications, one application's gaps beside
the crops they come from, and the actions — claim / release, approve, reject with a reason, ask
the citizen for one item. ID numbers stay masked unless revealed; every view and reveal is read
through the archive, which audits it; the machine's decision and the reviewer's are both kept."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from portal.app import portal_of
from portal.auth import Staff, current_staff
from portal.citizen import document_image, finding_image, jpeg, page
from portal.intake import is_reused
from portal.security import check_password, client_of, require_csrf
from portal.store import Status, utcnow
from schemas.archive import AuditAction

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


@router.get("/console/login")
def login_form(request: Request):
    return page(request, "login.html", error=None)


@router.post("/console/login", dependencies=[Depends(require_csrf)])
def login(request: Request, username: str = Form(""), password: str = Form("")):
    portal = portal_of(request)
    portal.limiter.check("login", client_of(request), portal.settings.portal_login_per_minute)
    user = portal.store.user(username.strip())
    ok = check_password(user.password_hash if user and user.active else None, password)
    if not ok:
        return page(request, "login.html", status_code=401, error="用户名或密码不正确。")
    request.session.clear()
    request.session["staff"] = user.name
    return RedirectResponse("/console", status_code=303)


@router.post("/console/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request):
    request.session.clear()
    return RedirectResponse("/console/login", status_code=303)


@router.get("/console")
def queue(request: Request, staff: Staff = Depends(current_staff), service: str = "", code: str = "",
          age: int = 0, status: str = "open"):
    portal = portal_of(request)
    statuses = {"open": (Status.PENDING, Status.WAITING), "pending": (Status.PENDING,),
                "waiting": (Status.WAITING,), "done": (Status.APPROVED, Status.REJECTED)}.get(status)
    older = (datetime.now(timezone.utc) - timedelta(hours=age)).isoformat(timespec="seconds") if age else None
    catch_up(portal)
    cases = portal.store.cases(statuses=statuses, service=service or None, code=code or None, older_than=older)
    return page(request, "queue.html", staff=staff, cases=cases, services=list(portal.catalog),
                filters={"service": service, "code": code, "age": age, "status": status},
                now=datetime.now(timezone.utc))


def catch_up(portal) -> None:
    """Index the applications the workers have decided since the last look."""
    for pending in portal.store.cases(statuses=(Status.PROCESSING,)):
        portal.applications.sync(pending)


def _case(request: Request, submission_id: str):
    portal = portal_of(request)
    case = portal.store.case(submission_id)
    if case is None:
        raise HTTPException(404, "没有这个申请。")
    return portal, case


@router.get("/console/cases/{submission_id}")
def detail(request: Request, submission_id: str, staff: Staff = Depends(current_staff)):
    return _detail(request, submission_id, staff, reveal=False)


@router.post("/console/cases/{submission_id}/reveal", dependencies=[Depends(require_csrf)])
def reveal(request: Request, submission_id: str, staff: Staff = Depends(current_staff)):
    return _detail(request, submission_id, staff, reveal=True)


def _detail(request: Request, submission_id: str, staff: Staff, *, reveal: bool):
    portal, case = _case(request, submission_id)
    purpose = "reviewer reveals ID numbers" if reveal else "reviewer views application"
    result = portal.archive.load_submission(submission_id, actor=staff.actor, purpose=purpose)
    gaps = [(i, f) for i, f in enumerate(result.findings) if f.severity == "blocker"]
    notes = [(i, f) for i, f in enumerate(result.findings) if f.severity != "blocker"]
    documents = [(i, d) for i, d in enumerate(result.documents)]
    return page(request, "case.html", staff=staff, case=case, result=result, gaps=gaps, notes=notes,
                documents=documents, reveal=reveal, is_reused=is_reused,
                service=portal.catalog.get(result.service))


def _audit_action(portal, case, staff: Staff, purpose: str) -> None:
    scope = case.citizen_key or "system"
    portal.archive.audit_log.append(scope, actor=staff.actor, action=AuditAction.WRITE, purpose=purpose,
                                    objects=[f"portal/cases/{case.submission_id}"])


@router.post("/console/cases/{submission_id}/claim", dependencies=[Depends(require_csrf)])
def claim(request: Request, submission_id: str, staff: Staff = Depends(current_staff), release: str = Form("")):
    portal, case = _case(request, submission_id)
    if release:
        if case.claimed_by not in (None, staff.name) and not staff.is_admin:
            raise HTTPException(403, "只能释放自己认领的申请。")
        portal.store.claim(submission_id, None)
    elif not portal.store.claim(submission_id, staff.name):
        raise HTTPException(409, f"此申请已由 {case.claimed_by} 认领。")
    return RedirectResponse(f"/console/cases/{submission_id}", status_code=303)


@router.post("/console/cases/{submission_id}/decide", dependencies=[Depends(require_csrf)])
def decide(request: Request, submission_id: str, staff: Staff = Depends(current_staff),
           action: str = Form(...), reason: str = Form(""), item: str = Form("")):
    portal, case = _case(request, submission_id)
    if not case.open:
        raise HTTPException(409, "此申请已办结。")
    if case.claimed_by not in (None, staff.name):
        raise HTTPException(409, f"此申请已由 {case.claimed_by} 认领。")
    reason = reason.strip()[:500]
    if action == "approve":
        case.status, case.reviewer_decision = Status.APPROVED, "approved"
    elif action == "reject":
        if not reason:
            raise HTTPException(400, "驳回须填写理由。")
        case.status, case.reviewer_decision = Status.REJECTED, "rejected"
    elif action == "request":
        service = portal.catalog.get(case.service)
        material = next((m for m in service.materials if m.id == item), None)
        if material is None:
            raise HTTPException(400, "请选择要求补充的材料。")
        case.status, case.reviewer_decision, case.requested_item = Status.WAITING, "requested_item", material.id
    else:
        raise HTTPException(400, "未知操作。")
    case.reviewer, case.reason = staff.name, reason or None
    if case.status in (Status.APPROVED, Status.REJECTED):
        _resolve_verification(portal, case, staff)
    _record_in_archive(portal, case, staff)
    case.decided_at = case.updated_at = utcnow()
    case.claimed_by = None
    portal.store.put_case(case)
    item = f" {case.requested_item}" if case.status == Status.WAITING else ""
    _audit_action(portal, case, staff, f"reviewer decision: {case.reviewer_decision}{item}")
    if not case.open:
        portal.applications.closed(submission_id)
    return RedirectResponse("/console", status_code=303)


def _resolve_verification(portal, case, staff: Staff) -> None:
    """A remote certification the machine sent to a person (distance near the threshold): the
    reviewer's approve certifies the pensioner and keeps the template, reject records a fail;
    either way the key frames go (pipeline.remote.resolve_review)."""
    service = portal.catalog.get(case.service)
    if not service.remote_verification:
        return
    result = portal.archive.load_submission(case.submission_id, actor=staff.actor,
                                            purpose="reviewer decides a remote certification")
    if not result.applicant:
        return
    state = portal.archive.current_state(result.applicant, actor=staff.actor,
                                         purpose="reviewer decides a remote certification")
    if state.last_verification is None or state.last_verification.decision != "review":
        return  # a booking or a plain failure: nothing is waiting for a person's match decision
    from pipeline.remote import resolve_review

    resolve_review(portal.archive, result.applicant, approve=case.status == Status.APPROVED,
                   reviewer=staff.actor, note=case.reason or "", today=getattr(portal.applications, "today", date.today)(),
                   period_days=portal.settings.certification_period_days)


def _record_in_archive(portal, case, staff: Staff) -> None:
    """Dual-track: the reviewer's decision goes into the citizen's history beside the machine's
    (the archive is the system of record; `onewindow report agreement` reads it from there)."""
    from pipeline.dualtrack import NoHistoryError, record_reviewer_decision

    try:
        record_reviewer_decision(portal.archive, case.submission_id, case.reviewer_decision, reviewer=staff.name,
                                 note=case.reason, revision=str(case.revision), actor=staff.actor,
                                 requested_item=case.requested_item if case.status == Status.WAITING else None)
    except NoHistoryError:
        log.warning("submission %s names no applicant: reviewer decision kept in the case store only",
                    case.submission_id)


@router.get("/console/cases/{submission_id}/findings/{index}.jpg")
def case_finding_image(request: Request, submission_id: str, index: int, staff: Staff = Depends(current_staff)):
    portal, case = _case(request, submission_id)
    result = portal.archive.load_submission(submission_id, actor=staff.actor, purpose="reviewer views document")
    if not 0 <= index < len(result.findings):
        raise HTTPException(404, "没有对应的图片。")
    return jpeg(finding_image(portal, result, result.findings[index], staff.actor, "reviewer views document"))


@router.get("/console/cases/{submission_id}/documents/{index}.jpg")
def case_document_image(request: Request, submission_id: str, index: int, full: bool = False,
                        staff: Staff = Depends(current_staff)):
    portal, case = _case(request, submission_id)
    result = portal.archive.load_submission(submission_id, actor=staff.actor, purpose="reviewer views document")
    return jpeg(document_image(portal, result, index, staff.actor, "reviewer views document", crop=not full))
