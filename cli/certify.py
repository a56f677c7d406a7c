"""`onewindow certify {import,status,consent,challenge,alternative,review}`: certification of
pensioners as alive.

  import FILE                 life-activity and death records from other departments (CSV:
                              id_number,date,source[,reference]); idempotent; bad rows listed
  status [--due-within DAYS]  who is certified (how, when), who is due, who must verify by face
  consent --applicant ID      record (or --withdraw) consent to face processing
  challenge --applicant ID    issue the actions the pensioner's video must show
  alternative --applicant ID  record a certification at the counter or on a video call
  review --applicant ID       a reviewer's decision on a verification sent to review

Human output masks ID numbers; --json prints full values for other programs."""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path

from cli.context import Context, print_json
from cli.render import console
from schemas.errors import InputError
from schemas.privacy import mask_id_number

SOURCES_HELP = "hospital_settlement, travel, bank, death, pensioner (or 医保结算, 出行记录, 银行交易, 死亡登记)"


def register(sub) -> None:
    parser = sub.add_parser("certify", help="certify pensioners alive: import records, status, consent, alternatives",
                            description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="certify_command", required=True, metavar="ACTION")

    def command(name: str, help_text: str, handler, applicant: bool = False):
        cmd = commands.add_parser(name, help=help_text, description=help_text)
        if applicant:
            cmd.add_argument("--applicant", required=True, metavar="ID_NUMBER", help="the pensioner's ID number")
        cmd.add_argument("--json", action="store_true", help="print JSON (full values)")
        cmd.add_argument("--actor", default=None, help="who is doing this, for the audit log")
        cmd.set_defaults(handler=handler)
        return cmd

    imp = command("import", f"import records from a CSV (id_number,date,source[,reference]); source: {SOURCES_HELP}",
                  run_import)
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--date", type=date.fromisoformat, help="today's date (default: today)")
    status = command("status", "who is certified, due, or must verify by face; a death record stops certification",
                     run_status)
    status.add_argument("--due-within", type=int, metavar="DAYS",
                        help="list only who needs action within DAYS: due, must verify, stopped")
    status.add_argument("--date", type=date.fromisoformat, help="today's date (default: today)")
    consent = command("consent", "record the pensioner's separate consent to face processing", run_consent, True)
    consent.add_argument("--withdraw", action="store_true", help="record that consent is withdrawn (or refused)")
    consent.add_argument("--channel", default="counter", help="where it was given: counter, portal, app (default counter)")
    command("challenge", "issue a challenge (actions, nonce, expiry) the pensioner's video must answer",
            run_challenge, True)
    alt = command("alternative", "record a certification without a face match", run_alternative, True)
    alt.add_argument("--method", required=True, choices=["in_person", "video_call"])
    alt.add_argument("--by", required=True, help="the clerk or reviewer who checked the person")
    alt.add_argument("--note", help="what was checked")
    alt.add_argument("--date", type=date.fromisoformat, help="when (default: today)")
    review = command("review", "decide a verification sent to review (its key frames are deleted)", run_review, True)
    verdict = review.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true")
    verdict.add_argument("--reject", action="store_true")
    review.add_argument("--by", required=True, help="the reviewer")
    review.add_argument("--note", default="", help="why")


def _actor(args) -> str:
    return args.actor or f"cli:{getpass.getuser()}"


def parse_applicant(raw: str) -> str:
    from pipeline.fields import normalize_id_number, validate_id_number

    value = normalize_id_number(raw)
    if value is None or validate_id_number(value) is not None:
        raise InputError("--applicant is not a valid ID number")
    return value


def _ledger(ctx: Context, args):
    from pipeline.certify import CertificationLedger

    return CertificationLedger(ctx.archive, period_days=ctx.settings.certification_period_days, actor=_actor(args))


