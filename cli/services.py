"""`onewindow services [ID] [--json]`: the service catalog, as a citizen would read it."""

from __future__ import annotations

import argparse

from cli.context import print_json
from cli.render import console
from schemas.catalog import Service, default_catalog
from schemas.documents import DOC_TYPE_LABELS
from schemas.rules import MaxAge, MinAge, RetirementAge, Role

OWNER_TEXT = {
    Role.APPLICANT: "申请人本人",
    Role.INSURED: "参保人",
    Role.DECEASED: "逝者",
    Role.SPOUSE: "配偶",
    Role.FAMILY: "申请人与参保人",
}


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
        else:
            show(service)
        return 0
    if args.json:
        print_json([s.model_dump(mode="json") for s in catalog])
        return 0
    for service in catalog:
        what = f"{len(service.materials)} 项材料" if service.materials else "无需材料"
        if service.remote_verification:
            what += "，远程视频核验"
        console.print(f"{service.id:<36} {service.name}（{what}）", highlight=False)
    return 0


def show(service: Service) -> None:
    console.print(f"[bold]{service.name}[/]（{service.id}）")
    console.print(service.summary, highlight=False)
    for line in conditions(service):
        console.print(f"办理条件：{line}", highlight=False)
    if service.materials:
        console.print("请准备：")
    for index, material in enumerate(service.materials, 1):
        alternatives = " 或 ".join(DOC_TYPE_LABELS[d] for d in material.doc_types)
        notes = [OWNER_TEXT[material.owner] + "的"]
        if not material.required:
            notes.append("可选")
        if material.reusable and material.owner is Role.APPLICANT:
            notes.append("档案中已有有效的可不再提交")
        console.print(f"  {index}. {material.label}（{'，'.join(notes)}）", highlight=False)
        console.print(f"     {material.hint or alternatives}；可提交：{alternatives}", highlight=False)
    for item in service.inputs:
        choices = f"（{' / '.join(item.choices)}）" if item.choices else ""
        console.print(f"  申请时填写：{item.label}{choices}", highlight=False)
    if service.remote_verification:
        console.print(f"  另需：本人远程视频核验。{service.remote_verification_hint or ''}", highlight=False)


def conditions(service: Service) -> list[str]:
    lines = []
    for rule in service.eligibility:
        if isinstance(rule, MinAge):
            lines.append(f"申请之日年满{rule.years}周岁")
        elif isinstance(rule, MaxAge):
            lines.append(f"申请之日未满{rule.years}周岁")
        elif isinstance(rule, RetirementAge):
            lines.append("达到渐进式延迟法定退休年龄办法规定的法定退休年龄"
                         "（男60→63周岁；女职工55→58或50→55周岁，按出生年月逐月延迟）")
    return lines
