"""`onewindow reprocess`: re-run the pipeline over archived submissions (after a rule or model
change) on the workers, in bounded chunks, with progress; Ctrl-C and --resume continue it."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from cli.context import print_json
from cli.render import console
from schemas.errors import InputError
from schemas.findings import FindingCode


def register(sub) -> None:
    cmd = sub.add_parser("reprocess", help="re-run the pipeline over archived submissions on the workers",
                         description="Re-run the pipeline over archived submissions after a rule or model "
                                     "change. Needs running workers (`onewindow worker`).")
    cmd.add_argument("--service", help="only this service")
    cmd.add_argument("--since", type=date.fromisoformat, help="submitted on or after (YYYY-MM-DD)")
    cmd.add_argument("--until", type=date.fromisoformat, help="submitted on or before (YYYY-MM-DD)")
    cmd.add_argument("--finding", choices=[c.value for c in FindingCode], help="only submissions with this finding")
    cmd.add_argument("--dry-run", action="store_true", help="say what would be re-run, change nothing")
    cmd.add_argument("--resume", metavar="BATCH", help="continue an interrupted batch")
    cmd.add_argument("--batch-id", help="name a new batch (letters and digits; default: the time)")
    cmd.add_argument("--chunk", type=int, help="applications in flight at once (default ONEWINDOW_REPROCESS_CHUNK)")
    cmd.add_argument("--undecided", action="store_true",
                     help="enqueue again the applications received but never decided that Redis no longer "
                          "carries (after Redis lost its data); with --dry-run, only list them")
    cmd.add_argument("--json", action="store_true", help="print the summary as JSON")
    cmd.set_defaults(handler=run)


def _bar(total: int, initial: int):
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="app", file=sys.stderr, dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}] {postfix}")


def run(args: argparse.Namespace) -> int:
    from schemas.settings import Settings
    from workers.context import WorkerContext
    from workers.reprocess import Reprocess, describe, new_batch_id, select

    if args.chunk is not None and args.chunk < 1:
        raise InputError("--chunk must be at least 1")
    if args.resume and (args.service or args.since or args.until or args.finding or args.batch_id):
        raise InputError("--resume takes the batch's own filters; give no others")
    ctx = WorkerContext(Settings())
    if args.undecided:
        return _undecided(ctx, args)
    if args.resume:
        batch = Reprocess(ctx, args.resume, args.chunk)
        if not batch.board.exists():
            raise InputError(f"no batch {args.resume} to resume")
    else:
        selection = select(ctx, args.service, args.since, args.until, args.finding)
        filters = {"service": args.service, "since": args.since and args.since.isoformat(),
                   "until": args.until and args.until.isoformat(), "finding": args.finding}
        if args.dry_run:
            plan = {"would_rerun": len(selection), "by_service": describe(selection), "filters": filters}
            if args.json:
                print_json(plan)
            else:
                console.print(f"would re-run {len(selection)} submissions (nothing enqueued):")
                for service, counts in plan["by_service"].items():
                    console.print(f"  {service}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            return 0
        batch = Reprocess(ctx, args.batch_id or new_batch_id(), args.chunk)
        batch.start(selection, filters)
    print(f"batch {batch.id}: {batch.counts()['total']} submissions", file=sys.stderr)

    counts = batch.counts()
    bar = _bar(counts["total"], counts["done"])

    def progress(now: dict) -> None:
        bar.update(now["done"] - bar.n)
        bar.set_postfix_str(f"done {now['done']} failed {now['failed']} remaining {now['remaining']}")

    try:
        summary = batch.run(progress)
    except KeyboardInterrupt:
        bar.close()
        print(f"onewindow: interrupted; applications in flight finish on the workers. "
              f"Resume with: onewindow reprocess --resume {batch.id}", file=sys.stderr)
        return 130
    bar.close()
    if args.json:
        print_json(summary)
        return 0
    console.print(f"batch {summary['batch']}: {summary['done']} re-run, {summary['failed']} ended as "
                  f"processing_failed")
    if not summary["flipped"]:
        console.print("no decision changed")
    for service, flips in sorted(summary["flipped"].items()):
        console.print(f"  {service}: " + ", ".join(f"{k} {v}" for k, v in sorted(flips.items())))
    return 0


def _undecided(ctx, args: argparse.Namespace) -> int:
    from workers.recover import requeue_undecided

    if args.resume or args.service or args.since or args.until or args.finding or args.batch_id:
        raise InputError("--undecided takes no other selection: it finds every undecided application")
    ctx.redis.ping()
    summary = requeue_undecided(ctx, dry_run=args.dry_run)
    if args.json:
        print_json(summary)
        return 0
    verb = "would re-enqueue" if args.dry_run else "re-enqueued"
    console.print(f"{summary['undecided']} undecided in the archive: {verb} {len(summary['requeued'])}, "
                  f"{len(summary['in_flight'])} still in the queues")
    for sid in summary["requeued"]:
        console.print(f"  {sid}")
    return 0
