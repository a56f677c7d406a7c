"""`onewindow services [ID] [--json]`: the service catalog, as a citizen would read it."""

from __future__ import annotations

import argparse

from cli.context import print_json
from cli.render import console
from schemas.catalog import default_catalog
from schemas.documents import DOC_TYPE_LABELS


def register(sub) -> None:
    parser = sub.add_parser("services", help="list services, or show what one needs")
    parser.add_argument("service", nargs="?", metavar="ID")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    if args.service:
        service = catalog.get(args.service)
        if args.json:
            print_json(service.model_dump(mode="json"))
            return 0
        console.print(f"[bold]{service.name}[/]（{service.id}）")
        console.print(service.summary)
        console.print("请准备：")
        for index, material in enumerate(service.materials, 1):
            alternatives = " 或 ".join(DOC_TYPE_LABELS[d] for d in material.doc_types)
            optional = "" if material.required else "（可选）"
            console.print(f"  {index}. {material.label}{optional} — {material.hint or alternatives}")
        if service.remote_verification:
            console.print("  另需：本人刷脸完成远程视频核验")
        return 0
    if args.json:
        print_json([s.model_dump(mode="json") for s in catalog])
        return 0
    for service in catalog:
        console.print(f"{service.id:<36} {service.name}")
    return 0
