"""`onewindow archive {verify,audit,export,erase,reindex,rotate-keys}`: look after the archive.

CITIZEN is an ID number; human output shows it masked (130634********0017). Every command is
audited under the actor given with --actor (default: cli:<login name>)."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from cli.context import print_json
from cli.render import console
from schemas.errors import InputError
from schemas.privacy import mask_id_number
from schemas.settings import Settings

REINDEX_HELP = ("rebuild the indexes (submissions by service/date/decision/finding, citizens' current "
                "state) and the review queue from the archive alone and print a summary; they are "
                "written to Redis when ONEWINDOW_REDIS_URL is set, else only counted")


def register(sub) -> None:
    parser = sub.add_parser("archive", help="verify, audit, export, erase, reindex the citizen archive")
    commands = parser.add_subparsers(dest="archive_command", required=True, metavar="ACTION")

    def command(name: str, help_text: str, handler, citizen: bool = False, json_out: bool = True):
        cmd = commands.add_parser(name, help=help_text, description=help_text)
        if citizen:
            cmd.add_argument("citizen", metavar="CITIZEN", help="the citizen's ID number")
        if json_out:
            cmd.add_argument("--json", action="store_true", help="print JSON")
        cmd.add_argument("--actor", default=None, help="who is doing this, for the audit log")
        cmd.add_argument("--purpose", default=None, help="why, for the audit log")
        cmd.set_defaults(handler=handler)
        return cmd

    command("verify", "re-hash every upload, re-open every record, check every history and audit chain",
            run_verify)
    command("audit", "print the audit log of one citizen's data", run_audit, citizen=True)
    export = command("export", "the citizen's whole archive as a zip with a manifest (right to a copy)",
                     run_export, citizen=True)
    export.add_argument("--out", type=Path, help="zip file to write (default: export-<citizen key>.zip)")
    erase = command("erase", "make one citizen's data unreadable (PIPL erasure) and report what went",
                    run_erase, citizen=True)
    erase.add_argument("--yes", action="store_true", help="confirm: erasure cannot be undone")
    command("reindex", REINDEX_HELP, run_reindex)
    command("rotate-keys", "re-wrap every data key under ONEWINDOW_ARCHIVE_KEY_ID (no data is rewritten)",
            run_rotate)


def _open(args: argparse.Namespace):
    from storage.archive import open_archive_from_settings

    return open_archive_from_settings(Settings(), actor=args.actor or f"cli:{getpass.getuser()}")


def _citizen(raw: str) -> str:
    from pipeline.fields import normalize_id_number, validate_id_number

    value = normalize_id_number(raw)
    if value is None or validate_id_number(value) is not None:
        raise InputError("CITIZEN must be a valid 18-character ID number")
    return value


def _purpose(args: argparse.Namespace, default: str) -> str:
    return args.purpose or default


def run_verify(args: argparse.Namespace) -> int:
    report = _open(args).verify(actor=args.actor)
    if args.json:
        print_json(report.model_dump(mode="json") | {"ok": report.ok})
    else:
        console.print(f"checked {report.blobs} uploads, {report.submissions} submission records, "
                      f"{report.events} history events, {report.biometrics} biometric objects, "
                      f"{report.audit_entries} audit entries")
        for problem in report.problems:
            console.print(f"[red]{problem.kind}[/]  {problem.key}: {problem.detail}")
        console.print("[green]archive is sound[/]" if report.ok else f"[red]{len(report.problems)} problems[/]")
    return 0 if report.ok else 1


def run_audit(args: argparse.Namespace) -> int:
    citizen = _citizen(args.citizen)
    archive = _open(args)
    entries = archive.audit_entries(citizen, purpose=_purpose(args, "audit review"))
    count, problems = archive.audit_log.check(archive.citizen_key(citizen))
    if args.json:
        print_json({"citizen_key": archive.citizen_key(citizen), "chain_ok": not problems,
                    "entries": [e.model_dump(mode="json") for e in entries],
                    "problems": [p.model_dump() for p in problems]})
        return 0 if not problems else 1
    console.print(f"audit log of {mask_id_number(citizen)} ({count} entries, chain "
                  f"{'[green]intact[/]' if not problems else '[red]BROKEN[/]'})")
    for e in entries:
        console.print(f"{e.seq:>5}  {e.at:%Y-%m-%d %H:%M:%S}Z  {e.actor:<16} {e.action.value:<10} "
                      f"{e.purpose}  ({len(e.objects)} objects)")
    for problem in problems:
        console.print(f"[red]{problem.kind}[/]  {problem.key}: {problem.detail}")
    return 0 if not problems else 1


def run_export(args: argparse.Namespace) -> int:
    citizen = _citizen(args.citizen)
    archive = _open(args)
    out = args.out or Path(f"export-{archive.citizen_key(citizen)[:12]}.zip")
    with open(out, "wb") as handle:
        manifest = archive.export(citizen, handle, purpose=_purpose(args, "citizen's right to a copy"))
    if args.json:
        print_json(manifest.model_dump(mode="json") | {"zip": str(out)})
    else:
        console.print(f"wrote {out}: {len(manifest.files)} files, {manifest.events} history events, "
                      f"{manifest.submissions} submissions of {mask_id_number(citizen)}")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    citizen = _citizen(args.citizen)
    if not args.yes:
        raise InputError(f"erasing {mask_id_number(citizen)} cannot be undone: add --yes to go ahead")
    report = _open(args).erase(citizen, purpose=_purpose(args, "erasure on request (PIPL art. 47)"))
    if args.json:
        print_json(report.model_dump(mode="json"))
        return 0
    console.print(f"erased {mask_id_number(citizen)} (citizen key {report.citizen_key[:12]}…):")
    for category, count in report.removed.items():
        console.print(f"  {category:<12} {count} removed")
    for note in report.notes:
        console.print(f"  note: {note}")
    return 0


def run_reindex(args: argparse.Namespace) -> int:
    from storage.reindex import CountingSink

    settings = Settings()
    sink, where = CountingSink(), "counted only: ONEWINDOW_REDIS_URL is not set"
    if settings.redis_url:
        from workers.indexes import RedisIndexSink
        from workers.queues import Names, connect

        sink, where = RedisIndexSink(connect(settings), Names.of(settings)), "written to Redis"
        sink.clear()
    summary = _open(args).reindex(sink, actor=args.actor)
    if args.json:
        print_json(summary.model_dump(mode="json"))
    else:
        console.print(f"{summary.submissions} submissions, {summary.citizens} citizens, "
                      f"{summary.unreadable} unreadable (indexes and review queue {where})")
        for title, counts in (("by service", summary.by_service), ("by decision", summary.by_decision),
                              ("by finding", summary.by_finding)):
            if counts:
                console.print(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0 if not summary.unreadable else 1


def run_rotate(args: argparse.Namespace) -> int:
    archive = _open(args)
    done, current = archive.rotate_keys()
    message = f"{done} data keys re-wrapped under {archive.keyring.active!r}, {current} already were"
    print_json({"rewrapped": done, "current": current}) if args.json else console.print(message)
    return 0
