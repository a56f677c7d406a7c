"""`onewindow specimens OUT_DIR`: render synthetic documents with their ground truth."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.render import console
from schemas.documents import DocType
from schemas.settings import Settings


def register(sub) -> None:
    parser = sub.add_parser("specimens", help="render synthetic photographed documents + truth.json")
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--n", type=int, default=8, help="how many people (each gets every document)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--difficulty", type=int, action="append", choices=range(4),
                        help="0 scan, 1 normal, 2 hard, 3 hardest (repeatable; default all)")
    parser.add_argument("--doc-type", action="append", metavar="TYPE",
                        choices=[t.value for t in DocType if t is not DocType.UNKNOWN] + ["all"],
                        help="document type to render (repeatable; default the four cards; also "
                             "household_register, death_certificate, marriage_certificate, "
                             "labor_contract_termination, or 'all')")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from specimens.generate import DOC_TYPES, RENDERERS, generate

    settings = Settings()
    difficulties = tuple(args.difficulty) if args.difficulty else (0, 1, 2, 3)
    doc_types = tuple(RENDERERS) if args.doc_type == ["all"] else tuple(args.doc_type or DOC_TYPES)
    result = generate(args.out, args.n, args.seed, settings.faces_dir, difficulties=difficulties,
                      doc_types=doc_types)
    console.print(f"wrote {len(result.documents)} documents and truth.json to {args.out}")
    return 0
