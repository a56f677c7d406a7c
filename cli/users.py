"""`onewindow users`: reviewer and admin accounts of the portal (the first admin starts here)."""

from __future__ import annotations

import argparse
import getpass
import sys

from schemas.errors import InputError


def register(sub) -> None:
    parser = sub.add_parser("users", help="portal accounts: add, list, disable")
    users = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users.add_parser("add", help="add an account (or reset its password and role)")
    add.add_argument("name")
    add.add_argument("--role", choices=("reviewer", "admin"), default="reviewer")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    add.set_defaults(handler=run_add)
    listing = users.add_parser("list", help="list accounts")
    listing.set_defaults(handler=run_list)
    disable = users.add_parser("disable", help="disable an account (ends its sessions)")
    disable.add_argument("name")
    disable.set_defaults(handler=run_disable)


def _store():
    from portal.app import open_store
    from schemas.settings import Settings

    return open_store(Settings())


def run_add(args: argparse.Namespace) -> int:
    from portal.security import hash_password

    if not args.name.isidentifier() or len(args.name) > 32:
        raise InputError("a user name is letters, digits and underscores (at most 32)")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise InputError("the passwords differ")
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    _store().add_user(args.name, args.role, hashed)
    print(f"{args.name}: {args.role}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    for user in _store().users():
        print(f"{user.name}\t{user.role}\t{'active' if user.active else 'disabled'}")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    store = _store()
    if store.user(args.name) is None:
        raise InputError(f"no user {args.name!r}")
    store.set_active(args.name, False)
    print(f"{args.name}: disabled")
    return 0
