"""`onewindow report agreement [--service ID] [--json]`: how often the machine's pre-review and
the reviewers' decisions agreed, per service and per finding code (from the archive)."""

from __future__ import annotations

import argparse

from cli.context import Context, print_json


def register(sub) -> None:
    parser = sub.add_parser("report", help="reports over the archive: machine/reviewer agreement")
    reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
    cmd = reports.add_parser("agreement", help="per service and finding code, how often machine and reviewer agreed",
                             description="Dual-track: compare the machine's decision on each reviewed submission "
                                         "with the reviewer's (`onewindow review`, or the portal's console).")
    cmd.add_argument("--service", help="only this service id")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd.set_defaults(handler=run_agreement)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def run_agreement(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from pipeline.dualtrack import agreement

    report = agreement(Context().archive, args.service, actor="cli:report")
    if args.json:
        print_json(report.as_json())
        return 0
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 140)  # piped: keep each row on one line
    if not report.overall.reviewed:
        console.print("No reviewer decisions in the archive yet"
                      f"{' for ' + args.service if args.service else ''} (`onewindow review SUBMISSION --decision …`).")
        return 0
    table = Table(title="Machine and reviewer, per service", title_justify="left")
    for column in ("service", "reviewed", "agree", "rate", "both accepted", "both flagged", "false alarms", "misses"):
        table.add_column(column, justify="left" if column == "service" else "right", no_wrap=True)
    rows = [*sorted(report.services.items()), ("all", report.overall)]
    for name, t in rows:
        table.add_row(name, str(t.reviewed), str(t.agree), _pct(t.rate), str(t.both_accepted), str(t.both_flagged),
                      str(t.false_alarms), str(t.misses))
    console.print(table)
    if report.codes:
        codes = Table(title="Per finding code (flagged cases the machine raised it on)", title_justify="left")
        for column in ("finding code", "flagged", "reviewer agreed", "rate", "false alarms"):
            codes.add_column(column, justify="left" if column == "finding code" else "right", no_wrap=True)
        for code, t in sorted(report.codes.items()):
            codes.add_row(code, str(t.flagged), str(t.agree), _pct(t.rate), str(t.false_alarms))
        console.print(codes)
    return 0
