"""`onewindow specimens OUT_DIR`: render synthetic documents with their ground truth."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.render import console
from schemas.settings import Settings


def register(sub) -> None:
    parser = sub.add_parser("specimens", help="render synthetic photographed documents + truth.json")
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--n", type=int, default=8, help="how many people (each gets every document)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--difficulty", type=int, action="append", choices=range(4),
                        help="0 scan, 1 normal, 2 hard, 3 hardest (repeatable; default all)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from specimens.generate import generate

    settings = Settings()
    difficulties = tuple(args.difficulty) if args.difficulty else (0, 1, 2, 3)
    result = generate(args.out, args.n, args.seed, settings.faces_dir, difficulties=difficulties)
    console.print(f"wrote {len(result.documents)} documents and truth.json to {args.out}")
    return 0
