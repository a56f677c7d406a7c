"""Citizens: the service list, an application, its result with each gap and what to do, re-upload
of only what is missing or wrong, and the private status link (a signed token, no account)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from pipeline.fields import normalize_id_number, validate_id_number
from portal.app import portal_of
from portal.images import full_jpeg, region_jpeg
from portal.intake import is_reused
from portal.security import UploadRejected, client_of, csrf_token, read_uploads, require_csrf
from portal.store import Status
from portal.views import ID_NUMBER_INPUTS, input_label
from schemas.catalog import UnknownServiceError
from schemas.errors import InputError

router = APIRouter(include_in_schema=False)
CITIZEN = "citizen"


def page(request: Request, name: str, status_code: int = 200, **context):
    context.setdefault("csrf", csrf_token(request))
    return portal_of(request).templates.TemplateResponse(request, name, context, status_code=status_code)


def _service(request: Request, service_id: str):
    try:
        return portal_of(request).catalog.get(service_id)
    except UnknownServiceError:
        raise HTTPException(404, "没有这个办理事项。") from None


@router.get("/")
def services(request: Request):
    return page(request, "services.html", services=list(portal_of(request).catalog))


@router.get("/services/{service_id}")
def service_form(request: Request, service_id: str):
    return page(request, "apply.html", service=_service(request, service_id), error=None, typed={})


@router.post("/services/{service_id}/apply", dependencies=[Depends(require_csrf)])
async def apply(request: Request, service_id: str, id_number: str = Form(""), name: str = Form(""),
                files: list[UploadFile] = File(default_factory=list)):
    portal = portal_of(request)
    service = _service(request, service_id)
    if service.remote_verification and not service.materials:
        raise HTTPException(409, "本事项通过视频认证办理，请从“开始认证”进入。")
    portal.limiter.check("upload", client_of(request), portal.settings.portal_upload_per_minute)
    applicant = normalize_id_number(id_number or "")
    stated = await stated_inputs(request, service)
    error, status = None, 400
    if not applicant or validate_id_number(applicant) is not None:
        error = "身份证号码有误，请核对后重新填写（18 位，最后一位可能是 X）。"
    elif not name.strip() or len(name.strip()) > 40:
        error = "请填写申请人姓名。"
    else:
        error = inputs_problem(service, stated)
    if error is None:
        try:
            uploads = await read_uploads(files, max_files=portal.settings.portal_max_files,
                                         max_bytes=portal.settings.max_upload_bytes)
        except UploadRejected as exc:
            error, status = exc.detail, exc.status_code
    if error is not None:
        # forgiving: what was typed stays in the form (the page is never cached: no-store)
        typed = {"name": name.strip()[:40], "id_number": (id_number or "").strip()[:18]}
        typed.update({f"input_{key}": value[:100] for key, value in stated.items()})
        return page(request, "apply.html", status_code=status, service=service, error=error, typed=typed)
    from starlette.concurrency import run_in_threadpool
    submission_id = await run_in_threadpool(portal.applications.submit, service, applicant, name.strip(), uploads,
                                            stated)
    return RedirectResponse(f"/status/{portal.links.make(submission_id)}", status_code=303)


async def stated_inputs(request: Request, service) -> dict[str, str]:
    """The service's declared inputs as the form sent them (`input_<id>`), blanks dropped."""
    form = await request.form()
    stated = {}
    for spec in service.inputs:
        value = form.get(f"input_{spec.id}")
        if isinstance(value, str) and value.strip():
            stated[spec.id] = value.strip()
    return stated


def inputs_problem(service, stated: dict[str, str]) -> str | None:
    """What is wrong with the stated inputs, in the citizen's words; None if nothing."""
    from pipeline.process import application_inputs

    try:
        application_inputs(service, stated)
    except InputError:
        for spec in service.inputs:
            value = stated.get(spec.id)
            if spec.required and not value:
                return f"请填写“{input_label(spec)}”。"
            if value and spec.choices and value not in spec.choices:
                return f"请从列表中选择“{input_label(spec)}”。"
            if value and spec.id in ID_NUMBER_INPUTS:
                return f"“{input_label(spec)}”有误，请核对（18 位，最后一位可能是 X）。"
        return "填写的申请信息有误，请核对后重试。"
    return None


