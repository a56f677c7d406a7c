"""What templates share: labels in Chinese, masking, and a few formatting filters."""

from __future__ import annotations

from datetime import datetime

from schemas.documents import DOC_FIELDS, DOC_TYPE_LABELS, FIELD_LABELS, QUALITY_ISSUE_LABELS, DocType
from schemas.findings import FindingCode, Severity
from schemas.privacy import mask_field, mask_id_number, mask_text

CODE_LABELS = {
    FindingCode.MISSING_DOCUMENT: "缺少材料",
    FindingCode.UNREADABLE_DOCUMENT: "无法识别",
    FindingCode.INVALID_FIELD: "信息有误",
    FindingCode.EXPIRED_DOCUMENT: "证件过期",
    FindingCode.INCONSISTENT_FIELD: "信息不一致",
    FindingCode.INELIGIBLE: "不符合条件",
    FindingCode.UNEXPECTED_DOCUMENT: "多余材料",
    FindingCode.VERIFICATION_FAILED: "核验未通过",
    FindingCode.PROCESSING_FAILED: "处理失败",
}

STATUS_LABELS = {
    "accepted": "已通过预审",
    "pending": "待人工审核",
    "waiting": "请补充材料",
    "approved": "审核通过",
    "rejected": "未通过",
}


INPUT_LABELS = {
    "post_category": "岗位类别（女职工选择；男职工不用选）",
    "insured": "逝者（参保人）的身份证号码",
}
"""The catalog's inputs as the form asks them, in plain words (the catalog's own label otherwise)."""
CHOICE_LABELS = {
    "post_category": {"female_50": "原 50 周岁退休的岗位（一般为工人岗位）",
                      "female_55": "原 55 周岁退休的岗位（一般为管理、专业技术岗位）"},
}
NO_CHOICE = {"post_category": "男职工，不用选"}
ID_NUMBER_INPUTS = {"insured"}


def input_label(spec) -> str:
    return INPUT_LABELS.get(spec.id, spec.label)


def stated_label(service, input_id: str) -> str:
    spec = next((i for i in service.inputs if i.id == input_id), None)
    return input_label(spec) if spec is not None else INPUT_LABELS.get(input_id, input_id)


def choice_label(input_id: str, value: str) -> str:
    return CHOICE_LABELS.get(input_id, {}).get(value, value)


def input_value(input_id: str, value: str, reveal: bool = False) -> str:
    """A stated input as a page shows it: a choice in words, an ID number masked."""
    if input_id in ID_NUMBER_INPUTS and not reveal:
        return mask_id_number(value)
    return choice_label(input_id, value)


def doc_label(value) -> str:
    try:
        return DOC_TYPE_LABELS[DocType(value)]
    except ValueError:
        return str(value)


def ordered_fields(reading) -> list[tuple[str, str]]:
    order = DOC_FIELDS.get(reading.doc_type, ())
    names = [n for n in order if n in reading.fields] + [n for n in reading.fields if n not in order]
    return [(n, reading.fields[n]) for n in names]


def when(value) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def install(env) -> None:
    env.filters.update(
        mask_id=mask_id_number, masked=lambda value, name: mask_field(name, value), mask_text=mask_text, doc_label=doc_label,
        field_label=lambda n: FIELD_LABELS.get(n, n), code_label=lambda c: CODE_LABELS.get(FindingCode(c), c),
        status_label=lambda s: STATUS_LABELS.get(s, s), quality_label=lambda q: QUALITY_ISSUE_LABELS.get(q, q),
        when=when,
    )
    env.globals.update(ordered_fields=ordered_fields, BLOCKER=Severity.BLOCKER, input_label=input_label,
                       stated_label=stated_label, choice_label=choice_label, input_value=input_value,
                       NO_CHOICE=NO_CHOICE, ID_NUMBER_INPUTS=ID_NUMBER_INPUTS)
