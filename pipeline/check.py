"""Check: an application's documents against its service's materials and rules. Each
finding is one gap — which document, which field, what rule, what to do — never "re-check
everything".

Order: pick one document per material (duplicates and extras are warnings), fill materials
the upload lacks from the citizen's archive (collect once), report what is missing, then per
document what cannot be read or is invalid, then the service's declared field, cross-document
and eligibility rules (pipeline/rules.py, pipeline/eligibility.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from pipeline.eligibility import check_eligibility
from pipeline.fields import birth_date_of, sex_of
from pipeline.reuse import reuse_from_record
from pipeline.rules import CheckContext, check_cross_rules, check_field_rules, id_field_of
from schemas.archive import RecordedDocument
from schemas.catalog import Material, Role, Service
from schemas.documents import DOC_TYPE_LABELS, FIELD_LABELS, DocType, DocumentReading, FieldIssue, QUALITY_ISSUE_LABELS
from schemas.findings import Finding, FindingCode, Severity

_ISSUE_TEXT = {
    FieldIssue.CHECKSUM: "校验位不正确",
    FieldIssue.FORMAT: "格式不正确",
    FieldIssue.DATE: "日期不存在",
    FieldIssue.REGION: "地区代码不存在",
}


@dataclass
class CheckResult:
    findings: list[Finding]
    reused: list[DocumentReading] = field(default_factory=list)
    """Readings taken from the citizen's archive in place of an upload (`reused_from` set)."""


def check(service: Service, documents: list[DocumentReading], applicant: str | None, today: date,
          on_record: Iterable[RecordedDocument] = (), inputs: dict[str, str] | None = None) -> list[Finding]:
    return pre_review(service, documents, applicant, today, on_record, inputs).findings


def pre_review(service: Service, documents: list[DocumentReading], applicant: str | None, today: date,
               on_record: Iterable[RecordedDocument] = (), inputs: dict[str, str] | None = None) -> CheckResult:
    ctx = CheckContext(service, applicant, today, service.check_inputs(dict(inputs or {})))
    used: set[int] = set()
    for material in service.materials:
        candidates = [d for d in documents if d.doc_type in material.doc_types and id(d) not in used]
        candidates = _of_owner(ctx, material, candidates)
        if not candidates:
            continue
        best = max(candidates, key=_usefulness)
        ctx.chosen[material.id] = best
        used.add(id(best))
        for extra in candidates:
            if extra is not best:
                used.add(id(extra))
                ctx.add(FindingCode.UNEXPECTED_DOCUMENT,
                        f"重复上传了{material.label}，已采用其中较清晰的一份，此份不再使用。",
                        extra, severity=Severity.WARNING)

    reused = reuse_from_record(ctx, list(on_record))
    missing = [m for m in service.materials if m.required and m.id not in ctx.chosen]
    unknown = [d for d in documents if d.doc_type is DocType.UNKNOWN]
    _report_missing(ctx, missing, unknown)
    for doc in documents:
        if id(doc) not in used and doc.doc_type is not DocType.UNKNOWN:
            ctx.add(FindingCode.UNEXPECTED_DOCUMENT,
                    f"本事项不需要{DOC_TYPE_LABELS[doc.doc_type]}，该材料不会被使用。",
                    doc, severity=Severity.WARNING)

    for material_id, doc in ctx.chosen.items():
        if _report_unreadable(ctx, doc):
            ctx.unusable.add(material_id)
            continue
        if _report_invalid(ctx, doc):
            ctx.unusable.add(material_id)
        if _report_owner(ctx, service.material(material_id), doc):
            ctx.unusable.add(material_id)
        _report_self_contradiction(ctx, doc)
    check_field_rules(ctx)
    check_cross_rules(ctx)
    check_eligibility(ctx)
    return CheckResult(ctx.findings, reused)


def _of_owner(ctx: CheckContext, material: Material, candidates: list[DocumentReading]) -> list[DocumentReading]:
    """When a service asks for two documents of one type (the applicant's ID card and the
    deceased's), prefer for an applicant's material the ones bearing the applicant's number."""
    if not ctx.applicant or len(candidates) < 2:
        return candidates
    others = [m for m in ctx.service.materials if m is not material and set(m.doc_types) & set(material.doc_types)]
    if not others:
        return candidates
    mine = [d for d in candidates if d.fields.get(id_field_of(d.doc_type) or "") == ctx.applicant]
    if material.owner is Role.APPLICANT:
        return mine or candidates[:1]
    return [d for d in candidates if d not in mine][:1] or candidates