def _load(request: Request, token: str, purpose: str):
    portal = portal_of(request)
    submission_id = portal.links.read(token)
    case = portal.store.case(submission_id)
    if case is None:
        raise HTTPException(404, "查询链接无效。")
    case = portal.applications.sync(case)
    if case.status == Status.PROCESSING:
        return portal, case, None
    result = portal.archive.load_submission(submission_id, actor=CITIZEN, purpose=purpose)
    return portal, case, result


@router.get("/status/{token}")
def status(request: Request, token: str):
    portal, case, result = _load(request, token, "citizen views own application")
    if result is None:
        return page(request, "processing.html", case=case, progress=portal.applications.progress(case.submission_id))
    blockers = [(i, f) for i, f in enumerate(result.findings) if f.severity == "blocker"]
    warnings = [(i, f) for i, f in enumerate(result.findings) if f.severity != "blocker"]
    uploaded = [(i, d) for i, d in enumerate(result.documents) if not is_reused(d)]
    reused = [d for d in result.documents if is_reused(d)]
    can_upload = case.status in (Status.PENDING, Status.WAITING)
    return page(request, "status.html", token=token, case=case, result=result, blockers=blockers,
                warnings=warnings, uploaded=uploaded, reused=reused, can_upload=can_upload,
                service=portal.catalog.get(result.service), error=request.query_params.get("error"))


@router.post("/status/{token}/upload", dependencies=[Depends(require_csrf)])
async def reupload(request: Request, token: str, files: list[UploadFile] = File(default_factory=list)):
    portal = portal_of(request)
    submission_id = portal.links.read(token)
    case = portal.store.case(submission_id)
    if case is None:
        raise HTTPException(404, "查询链接无效。")
    if case.status == Status.PROCESSING:
        raise HTTPException(409, "材料正在识别中，请稍候再补交。")
    if case.status not in (Status.PENDING, Status.WAITING):
        raise HTTPException(409, "此申请已办结，不能再补充材料。")
    portal.limiter.check("upload", client_of(request), portal.settings.portal_upload_per_minute)
    try:
        uploads = await read_uploads(files, max_files=portal.settings.portal_max_files,
                                     max_bytes=portal.settings.max_upload_bytes)
    except UploadRejected as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    from starlette.concurrency import run_in_threadpool
    await run_in_threadpool(portal.applications.reupload, submission_id, uploads)
    return RedirectResponse(f"/status/{token}", status_code=303)


def finding_image(portal, result, finding, actor: str, purpose: str) -> bytes | None:
    """The document a finding concerns, cropped, with its field outlined; None without a file."""
    if finding.file is None:
        return None
    doc = next((d for d in result.documents if d.file == finding.file and d.page == finding.page), None)
    upload = next((u for u in result.uploads if u.file == finding.file and not u.error), None)
    if upload is None:
        return None
    (data,) = portal.archive.get_uploads([upload.sha256], citizen=result.applicant, actor=actor, purpose=purpose)
    return region_jpeg(data, finding.page, doc.document_region if doc else None, finding.region,
                      portal.limits)


def document_image(portal, result, index: int, actor: str, purpose: str, crop: bool = True) -> bytes | None:
    if not 0 <= index < len(result.documents):
        return None
    doc = result.documents[index]
    upload = next((u for u in result.uploads if u.file == doc.file and not u.error), None)
    if upload is None or is_reused(doc):
        return None
    (data,) = portal.archive.get_uploads([upload.sha256], citizen=result.applicant, actor=actor, purpose=purpose)
    limits = portal.limits
    if crop:
        return region_jpeg(data, doc.page, doc.document_region, None, limits)
    return full_jpeg(data, doc.page, limits)


def jpeg(data: bytes | None) -> Response:
    if data is None:
        raise HTTPException(404, "没有对应的图片。")
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get("/status/{token}/findings/{index}.jpg")
def status_finding_image(request: Request, token: str, index: int):
    portal, case, result = _load(request, token, "citizen views own document")
    if result is None or not 0 <= index < len(result.findings):
        raise HTTPException(404, "没有对应的图片。")
    return jpeg(finding_image(portal, result, result.findings[index], CITIZEN, "citizen views own document"))


@router.get("/status/{token}/documents/{index}.jpg")
def status_document_image(request: Request, token: str, index: int):
    portal, case, result = _load(request, token, "citizen views own document")
    if result is None:
        raise HTTPException(404, "没有对应的图片。")
    return jpeg(document_image(portal, result, index, CITIZEN, "citizen views own document"))
