"""`onewindow verify --reference IMAGE --probe VIDEO_OR_IMAGE [--challenge blink,turn_left] [--json]`:
is the person in the probe alive, doing what was asked, and the person of the reference?

Prints DESIGN.md's contract with --json: {"decision": "pass"|"fail"|"review", "match":
{"distance", "threshold", …}, "liveness": {…}, "reasons": […]}.

Face data is processed only with the person's separate consent (PIPL art. 29): either
--applicant ID, whose consent must be on record in the archive (`onewindow certify consent`),
or --consent-given, the operator's statement that the person consented outside OneWindow
(a signed form, test material). Without either nothing is read: the decision is `fail` with
reason `consent_missing`, exit code 2."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timedelta, timezone

from cli.certify import parse_applicant
from cli.context import Context, print_json
from cli.render import console
from schemas.errors import InputError
from schemas.verification import ACTION_LABELS, REASON_TEXT, Action, Challenge, VerificationDecision

DECISION_TEXT = {VerificationDecision.PASS: "[bold green]通过[/]", VerificationDecision.FAIL: "[bold red]不通过[/]",
                 VerificationDecision.REVIEW: "[bold yellow]转人工核验[/]"}


def register(sub) -> None:
    parser = sub.add_parser("verify", help="face match and liveness of a selfie video against a reference photo",
                            description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True, metavar="IMAGE", help="the reference photo (ID portrait)")
    parser.add_argument("--probe", required=True, metavar="VIDEO_OR_IMAGE", help="the selfie video (or a photo)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--challenge", metavar="ACTIONS",
                     help=f"actions the video must show, in order: {','.join(a.value for a in Action)}")
    how.add_argument("--nonce", help="a challenge issued with `onewindow certify challenge` (used up)")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--applicant", metavar="ID_NUMBER", help="the person's ID number: their recorded consent is checked")
    who.add_argument("--consent-given", action="store_true",
                     help="the person consented to face processing outside OneWindow (you answer for it)")
    parser.add_argument("--mirrored", action="store_true", help="the video is mirrored (left and right swapped)")
    parser.add_argument("--json", action="store_true", help="print DESIGN.md's JSON contract")
    parser.set_defaults(handler=run)


def parse_actions(text: str) -> list[Action]:
    actions = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            actions.append(Action(part))
        except ValueError:
            raise InputError(f"--challenge: unknown action '{part}'; known: {', '.join(a.value for a in Action)}") from None
    if not actions:
        raise InputError("--challenge needs at least one action")
    return actions


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from models.faces import face_models
    from pipeline.challenge import ChallengeRejected, ChallengeStore
    from pipeline.consent import ConsentBook
    from pipeline.ingest import decode
    from pipeline.verify import VerifyOptions, reference_from_image, verify
    from schemas.verification import Liveness, MatchResult, Reason, VerificationResult

    for raw in (args.reference, args.probe):
        if not Path(raw).is_file():
            raise InputError(f"{raw}: no such file")
    ctx = Context()
    options = VerifyOptions.from_settings(ctx.settings)
    if args.mirrored:
        options = VerifyOptions(**{**options.__dict__, "mirrored": True})
    actor = f"cli:{getpass.getuser()}"
    applicant = parse_applicant(args.applicant) if args.applicant else None

    def refuse(reason: Reason) -> int:
        result = VerificationResult(decision=VerificationDecision.FAIL, reasons=[reason],
                                    match=MatchResult(threshold=options.threshold, review_margin=options.review_margin),
                                    liveness=Liveness(assessed=False))
        show(result, args.json)
        return 2 if reason is Reason.CONSENT_MISSING else 0

    if applicant is None and not args.consent_given:
        print("onewindow: error: no consent to face processing: pass --applicant ID (consent recorded with "
              "`onewindow certify consent`) or --consent-given", file=sys.stderr)
        return refuse(Reason.CONSENT_MISSING)
    if applicant is not None and not ConsentBook(ctx.archive).given(applicant, actor=actor):
        print("onewindow: error: no consent to face processing on record for this applicant "
              "(`onewindow certify consent --applicant ID`); offer an in-person or video-call check", file=sys.stderr)
        return refuse(Reason.CONSENT_MISSING)

    now = datetime.now(timezone.utc)
    challenge = None
    if args.nonce:
        try:
            ck = ctx.archive.citizen_key(applicant) if applicant else None
            challenge = ChallengeStore(ctx.archive.store).redeem(args.nonce, citizen_key=ck, now=now)
        except ChallengeRejected as exc:
            return refuse(exc.reason)
    elif args.challenge:
        challenge = Challenge(nonce="cli", actions=parse_actions(args.challenge), issued_at=now,
                              expires_at=now + timedelta(seconds=ctx.settings.challenge_ttl_seconds),
                              max_seconds=ctx.settings.challenge_max_video_seconds)

    try:
        image = decode(Path(args.reference).read_bytes())[0].image
    except InputError as exc:
        raise InputError(f"{args.reference}: {exc}") from exc
    models = face_models()
    reference = reference_from_image(image, models)
    verification = verify(reference, args.probe, models, options, challenge=challenge, now=now,
                          reference_reason=Reason.REFERENCE_NO_FACE)
    show(verification.result, args.json)
    return 0


def show(result, as_json: bool) -> None:
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    console.print(f"结论：{DECISION_TEXT[result.decision]}")
    match = result.match
    if match.distance is not None:
        console.print(f"人脸比对：距离 {match.distance:.3f}（阈值 {match.threshold:.3f}，"
                      f"±{match.review_margin:.2f} 转人工；{match.frames} 帧）")
    live = result.liveness
    if live.assessed:
        asked = "、".join(ACTION_LABELS[a] for a in live.challenge) or "（未指定动作）"
        seen = "、".join(f"{ACTION_LABELS[e.action]}@{e.start:.1f}s" for e in live.observed) or "无"
        console.print(f"动作要求：{asked}    视频中看到：{seen}")
    for reason in result.reasons:
        console.print(f"  [red]•[/] {REASON_TEXT[reason]}  [dim]({reason.value})[/]")
