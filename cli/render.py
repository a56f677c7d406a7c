"""Output for people: Chinese labels, masked personal data, findings first."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from schemas.documents import DOC_FIELDS, DOC_TYPE_LABELS, FIELD_LABELS, QUALITY_ISSUE_LABELS, DocumentReading
from schemas.findings import Severity
from schemas.privacy import mask_field, mask_id_number
from schemas.submission import Decision, SubmissionResult

console = Console(highlight=False, soft_wrap=True)

_DECISION = {Decision.ACCEPTED: "[bold green]通过（无需人工）[/]", Decision.FLAGGED: "[bold yellow]转人工复核[/]"}
_SEVERITY = {Severity.BLOCKER: "[red]需补正[/]", Severity.WARNING: "[yellow]提示[/]"}


def print_reading(reading: DocumentReading) -> None:
    page = f" 第{reading.page}页" if reading.page else ""
    title = f"{reading.file}{page} — {DOC_TYPE_LABELS[reading.doc_type]}（置信度 {reading.confidence:.2f}）"
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for name in DOC_FIELDS[reading.doc_type]:
        value = reading.fields.get(name)
        issue = reading.field_issues.get(name)
        shown = mask_field(name, value) if value else "[dim]未读出[/]"
        if issue is not None and value:
            shown += f"  [red]({issue.value})[/]"
        table.add_row(FIELD_LABELS.get(name, name), shown)
    quality = "良好" if reading.quality.ok else "；".join(QUALITY_ISSUE_LABELS[i] for i in reading.quality.issues)
    table.add_row("照片质量", quality)
    console.print(table)
    console.print()


def print_submission(result: SubmissionResult) -> None:
    console.rule(f"{result.service_name}  [dim]{result.submission_id}[/]")
    applicant = mask_id_number(result.applicant) if result.applicant else "（未填写）"
    console.print(f"申请人：{applicant}    提交日期：{result.submitted_on}    材料：{len(result.uploads)} 份")
    console.print()
    for reading in result.documents:
        print_reading(reading)
    if result.findings:
        findings = Table(title="预审发现", title_justify="left", show_lines=False)
        findings.add_column("级别", no_wrap=True)
        findings.add_column("问题", overflow="fold", ratio=3)
        findings.add_column("材料", overflow="fold", ratio=2)
        for finding in result.findings:
            where = finding.file or ""
            if finding.field:
                where += f" · {FIELD_LABELS.get(finding.field, finding.field)}"
            findings.add_row(_SEVERITY[finding.severity], finding.message, where)
        console.print(findings)
    else:
        console.print("预审发现：无")
    console.print(f"结论：{_DECISION[result.decision]}    用时 {result.timings.get('total', 0):.1f} 秒")
    console.print(f"已存档：{result.archive}")
    console.print()
