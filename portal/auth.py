"""Reviewer and admin sessions: who is logged in, and what their role lets them reach."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request

from portal.app import portal_of


@dataclass
class Staff:
    name: str
    role: str

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.name}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def current_staff(request: Request) -> Staff:
    """The logged-in reviewer or admin; 401 (→ login page) for anyone else. The account is
    looked up on every request, so deactivating it ends its sessions."""
    name = request.session.get("staff")
    user = portal_of(request).store.user(name) if name else None
    if user is None or not user.active:
        request.session.pop("staff", None)
        raise HTTPException(401, "请先登录。")
    return Staff(user.name, user.role)


def require_admin(request: Request) -> Staff:
    staff = current_staff(request)
    if not staff.is_admin:
        raise HTTPException(403, "此页面仅限管理员。")
    return staff
