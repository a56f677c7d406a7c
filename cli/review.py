"""`onewindow review SUBMISSION --decision …`: a reviewer's decision on a pre-reviewed
submission, filed in the citizen's archive beside the machine's (dual-track, 双轨运行)."""

from __future__ import annotations

import argparse
import getpass

from cli.context import Context, print_json
from schemas.archive import ReviewerDecision
from schemas.findings import FindingCode
from schemas.privacy import mask_text


def register(sub) -> None:
    cmd = sub.add_parser("review", help="record a reviewer's decision on a submission (dual-track)",
                         description="Record a reviewer's decision on a pre-reviewed submission in the "
                                     "citizen's archive, beside the machine's. `onewindow report agreement` "
                                     "compares the two.")
    cmd.add_argument("submission", metavar="SUBMISSION", help="submission id (from `onewindow process`)")
    cmd.add_argument("--decision", required=True, choices=[d.value for d in ReviewerDecision])
    cmd.add_argument("--note", help="the reviewer's note (kept encrypted with the citizen's records)")
    cmd.add_argument("--reviewer", help="who decided (default: the login name)")
    cmd.add_argument("--item", help="with requested_item: the material asked for (see `onewindow services ID`)")
    cmd.add_argument("--disagree", action="append", default=[], metavar="CODE",
                     choices=[c.value for c in FindingCode],
                     help="a machine finding code the reviewer judged wrong; repeatable")
    cmd.add_argument("--revision", help="the submission revision decided on (default: the latest)")
    cmd.add_argument("--json", action="store_true", help="print the recorded decision as JSON")
    cmd.set_defaults(handler=run_review)


def run_review(args: argparse.Namespace) -> int:
    from pipeline.dualtrack import record_reviewer_decision

    reviewer = (args.reviewer or getpass.getuser() or "reviewer").strip()
    event = record_reviewer_decision(Context().archive, args.submission, args.decision, reviewer=reviewer,
                                     note=args.note, disagreed_codes=args.disagree, requested_item=args.item,
                                     revision=args.revision, actor=f"cli:{reviewer}")
    review = event.review
    if args.json:
        print_json({"submission_id": event.submission_id, "service": event.service, "event_id": event.event_id,
                    **review.model_dump(mode="json")})
        return 0
    agree = (review.machine_decision == "flagged") != (review.decision == ReviewerDecision.APPROVED)
    print(f"{event.submission_id} ({event.service}, revision {review.revision}): reviewer {review.reviewer} "
          f"{review.decision.value}; machine {review.machine_decision.value}"
          f"{' (' + ', '.join(c.value for c in review.machine_codes) + ')' if review.machine_codes else ''}"
          f" — {'agree' if agree else 'disagree'}")
    if review.note:
        print(f"note: {mask_text(review.note)}")
    return 0
