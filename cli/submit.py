"""`onewindow submit` and `onewindow status`: hand an application to the workers and follow it."""

from __future__ import annotations

import argparse
from datetime import date

from cli.context import print_json, read_files
from cli.documents import add_input_option, parse_inputs
from cli.render import console
from schemas.errors import InputError

STATE_TEXT = {"received": "已受理，排队中", "reading": "正在识别材料", "reviewing": "正在预审",
              "verifying": "正在核验视频",
              "decided": "预审完成", "failed": "系统处理失败，已转人工复核"}


def register(sub) -> None:
    submit = sub.add_parser("submit", help="enqueue an application for the workers and print its id at once")
    submit.add_argument("files", nargs="+", metavar="FILE")
    submit.add_argument("--service", required=True, help="service id (see `onewindow services`)")
    submit.add_argument("--applicant", required=True, help="the applicant's ID number")
    submit.add_argument("--date", type=date.fromisoformat, help="submission date (default: today)")
    submit.add_argument("--nonce", default=None,
                        help="remote certification: the challenge the video answers (default: the latest issued)")
    add_input_option(submit)
    submit.add_argument("--json", action="store_true", help="print JSON")
    submit.set_defaults(handler=run_submit)

    status = sub.add_parser("status", help="where an application submitted to the workers is")
    status.add_argument("submission_id", metavar="ID")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=run_status)


def _context():
    from schemas.settings import Settings
    from workers.context import WorkerContext

    ctx = WorkerContext(Settings())
    ctx.redis  # noqa: B018 - refuse early when no Redis is configured
    return ctx


def run_submit(args: argparse.Namespace) -> int:
    from pipeline.fields import normalize_id_number, validate_id_number
    from schemas.catalog import default_catalog
    from workers.submit import submit

    service = default_catalog().get(args.service)
    applicant = normalize_id_number(args.applicant)
    issue = validate_id_number(applicant) if applicant else "format"
    if issue is not None:
        raise InputError(f"--applicant is not a valid ID number ({issue})")
    inputs = parse_inputs(args.inputs, service)
    files = read_files(args.files)
    ctx = _context()
    submission_id = submit(ctx, files, service, applicant, args.date, nonce=args.nonce, inputs=inputs)
    if args.json:
        print_json({"submission_id": submission_id, "service": service.id, "state": "received",
                    "documents": len(files), "inputs": inputs})
    else:
        print(submission_id)
    return 0


def run_status(args: argparse.Namespace) -> int:
    from storage.errors import NotFoundError
    from workers.status import StatusBoard

    ctx = _context()
    sid = args.submission_id
    found = StatusBoard(ctx.redis, ctx.names, ctx.settings.job_result_ttl).get(sid)
    if not found:
        try:  # Redis forgot it (expired, flushed): the archive still has the decision
            record = ctx.archive.load_submission(sid, actor="cli:status", purpose="status")
        except (NotFoundError, ValueError) as exc:
            raise InputError(f"no application {sid} in the queues or the archive") from exc
        found = {"state": "decided", "service": record.service, "decision": record.decision.value,
                 "findings": ",".join(sorted({f.code.value for f in record.findings})),
                 "documents": str(len(record.uploads)), "documents_read": str(len(record.uploads)),
                 "source": "archive"}
    found.pop("updated_at", None)
    if args.json:
        print_json({"submission_id": sid, **found})
        return 0
    line = f"{sid}  {found.get('service', '')}  {STATE_TEXT.get(found.get('state', ''), found.get('state'))}"
    if found.get("state") in ("received", "reading", "reviewing") and found.get("documents", "0") != "0":
        line += f"  材料 {found.get('documents_read', 0)}/{found.get('documents', '?')}"
    if found.get("decision"):
        line += f"  结论 {found['decision']}"
    if found.get("findings"):
        line += f"  ({found['findings']})"
    console.print(line)
    return 0
