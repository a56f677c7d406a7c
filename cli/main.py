"""`onewindow`: the command line. Each sub-command lives in its own module under cli/."""

from __future__ import annotations

import argparse
import logging
import sys
import warnings

from schemas.errors import OneWindowError


def build_parser() -> argparse.ArgumentParser:
    from cli import archive, documents, doctor, services, specimens

    parser = argparse.ArgumentParser(
        prog="onewindow",
        description="OneWindow (一窗通办): read, check and archive social-insurance applications.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (documents, specimens, services, doctor, archive):
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except OneWindowError as exc:
        print(f"onewindow: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("onewindow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
