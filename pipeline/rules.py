"""The rules a service declares (schemas/rules.py), evaluated over the documents chosen for its
materials. A rule only speaks about documents that were read and valid: a field that could not
be read or failed its checksum has its own finding already, and one gap gets one finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from string import Formatter

from schemas.catalog import Service
from schemas.documents import DOC_FIELDS, DOC_TYPE_LABELS, FIELD_LABELS, PERMANENT, DocType, DocumentReading
from schemas.findings import Finding, FindingCode, Severity
from schemas.rules import FieldRef, IsInsured, NotExpired, NotInFuture, OneOf, ProvesRelationship, SamePerson

_ID_FIELD = {DocType.MARRIAGE_CERTIFICATE: "holder_id_number"}


def id_field_of(doc_type: DocType) -> str | None:
    """The field that names whose document this is by ID number, if the type has one."""
    name = _ID_FIELD.get(doc_type, "id_number")
    return name if name in DOC_FIELDS[doc_type] else None


@dataclass
class CheckContext:
    service: Service
    applicant: str | None
    today: date
    inputs: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, DocumentReading] = field(default_factory=dict)
    """The document standing for each material, by material id."""
    unusable: set[str] = field(default_factory=set)
    """Materials whose document has a finding of its own (unreadable, invalid, not the
    applicant's): rules over several documents leave them out, so one gap is one finding."""
    findings: list[Finding] = field(default_factory=list)

    def add(self, code: FindingCode, message: str, doc: DocumentReading | None = None,
            field_name: str | None = None, severity: Severity = Severity.BLOCKER) -> None:
        self.findings.append(Finding(
            code=code, severity=severity, message=message,
            file=doc.file if doc else None, page=doc.page if doc else None,
            document_type=doc.doc_type if doc else None, field=field_name,
            region=(doc.regions.get(field_name) if field_name else doc.document_region) if doc else None,
        ))

    def value(self, ref: FieldRef) -> tuple[DocumentReading, str] | None:
        """The trusted value of a field: None when the material is absent, or the field was
        not read or is invalid (those have their own findings)."""
        doc = self.chosen.get(ref.material)
        if doc is None or ref.material in self.unusable or ref.field in doc.field_issues:
            return None
        value = doc.fields.get(ref.field)
        return (doc, value) if value else None


def say(template: str | None, default: str, **values: object) -> str:
    """The service's message if it declares one, else the engine's, with {placeholders} filled;
    an unknown placeholder is left as written rather than failing a review."""
    text = template or default
    known = {name for _, name, _, _ in Formatter().parse(text) if name}
    return text.format_map({k: values.get(k, "{" + k + "}") for k in known})


def check_field_rules(ctx: CheckContext) -> None:
    for rule in ctx.service.field_rules:
        found = ctx.value(FieldRef(material=rule.material, field=rule.field))
        if found is None:
            continue
        doc, value = found
        label, field_label = DOC_TYPE_LABELS[doc.doc_type], FIELD_LABELS.get(rule.field, rule.field)
        values = dict(document=label, field=field_label, value=value, today=ctx.today.isoformat())
        if isinstance(rule, NotExpired):
            if value != PERMANENT and _before(value, ctx.today):
                ctx.add(FindingCode.EXPIRED_DOCUMENT, say(
                    rule.message, "{document}已于{value}过期，请换领后重新上传。", **values), doc, rule.field)
        elif isinstance(rule, NotInFuture):
            if _before(ctx.today, value):
                ctx.add(FindingCode.INVALID_FIELD, say(
                    rule.message, "{document}上的{field}{value}晚于申请日期{today}，请核对材料。", **values),
                    doc, rule.field)
        elif isinstance(rule, OneOf) and value not in rule.values:
            ctx.add(FindingCode.INELIGIBLE, say(
                rule.message, "{document}上的{field}为“{value}”，本事项要求为：{allowed}。",
                allowed="、".join(rule.values), **values), doc, rule.field)


def _before(earlier: date | str, later: date | str) -> bool:
    try:
        first = earlier if isinstance(earlier, date) else date.fromisoformat(earlier)
        second = later if isinstance(later, date) else date.fromisoformat(later)
    except ValueError:
        return False
    return first < second


def check_cross_rules(ctx: CheckContext) -> None:
    for rule in ctx.service.cross_rules:
        if isinstance(rule, SamePerson):
            _same(ctx, rule, rule.names, "姓名")
            _same(ctx, rule, rule.id_numbers, "公民身份号码")
        elif isinstance(rule, IsInsured):
            _is_insured(ctx, rule)
        elif isinstance(rule, ProvesRelationship):
            _proves_relationship(ctx, rule)


def _same(ctx: CheckContext, rule: SamePerson, refs: list[FieldRef], what: str) -> None:
    present = [(ref, found) for ref in refs if (found := ctx.value(ref)) is not None]
    if len(present) < 2:
        return
    (_, (anchor_doc, anchor)), rest = present[0], present[1:]
    for ref, (doc, value) in rest:
        if value == anchor:
            continue
        ctx.add(FindingCode.INCONSISTENT_FIELD, say(
            rule.message, "{document}上的{what}“{value}”与{anchor_document}上的“{anchor}”不一致，"
            "请上传同一人的材料，或核对后重新拍摄。",
            document=DOC_TYPE_LABELS[doc.doc_type], what=what, value=value,
            anchor_document=DOC_TYPE_LABELS[anchor_doc.doc_type], anchor=anchor), doc, ref.field)


def _is_insured(ctx: CheckContext, rule: IsInsured) -> None:
    insured = ctx.inputs.get("insured")
    found = ctx.value(rule.field)
    if not insured or found is None or found[1] == insured:
        return
    doc, _ = found
    ctx.add(FindingCode.INCONSISTENT_FIELD, say(
        rule.message, "{document}上的公民身份号码与申请中填写的参保人不一致，请上传参保人本人的材料。",
        document=DOC_TYPE_LABELS[doc.doc_type]), doc, rule.field.field)


def _proves_relationship(ctx: CheckContext, rule: ProvesRelationship) -> None:
    proof = ctx.chosen.get(rule.material)
    people = [ctx.value(ref) for ref in rule.between]
    if proof is None or rule.material in ctx.unusable or any(p is None for p in people):
        return
    wanted = {p[1] for p in people if p}
    if proof.doc_type is DocType.MARRIAGE_CERTIFICATE:
        fields = ("holder_id_number", "spouse_id_number")
        named = {proof.fields.get(f) for f in fields}
        if named == wanted:
            return
        wrong = next((f for f in fields if proof.fields.get(f) not in wanted), fields[0])
    else:
        wrong = id_field_of(proof.doc_type) or "id_number"
        if proof.fields.get(wrong) in wanted:
            return
    ctx.add(FindingCode.INCONSISTENT_FIELD, say(
        rule.message, "{document}不能证明申请人与逝者的关系：证上的身份号码不是申请人或逝者的，"
        "请上传载明双方关系的户口簿或结婚证。", document=DOC_TYPE_LABELS[proof.doc_type]), proof, wrong)
