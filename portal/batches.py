"""Admin: launch a batch reprocess (after a rule or model change) on the workers and watch its
progress. The batch is driven by workers/reprocess.py in a background thread of the portal;
each view of the progress page also tops it up, so a restarted portal carries it on."""

from __future__ import annotations

import threading
from datetime import date

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from portal.app import portal_of
from portal.auth import Staff, require_admin
from portal.citizen import page
from portal.security import require_csrf
from schemas.errors import InputError
from schemas.findings import FindingCode

router = APIRouter(include_in_schema=False)


def _ctx(request: Request):
    ctx = getattr(portal_of(request).applications, "ctx", None)
    if ctx is None:
        raise HTTPException(409, "批量重审需要 Redis 队列和处理进程（设置 ONEWINDOW_REDIS_URL 并运行 onewindow worker）。")
    return ctx


@router.get("/admin/batches")
def batches(request: Request, staff: Staff = Depends(require_admin)):
    portal = portal_of(request)
    queued = getattr(portal.applications, "ctx", None) is not None
    return page(request, "batches.html", staff=staff, batches=portal.store.batches(), queued=queued,
                services=list(portal.catalog), codes=[c.value for c in FindingCode], error=None)


@router.post("/admin/batches", dependencies=[Depends(require_csrf)])
def launch(request: Request, staff: Staff = Depends(require_admin), service: str = Form(""),
           since: str = Form(""), until: str = Form(""), finding: str = Form("")):
    from workers.reprocess import Reprocess, new_batch_id, select

    portal, ctx = portal_of(request), _ctx(request)
    try:
        since_d = date.fromisoformat(since) if since else None
        until_d = date.fromisoformat(until) if until else None
        selection = select(ctx, service or None, since_d, until_d, finding or None)
    except (ValueError, InputError) as exc:
        return page(request, "batches.html", status_code=400, staff=staff, batches=portal.store.batches(),
                    queued=True, services=list(portal.catalog), codes=[c.value for c in FindingCode],
                    error=str(exc))
    filters = {"service": service or None, "since": since or None, "until": until or None, "finding": finding or None}
    batch = Reprocess(ctx, new_batch_id())
    batch.start(selection, filters)
    portal.store.add_batch(batch.id, staff.name, filters)
    threading.Thread(target=batch.run, name=f"batch-{batch.id}", daemon=True).start()
    return RedirectResponse(f"/admin/batches/{batch.id}", status_code=303)


@router.get("/admin/batches/{batch_id}")
def progress(request: Request, batch_id: str, staff: Staff = Depends(require_admin)):
    from workers.reprocess import Reprocess

    try:
        batch = Reprocess(_ctx(request), batch_id)
    except InputError:
        raise HTTPException(404, "没有这个批次。") from None
    if not batch.board.exists():
        raise HTTPException(404, "没有这个批次。")
    batch.step()
    return page(request, "batch.html", staff=staff, summary=batch.summary())
