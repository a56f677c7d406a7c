"""`onewindow queues`: depth, workers and failures of every queue, and the review queue."""

from __future__ import annotations

import argparse

from cli.context import print_json
from cli.render import console


def register(sub) -> None:
    cmd = sub.add_parser("queues", help="depth, workers and failures per queue; the review queue")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rich.table import Table

    from schemas.settings import Settings
    from workers.context import WorkerContext
    from workers.report import queue_report

    report = queue_report(WorkerContext(Settings()))
    if args.json:
        print_json(report)
        return 0
    columns = {"queued": "queued", "started": "running", "deferred": "waiting", "scheduled": "retry",
               "failed": "failed", "finished": "done", "workers": "workers", "busy": "busy"}
    prefix = report["queues"][0]["name"].rsplit(".", 1)[0]
    table = Table(title=f"queues ({prefix}.*)", title_justify="left")
    table.add_column("queue", no_wrap=True)
    for title in columns.values():
        table.add_column(title, justify="right", no_wrap=True, min_width=len(title))
    for row in report["queues"]:
        table.add_row(row["queue"], *(str(row[c]) for c in columns))
    console.print(table)
    console.print(f"review queue: {report['review_queue']} applications waiting for a reviewer")
    for item in report["review_next"]:
        console.print(f"  P{item['priority']}  {item['submission_id']}  {item['service']}  "
                      f"{','.join(item['finding_codes'])}")
    return 0
