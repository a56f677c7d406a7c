"""`onewindow`: the command line. Each sub-command lives in its own module under cli/."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
import warnings

from schemas.errors import OneWindowError


COMMAND_ORDER = ("documents", "demo", "specimens", "services", "archive", "doctor")
"""Modules listed first in `onewindow --help`; any other cli/ module with `register(sub)` follows."""


def command_modules() -> list:
    """Every cli/ module that defines `register(sub)`: adding a command is adding a module."""
    import cli

    names = [info.name for info in pkgutil.iter_modules(cli.__path__)
             if info.name not in {"main", "__main__", "context", "render"}]
    names.sort(key=lambda name: (COMMAND_ORDER.index(name) if name in COMMAND_ORDER else len(COMMAND_ORDER), name))
    modules = [importlib.import_module(f"cli.{name}") for name in names]
    return [module for module in modules if hasattr(module, "register")]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onewindow",
        description="OneWindow (一窗通办): read, check and archive social-insurance applications.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
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
