"""The JSON API for other government systems (OpenAPI at /api/openapi.json). Callers send an
`X-API-Key` from ONEWINDOW_PORTAL_API_KEYS; the service list is public. Results carry full
values, like `onewindow process --json`; ID numbers travel only in bodies, never in URLs."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, File, Form, Header, HTTPException, Request, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from pipeline.fields import normalize_id_number, validate_id_number
from portal.app import portal_of
from portal.citizen import inputs_problem, stated_inputs
from portal.security import client_of, read_uploads
from schemas.catalog import Service, UnknownServiceError
from schemas.submission import SubmissionResult

router = APIRouter(prefix="/api/v1", tags=["api"])


class CaseStatus(BaseModel):
    submission_id: str
    """The application's id: poll `GET /api/v1/applications/{submission_id}` with it (the
    result is null while the workers read)."""
    status: str
    """processing | accepted | pending | waiting | approved | rejected"""
    machine_decision: str
    reviewer_decision: str | None = None
    reason: str | None = None
    requested_item: str | None = None
    revision: int


class ApplicationOut(BaseModel):
    case: CaseStatus
    result: SubmissionResult | None = None
    """None while the workers are still reading it (case.status = processing)."""


def _require_key(request: Request, key: str | None) -> None:
    configured = portal_of(request).settings.portal_api_keys
    if configured is None:
        raise HTTPException(503, "the API is not enabled (ONEWINDOW_PORTAL_API_KEYS)")
    keys = [k.strip() for k in configured.get_secret_value().split(",") if k.strip()]
    if not key or not any(hmac.compare_digest(key, k) for k in keys):
        raise HTTPException(401, "missing or wrong X-API-Key")


def _out(portal, submission_id: str, actor: str) -> ApplicationOut:
    case = portal.store.case(submission_id)
    if case is None:
        raise HTTPException(404, "no such application")
    case = portal.applications.sync(case)
    result = None
    if case.status != "processing":
        result = portal.archive.load_submission(submission_id, actor=actor, purpose="API read of application")
    return ApplicationOut(case=CaseStatus(submission_id=case.submission_id, status=case.status,
                                          machine_decision=case.machine_decision,
                                          reviewer_decision=case.reviewer_decision, reason=case.reason,
                                          requested_item=case.requested_item, revision=case.revision),
                          result=result)


@router.get("/services", response_model=list[Service])
def services(request: Request):
    """Every service with the materials it needs."""
    return list(portal_of(request).catalog)


@router.post("/applications", response_model=ApplicationOut, status_code=201)
async def create(request: Request, service: str = Form(...), id_number: str = Form(...), name: str = Form(...),
                 files: list[UploadFile] = File(...), x_api_key: str | None = Header(None)):
    """Hand in an application; pre-review runs before the response (in-process). The service's
    declared inputs (GET /api/v1/services) go as form fields `input_<id>`, e.g. `input_post_category`."""
    _require_key(request, x_api_key)
    portal = portal_of(request)
    portal.limiter.check("upload", client_of(request), portal.settings.portal_upload_per_minute)
    try:
        svc = portal.catalog.get(service)
    except UnknownServiceError:
        raise HTTPException(404, "unknown service") from None
    applicant = normalize_id_number(id_number)
    if not applicant or validate_id_number(applicant) is not None:
        raise HTTPException(422, "id_number is not a valid ID number")
    stated = await stated_inputs(request, svc)
    problem = inputs_problem(svc, stated)
    if problem:
        raise HTTPException(422, problem)
    uploads = await read_uploads(files, max_files=portal.settings.portal_max_files,
                                 max_bytes=portal.settings.max_upload_bytes)
    submission_id = await run_in_threadpool(portal.applications.submit, svc, applicant, name.strip(), uploads,
                                            stated)
    return _out(portal, submission_id, "api")


@router.get("/applications/{submission_id}", response_model=ApplicationOut)
def read(request: Request, submission_id: str, x_api_key: str | None = Header(None)):
    _require_key(request, x_api_key)
    return _out(portal_of(request), submission_id, "api")


@router.post("/applications/{submission_id}/uploads", response_model=ApplicationOut)
async def add_uploads(request: Request, submission_id: str, files: list[UploadFile] = File(...),
                      x_api_key: str | None = Header(None)):
    """Re-upload only what was missing or wrong into the same application."""
    _require_key(request, x_api_key)
    portal = portal_of(request)
    case = portal.store.case(submission_id)
    if case is None:
        raise HTTPException(404, "no such application")
    if not case.open:
        raise HTTPException(409, "the application is closed or still being read")
    uploads = await read_uploads(files, max_files=portal.settings.portal_max_files,
                                 max_bytes=portal.settings.max_upload_bytes)
    await run_in_threadpool(portal.applications.reupload, submission_id, uploads)
    return _out(portal, submission_id, "api")