def _usefulness(doc: DocumentReading) -> tuple[int, float]:
    return (-len(doc.field_issues), doc.confidence)


def _report_missing(ctx: CheckContext, missing: list[Material], unknown: list[DocumentReading]) -> None:
    if unknown and missing:
        labels = "、".join(m.label for m in missing)
        for doc in unknown:
            ctx.add(FindingCode.UNREADABLE_DOCUMENT,
                    f"无法识别此文件中的材料（{_quality_text(doc)}）。本申请尚缺：{labels}，"
                    "请将证件平放、四角完整、对焦清晰后重新拍摄上传。", doc)
        return
    for material in missing:
        alternatives = " 或 ".join(DOC_TYPE_LABELS[d] for d in material.doc_types)
        ctx.add(FindingCode.MISSING_DOCUMENT,
                material.missing_message or f"缺少{material.label}。请上传：{material.hint or alternatives}。")
    for doc in unknown:
        ctx.add(FindingCode.UNEXPECTED_DOCUMENT,
                f"无法识别此文件中的材料（{_quality_text(doc)}），本申请不需要它。", doc,
                severity=Severity.WARNING)


def _quality_text(doc: DocumentReading) -> str:
    return "；".join(QUALITY_ISSUE_LABELS[i] for i in doc.quality.issues) or "未能读出文字"


def _report_unreadable(ctx: CheckContext, doc: DocumentReading) -> bool:
    unread = [name for name, issue in doc.field_issues.items() if issue is FieldIssue.NOT_READ]
    if not unread:
        return False
    names = "、".join(FIELD_LABELS.get(n, n) for n in unread)
    reason = _quality_text(doc) if doc.quality.issues else "字迹无法辨认"
    ctx.add(FindingCode.UNREADABLE_DOCUMENT,
            f"{DOC_TYPE_LABELS[doc.doc_type]}上的{names}无法识别（{reason}），请重新拍摄清晰、完整的照片。",
            doc, unread[0])
    return True


def _report_invalid(ctx: CheckContext, doc: DocumentReading) -> bool:
    found = False
    for name, issue in doc.field_issues.items():
        if issue is FieldIssue.NOT_READ:
            continue
        found = True
        label = FIELD_LABELS.get(name, name)
        ctx.add(FindingCode.INVALID_FIELD,
                f"{DOC_TYPE_LABELS[doc.doc_type]}上的{label}“{doc.fields.get(name, '')}”{_ISSUE_TEXT[issue]}，"
                "请核对证件是否为本人有效证件，或重新拍摄。", doc, name)
    return found


def _report_owner(ctx: CheckContext, material: Material | None, doc: DocumentReading) -> bool:
    """An applicant's material bears the applicant's ID number."""
    name = id_field_of(doc.doc_type)
    number = doc.fields.get(name or "")
    if material is None or material.owner is not Role.APPLICANT or not ctx.applicant:
        return False
    if not number or name in doc.field_issues or number == ctx.applicant:
        return False
    ctx.add(FindingCode.INCONSISTENT_FIELD,
            f"{DOC_TYPE_LABELS[doc.doc_type]}上的{FIELD_LABELS[name]}与申请人的身份证号码不一致，"
            f"请上传申请人本人的{material.label}。", doc, name)
    return True


def _report_self_contradiction(ctx: CheckContext, doc: DocumentReading) -> None:
    """Birth date and sex printed on a document agree with its ID number."""
    number = doc.fields.get("id_number")
    if not number or "id_number" in doc.field_issues:
        return
    label = DOC_TYPE_LABELS[doc.doc_type]
    birth = doc.fields.get("birth_date")
    if birth and "birth_date" not in doc.field_issues and birth != birth_date_of(number):
        ctx.add(FindingCode.INCONSISTENT_FIELD,
                f"{label}上的出生日期{birth}与公民身份号码不符，请核对证件。", doc, "birth_date")
    sex = doc.fields.get("sex")
    if sex and "sex" not in doc.field_issues and sex != sex_of(number):
        ctx.add(FindingCode.INCONSISTENT_FIELD,
                f"{label}上的性别“{sex}”与公民身份号码不符，请核对证件。", doc, "sex")
