"""`onewindow demo`: OneWindow end to end on the embedded default, no servers.

Renders two citizens' photographed documents, then pre-reviews a bank-account change for
each: one complete and valid (accepted with no human touch), one with real gaps (an expired
ID card, no bank card) that are flagged, each gap named. Everything is archived locally."""

from __future__ import annotations

import argparse
import random
from datetime import date
from pathlib import Path

from cli.render import console

SERVICE = "bank_account_change"


def register(sub) -> None:
    parser = sub.add_parser("demo", help="read and pre-review two generated applications end to end")
    parser.add_argument("--out", type=Path, default=Path("onewindow-demo"),
                        help="where the generated photos go (default ./onewindow-demo)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--difficulty", type=int, default=1, choices=range(4),
                        help="photo difficulty: 0 scan, 1 normal (default), 2 hard, 3 hardest")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cli.context import Context
    from cli.render import print_submission
    from pipeline.process import process_submission
    from schemas.catalog import default_catalog

    ctx = Context()
    service = default_catalog().get(SERVICE)
    today = date.today()
    applications = _make_applications(args.out, args.seed, args.difficulty, ctx.settings.faces_dir, today)
    console.print(f"[bold]OneWindow demo[/bold] — {service.name}; photos in {args.out}/, "
                  f"archive in {ctx.archive.location}")
    with console.status("loading the OCR models…"):
        ctx.reader.engine.warm_up()
    for title, applicant, files in applications:
        console.rule(f"[bold]{title}[/bold]")
        uploads = [(path.name, path.read_bytes()) for path in files]
        with console.status(f"reading {len(files)} documents…"):
            result = process_submission(uploads, service, applicant, ctx.archive, ctx.reader, today)
        print_submission(result)
    return 0


def _make_applications(out: Path, seed: int, difficulty: int, faces_dir: Path, today: date):
    """Two applicants' photos on disk: (title, applicant ID number, files)."""
    from schemas.documents import DocType
    from specimens.faces import FacePool
    from specimens.generate import encode, specimen_images
    from specimens.people import make_person

    out.mkdir(parents=True, exist_ok=True)
    faces = FacePool(faces_dir)
    rng = random.Random(seed)
    complete = make_person(rng, faces=faces, valid_from=date(today.year - 3, 5, 1).isoformat())
    # issued at 30 for twenty years, twenty-one years ago: expired last year
    with_gaps = make_person(rng, faces=faces, birth_date=date(today.year - 51, 7, 9).isoformat(),
                            valid_from=date(today.year - 21, 3, 1).isoformat())
    expired_on = with_gaps.valid_until
    cases = [
        ("申请一：材料齐全、有效", complete, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)),
        (f"申请二：身份证已于 {expired_on} 过期，且未交银行卡", with_gaps, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK)),
    ]
    applications = []
    for number, (title, person, doc_types) in enumerate(cases, start=1):
        files = []
        for doc_type, (photo, info) in specimen_images(person, doc_types, difficulty, rng).items():
            data, ext = encode(photo, info)
            path = out / f"application{number}-{doc_type.value}{ext}"
            path.write_bytes(data)
            files.append(path)
        applications.append((title, person.id_number, files))
    return applications
