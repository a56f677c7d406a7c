"""The portal's app factory: `create_app(settings)` wires the archive, the reader, the case
index and the routes of each audience. Nothing is built at import; `onewindow serve` (and the
tests) call the factory."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from portal.intake import Applications
from portal.security import (DEV_PORTAL_SECRET, RateLimiter, SealedIdentity, SecurityHeaders, StatusLinks,
                             csrf_token)
from portal.store import PortalStore
from schemas.catalog import Catalog, default_catalog
from schemas.errors import OneWindowError
from schemas.settings import Settings

HERE = Path(__file__).resolve().parent
log = logging.getLogger("onewindow.portal")


@dataclass
class Portal:
    """What every route needs, built once per app."""

    settings: Settings
    archive: object
    store: PortalStore
    catalog: Catalog
    applications: object
    """Applications (in-process) or QueuedApplications (workers on Redis): same surface."""
    links: StatusLinks
    limiter: RateLimiter
    templates: Jinja2Templates
    reader_factory: Callable[[], object]
    identities: SealedIdentity | None = None
    """Seals a pensioner's name and ID number into their session between verification pages."""

    @property
    def reader(self):
        return self.reader_factory()

    @property
    def limits(self):
        from pipeline.ingest import Limits

        s = self.settings
        return Limits(s.max_upload_bytes, s.max_image_pixels, s.max_pdf_pages)


def portal_of(request: Request) -> Portal:
    return request.app.state.portal


def data_dir(settings: Settings) -> Path:
    if settings.portal_data_dir is not None:
        return settings.portal_data_dir
    if settings.archive.startswith("s3://"):
        return Path("./onewindow-portal")
    return Path(settings.archive) / "portal"


def open_store(settings: Settings) -> PortalStore:
    return PortalStore(data_dir(settings) / "portal.sqlite3")


def _lazy_reader(settings: Settings) -> Callable[[], object]:
    lock, holder = threading.Lock(), {}

    def get():
        with lock:
            if "reader" not in holder:
                from pipeline.read import DocumentReader

                holder["reader"] = DocumentReader.from_settings(settings)
            return holder["reader"]
    return get


def create_app(settings: Settings | None = None, *, archive=None, reader=None, catalog: Catalog | None = None,
               today: Callable[[], date] | None = None) -> FastAPI:
    settings = settings or Settings()
    if settings.portal_secret_key is None and settings.env == "production":
        raise OneWindowError("ONEWINDOW_ENV=production needs ONEWINDOW_PORTAL_SECRET_KEY")
    secret = settings.portal_secret_key.get_secret_value() if settings.portal_secret_key else DEV_PORTAL_SECRET
    if archive is None:
        from storage.archive import open_archive_from_settings
        archive = open_archive_from_settings(settings, actor="portal")
    catalog = catalog or default_catalog()
    store = open_store(settings)
    reader_factory = (lambda: reader) if reader is not None else _lazy_reader(settings)

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    from portal import views
    views.install(templates.env)

    if settings.redis_url:
        from portal.queued import QueuedApplications
        applications = QueuedApplications(settings, archive, store, catalog, today)
    else:
        applications = Applications(archive, reader_factory, store, catalog, today)
    portal = Portal(settings=settings, archive=archive, store=store, catalog=catalog, applications=applications,
                    links=StatusLinks(secret, settings.portal_status_link_days), limiter=RateLimiter(),
                    templates=templates, reader_factory=reader_factory,
                    identities=SealedIdentity(secret))

    app = FastAPI(title="OneWindow 一窗通办", version="1",
                  description="Intake, pre-review and review of social-insurance applications. "
                              "The JSON API for other government systems lives under /api/v1 (X-API-Key).",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.portal = portal
    max_body = settings.max_upload_bytes * settings.portal_max_files + 1024 * 1024
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="ow_session", max_age=8 * 3600,
                       same_site="lax", https_only=settings.portal_cookie_secure)
    app.add_middleware(SecurityHeaders, max_body=max_body, hsts=settings.portal_cookie_secure)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from portal import admin, api, batches, citizen, reviewer
    for module in (citizen, reviewer, admin, batches, api):
        app.include_router(module.router)
    from portal import bookings, verification
    app.include_router(verification.router)
    app.include_router(bookings.router)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return _error(request, 422, "提交的内容不完整，请检查后重试。", None)

    @app.exception_handler(OneWindowError)
    async def domain_error(request: Request, exc: OneWindowError):
        log.warning("request failed: %s", type(exc).__name__)
        return _error(request, 400, "无法处理此请求。", None)

    return app


def _error(request: Request, status: int, message: str, headers):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
    portal = portal_of(request)
    if status == 401 and request.url.path.startswith(("/console", "/admin")):
        from fastapi.responses import RedirectResponse
        return RedirectResponse("/console/login", status_code=303)
    return portal.templates.TemplateResponse(request, "error.html", {"status": status, "message": message,
                                                                     "csrf": csrf_token(request)},
                                             status_code=status, headers=headers)
