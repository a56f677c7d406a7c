"""Check: an application's documents against its service's materials and rules. Each
finding is one gap — which document, which field, what rule, what to do — never "re-check
everything"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipeline.fields import birth_date_of, sex_of
from schemas.catalog import Material, Service
from schemas.documents import DOC_TYPE_LABELS, FIELD_LABELS, PERMANENT, DocType, DocumentReading, FieldIssue
from schemas.findings import Finding, FindingCode, Severity

_ISSUE_TEXT = {
    FieldIssue.CHECKSUM: "校验位不正确",
    FieldIssue.FORMAT: "格式不正确",
    FieldIssue.DATE: "日期不存在",
    FieldIssue.REGION: "地区代码不存在",
}


@dataclass
class CheckContext:
    service: Service
    applicant: str | None
    today: date
    findings: list[Finding] = field(default_factory=list)

    def add(self, code: FindingCode, message: str, doc: DocumentReading | None = None,
            field_name: str | None = None, severity: Severity = Severity.BLOCKER) -> None:
        self.findings.append(Finding(
            code=code, severity=severity, message=message,
            file=doc.file if doc else None, page=doc.page if doc else None,
            document_type=doc.doc_type if doc else None, field=field_name,
            region=(doc.regions.get(field_name) if field_name else doc.document_region) if doc else None,
        ))


def check(service: Service, documents: list[DocumentReading], applicant: str | None,
          today: date) -> list[Finding]:
    ctx = CheckContext(service, applicant, today)
    chosen: dict[str, DocumentReading] = {}
    used: set[int] = set()
    for material in service.materials:
        candidates = [d for d in documents if d.doc_type in material.doc_types]
        if not candidates:
            continue
        best = max(candidates, key=_usefulness)
        chosen[material.id] = best
        used.add(id(best))
        for extra in candidates:
            if extra is not best:
                used.add(id(extra))
                ctx.add(FindingCode.UNEXPECTED_DOCUMENT,
                        f"重复上传了{material.label}，已采用其中较清晰的一份，此份不再使用。",
                        extra, severity=Severity.WARNING)

    missing = [m for m in service.materials if m.required and m.id not in chosen]
    unknown = [d for d in documents if d.doc_type is DocType.UNKNOWN]
    _report_missing(ctx, missing, unknown)
    for doc in documents:
        if id(doc) not in used and doc.doc_type is not DocType.UNKNOWN:
            ctx.add(FindingCode.UNEXPECTED_DOCUMENT,
                    f"本事项不需要{DOC_TYPE_LABELS[doc.doc_type]}，该材料不会被使用。",
                    doc, severity=Severity.WARNING)

    for material_id, doc in chosen.items():
        if _report_unreadable(ctx, doc):
            continue
        _report_invalid(ctx, doc)
        _report_expired(ctx, doc)
    _report_inconsistent(ctx, list(chosen.values()))
    return ctx.findings


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
        ctx.add(FindingCode.MISSING_DOCUMENT,
                f"缺少{material.label}。请上传：{material.hint or material.label}。")
    for doc in unknown:
        ctx.add(FindingCode.UNEXPECTED_DOCUMENT,
                f"无法识别此文件中的材料（{_quality_text(doc)}），本申请不需要它。", doc,
                severity=Severity.WARNING)


def _quality_text(doc: DocumentReading) -> str:
    from schemas.documents import QUALITY_ISSUE_LABELS

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


def _report_invalid(ctx: CheckContext, doc: DocumentReading) -> None:
    for name, issue in doc.field_issues.items():
        if issue is FieldIssue.NOT_READ:
            continue
        label = FIELD_LABELS.get(name, name)
        ctx.add(FindingCode.INVALID_FIELD,
                f"{DOC_TYPE_LABELS[doc.doc_type]}上的{label}“{doc.fields.get(name, '')}”{_ISSUE_TEXT[issue]}，"
                "请核对证件是否为本人有效证件，或重新拍摄。", doc, name)


def _report_expired(ctx: CheckContext, doc: DocumentReading) -> None:
    until = doc.fields.get("valid_until")
    if doc.doc_type is not DocType.ID_CARD_BACK or not until or until == PERMANENT:
        return
    if "valid_until" in doc.field_issues:
        return
    if date.fromisoformat(until) < ctx.today:
        ctx.add(FindingCode.EXPIRED_DOCUMENT,
                f"居民身份证已于{until}过期，请先换领新证，再上传新证的两面照片。", doc, "valid_until")


def _report_inconsistent(ctx: CheckContext, docs: list[DocumentReading]) -> None:
    for doc in docs:
        number = doc.fields.get("id_number")
        if not number or "id_number" in doc.field_issues:
            continue
        label = DOC_TYPE_LABELS[doc.doc_type]
        if ctx.applicant and number != ctx.applicant:
            ctx.add(FindingCode.INCONSISTENT_FIELD,
                    f"{label}上的公民身份号码与申请人的身份证号码不一致，请上传申请人本人的证件。",
                    doc, "id_number")
        birth = doc.fields.get("birth_date")
        if birth and "birth_date" not in doc.field_issues and birth != birth_date_of(number):
            ctx.add(FindingCode.INCONSISTENT_FIELD,
                    f"{label}上的出生日期{birth}与公民身份号码不符，请核对证件。", doc, "birth_date")
        sex = doc.fields.get("sex")
        if sex and sex != sex_of(number):
            ctx.add(FindingCode.INCONSISTENT_FIELD,
                    f"{label}上的性别“{sex}”与公民身份号码不符，请核对证件。", doc, "sex")