def run_import(args: argparse.Namespace) -> int:
    from pipeline.certify import import_file

    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"{args.file}: no such file")
    ctx = Context()
    report = import_file(_ledger(ctx, args), path, today=args.date or date.today(), actor=_actor(args))
    if args.json:
        print_json(report.model_dump(mode="json"))
    else:
        console.print(f"{report.file}: {report.rows} 行，新增 {report.imported}，已有 {report.already}，"
                      f"死亡记录 {report.deaths}（已转人工复核 {len(report.flagged)} 件），错误 {len(report.bad)} 行")
        for bad in report.bad:
            console.print(f"  [red]第 {bad.line} 行[/]：{bad.reason}    [dim]{bad.text}[/]")
    return 2 if report.bad else 0


def run_status(args: argparse.Namespace) -> int:
    from schemas.certification import SOURCE_LABELS, STATUS_LABELS, Status

    ctx = Context()
    today = args.date or date.today()
    rows = _ledger(ctx, args).status(today, due_within=args.due_within)
    if args.due_within is not None:
        rows = [r for r in rows if r.status is not Status.CERTIFIED]
    if args.json:
        print_json([r.model_dump(mode="json") for r in rows])
        return 0
    from rich.table import Table

    table = Table(title=f"养老金领取资格认证（{today}）", title_justify="left")
    table.add_column("身份证号", no_wrap=True)
    for column in ("状态", "方式", "日期", "有效至", "说明"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(mask_id_number(r.id_number), STATUS_LABELS[r.status], SOURCE_LABELS[r.how] if r.how else "",
                      str(r.on or ""), str(r.valid_until or ""), r.note or "")
    console.print(table)
    counts = {s: sum(r.status is s for r in rows) for s in Status}
    console.print("  ".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items()))
    return 0


def run_consent(args: argparse.Namespace) -> int:
    from pipeline.consent import ConsentBook
    from schemas.consent import FACE_NOTICE

    ctx = Context()
    record = ConsentBook(ctx.archive).record(parse_applicant(args.applicant), granted=not args.withdraw,
                                             channel=args.channel, actor=_actor(args))
    if args.json:
        print_json(record.model_dump(mode="json"))
    else:
        console.print(("已记录撤回：不再处理其人脸信息" if args.withdraw else "已记录单独同意") + f"（{record.at:%Y-%m-%d %H:%M}）")
        if not args.withdraw:
            console.print(f"[dim]告知内容（{record.notice_version}）：{FACE_NOTICE}[/]")
    return 0


def run_challenge(args: argparse.Namespace) -> int:
    from pipeline.challenge import ChallengeStore

    ctx = Context()
    applicant = parse_applicant(args.applicant)
    challenge = ChallengeStore(ctx.archive.store).issue(
        ttl_seconds=ctx.settings.challenge_ttl_seconds, max_seconds=ctx.settings.challenge_max_video_seconds,
        citizen_key=ctx.archive.citizen_key(applicant))
    if args.json:
        print_json(challenge.model_dump(mode="json"))
    else:
        console.print(challenge.prompt)
        console.print(f"nonce {challenge.nonce}，{challenge.expires_at:%H:%M:%S} 前有效，视频不超过 {challenge.max_seconds:g} 秒")
    return 0


def run_alternative(args: argparse.Namespace) -> int:
    from pipeline.remote import record_alternative
    from schemas.consent import ALTERNATIVE_LABELS, Alternative

    ctx = Context()
    method = Alternative(args.method)
    record_alternative(ctx.archive, parse_applicant(args.applicant), method, by=args.by, on=args.date, note=args.note,
                       period_days=ctx.settings.certification_period_days)
    if args.json:
        print_json({"method": method.value, "by": args.by, "on": str(args.date or date.today())})
    else:
        console.print(f"已记录：{ALTERNATIVE_LABELS[method]}（{args.by}）")
    return 0


def run_review(args: argparse.Namespace) -> int:
    from pipeline.remote import resolve_review

    ctx = Context()
    record = resolve_review(ctx.archive, parse_applicant(args.applicant), approve=args.approve, reviewer=args.by,
                            note=args.note, period_days=ctx.settings.certification_period_days)
    if args.json:
        print_json(record.model_dump(mode="json"))
    else:
        console.print("已核验通过，已认证" if args.approve else "已核验不通过")
    return 0
