"""Admin: queue health and the indicators agencies report, and reviewer accounts."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from portal.app import portal_of
from portal.auth import Staff, require_admin
from portal.citizen import page
from portal.metrics import compute
from portal.reviewer import catch_up
from portal.security import hash_password, require_csrf
from portal.store import ROLES

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def dashboard(request: Request, staff: Staff = Depends(require_admin)):
    portal = portal_of(request)
    catch_up(portal)
    metrics = compute(portal.store.cases(), datetime.now(timezone.utc))
    names = {s.id: s.name for s in portal.catalog}
    return page(request, "admin.html", staff=staff, m=metrics, names=names,
                workers=_health(portal))


def _health(portal) -> str:
    try:
        return portal.applications.health()
    except Exception as exc:  # Redis down is what this page is for
        return f"无法连接队列：{type(exc).__name__}"


@router.get("/admin/users")
def users(request: Request, staff: Staff = Depends(require_admin)):
    return page(request, "users.html", staff=staff, users=portal_of(request).store.users(), roles=ROLES, error=None)


@router.post("/admin/users", dependencies=[Depends(require_csrf)])
def add_user(request: Request, staff: Staff = Depends(require_admin), username: str = Form(""),
             role: str = Form("reviewer"), password: str = Form("")):
    portal = portal_of(request)
    username = username.strip()
    error = None
    if not username.isidentifier() or len(username) > 32:
        error = "用户名只能包含字母、数字和下划线。"
    elif role not in ROLES:
        error = "角色无效。"
    else:
        try:
            portal.store.add_user(username, role, hash_password(password))
        except ValueError:
            error = "密码至少 10 个字符。"
    if error:
        return page(request, "users.html", status_code=400, staff=staff, users=portal.store.users(),
                    roles=ROLES, error=error)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/active", dependencies=[Depends(require_csrf)])
def set_active(request: Request, name: str, staff: Staff = Depends(require_admin), active: str = Form("0")):
    portal = portal_of(request)
    if portal.store.user(name) is None:
        raise HTTPException(404, "没有这个用户。")
    if name == staff.name:
        raise HTTPException(400, "不能停用自己的账户。")
    portal.store.set_active(name, active == "1")
    return RedirectResponse("/admin/users", status_code=303)
