"""Silent certification: pensioners are certified alive from what other departments already
know (a hospital settlement, a journey, a bank transaction), and asked for a face only when
nothing covers them. A death record stops certification and opens a case for a reviewer.

Records are kept per citizen in the archive (pipeline/records.py), each under an id made from
the citizen, source, date and the department's record number, so importing a file twice adds
nothing. Bad rows are reported with their line and reason, never dropped silently."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from pipeline.fields import birth_date_of, normalize_date, normalize_id_number, validate_id_number
from pipeline.records import CitizenRecords
from schemas.catalog import default_catalog
from schemas.certification import (
    SOURCE_ALIASES,
    SOURCE_LABELS,
    BadRow,
    CertificationRecord,
    ImportReport,
    PensionerStatus,
    Source,
    Status,
)
from schemas.errors import InputError
from schemas.findings import Finding, FindingCode, Severity
from schemas.privacy import mask_text
from schemas.submission import Decision, SubmissionResult
from storage.archive import Archive

SERVICE = "pension_certification"
COLUMNS = {
    "id_number": ("id_number", "身份证号", "公民身份号码", "身份证号码"),
    "date": ("date", "日期", "发生日期"),
    "source": ("source", "来源", "数据来源"),
    "reference": ("reference", "记录号", "业务流水号"),
}
DUE_WINDOW_DAYS = 30
"""Without --due-within, a certification running out within this many days counts as due."""


class CertificationLedger:
    def __init__(self, archive: Archive, *, period_days: int = 365, actor: str = "certification"):
        self.archive = archive
        self.period = timedelta(days=period_days)
        self.actor = actor
        self.records = CitizenRecords(archive, "certification")

    def add(self, id_number: str, source: Source, on: date, reference: str | None = None, *,
            actor: str | None = None) -> tuple[CertificationRecord, bool]:
        """Record one fact; (the record, whether it is new)."""
        ck = self.archive.citizen_key(id_number)
        record_id = hashlib.sha256(f"{ck}|{source.value}|{on.isoformat()}|{reference or ''}".encode()).hexdigest()[:32]
        record = CertificationRecord(record_id=record_id, id_number=id_number, source=source, on=on,
                                     reference=reference, recorded_at=datetime.now(timezone.utc),
                                     actor=actor or self.actor)
        new = self.records.put(id_number, f"{on:%Y%m%d}-{record_id}", record, actor=actor or self.actor,
                               purpose=f"certification record: {source.value}")
        return record, new

    def of(self, id_number: str) -> list[CertificationRecord]:
        return self.records.read(id_number, CertificationRecord, actor=self.actor, purpose="certification status")

    def status(self, today: date, *, due_within: int | None = None) -> list[PensionerStatus]:
        """Everyone with a record, most urgent first: stopped, must verify, due, certified."""
        out = []
        for ck in self.records.citizens():
            records = self.records.read_key(ck, CertificationRecord, actor=self.actor, purpose="certification status")
            if records:
                out.append(status_of(records, today, self.period, due_within))
        order = {Status.STOPPED: 0, Status.MUST_VERIFY: 1, Status.DUE: 2, Status.CERTIFIED: 3}
        return sorted(out, key=lambda s: (order[s.status], s.valid_until or date.min, s.id_number))


def status_of(records: list[CertificationRecord], today: date, period: timedelta,
              due_within: int | None = None) -> PensionerStatus:
    id_number = records[0].id_number
    deaths = sorted((r for r in records if r.source is Source.DEATH), key=lambda r: r.on)
    certifying = sorted((r for r in records if r.source.certifies and r.on <= today), key=lambda r: r.on)
    if deaths:
        death = deaths[0]
        later = [r for r in certifying if r.on > death.on]
        note = "死亡记录，已停止认证，待复核停发"
        if later:
            note += f"；死亡日期后仍有{SOURCE_LABELS[later[-1].source]}记录（{later[-1].on}），请核实"
        return PensionerStatus(id_number=id_number, status=Status.STOPPED, how=Source.DEATH, on=death.on, note=note)
    if not certifying:
        return PensionerStatus(id_number=id_number, status=Status.MUST_VERIFY, note="无认证或生存活动记录")
    last = certifying[-1]
    valid_until = last.on + period
    if valid_until <= today:
        return PensionerStatus(id_number=id_number, status=Status.MUST_VERIFY, how=last.source, on=last.on,
                               valid_until=valid_until, note="认证已过期，期间无生存活动记录")
    window = DUE_WINDOW_DAYS if due_within is None else due_within
    status = Status.DUE if valid_until <= today + timedelta(days=window) else Status.CERTIFIED
    return PensionerStatus(id_number=id_number, status=status, how=last.source, on=last.on, valid_until=valid_until)


# Import ---------------------------------------------------------------------------------------

def read_table(data: bytes) -> list[list[str]]:
    """Rows of a CSV (comma, tab or semicolon), UTF-8 (with or without BOM) or GB18030 as
    spreadsheets in China save it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("the file is neither UTF-8 nor GB18030 text")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for column, aliases in COLUMNS.items():
        for alias in aliases:
            if alias.lower() in names:
                found[column] = names.index(alias.lower())
                break
    missing = [c for c in ("id_number", "date", "source") if c not in found]
    if missing:
        raise InputError(f"the first line must name the columns id_number, date, source (missing: {', '.join(missing)}); "
                         f"it reads: {','.join(header)[:120]}")
    return found


def import_records(ledger: CertificationLedger, name: str, data: bytes, *, today: date,
                   actor: str = "certification import") -> ImportReport:
    """Import life-activity and death records. Valid rows are recorded (once, however often the
    file is imported); each new death record opens a flagged case for a reviewer."""
    rows = read_table(data)
    report = ImportReport(file=name)
    if not rows:
        raise InputError(f"{name} is empty")
    cols = _columns(rows[0])
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        problem, parsed = _parse(row, cols, today)
        if problem:
            report.bad.append(BadRow(line=line, reason=problem, text=mask_text(",".join(row))[:200]))
            continue
        id_number, source, on, reference = parsed
        record, new = ledger.add(id_number, source, on, reference, actor=actor)
        if not new:
            report.already += 1
            continue
        report.imported += 1
        if source is Source.DEATH:
            report.deaths += 1
            report.flagged.append(flag_death(ledger.archive, record, actor=actor))
    return report


def _parse(row: list[str], cols: dict[str, int], today: date):
    def cell(column: str) -> str:
        index = cols.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    raw_id, raw_date, raw_source = cell("id_number"), cell("date"), cell("source")
    if not raw_id or not raw_date or not raw_source:
        return "缺少身份证号、日期或来源", None
    id_number = normalize_id_number(raw_id)
    issue = validate_id_number(id_number) if id_number else "format"
    if issue is not None:
        return f"身份证号无效（{issue}）", None
    iso = normalize_date(raw_date)
    if iso is None:
        return f"日期无法识别：{raw_date}", None
    on = date.fromisoformat(iso)
    if on > today:
        return f"日期在未来：{iso}", None
    born = birth_date_of(id_number)
    if born and on < date.fromisoformat(born):
        return f"日期早于出生日期：{iso}", None
    source = SOURCE_ALIASES.get(raw_source) or SOURCE_ALIASES.get(raw_source.lower())
    if source is None:
        return f"来源无法识别：{raw_source}（可用：{', '.join(s.value for s in Source)}）", None
    if source in (Source.FACE, Source.IN_PERSON, Source.VIDEO_CALL):
        return f"来源 {source.value} 只能由本机构认证产生，不能导入", None
    reference = cell("reference") or None
    return None, (id_number, source, on, reference)


def flag_death(archive: Archive, record: CertificationRecord, *, actor: str) -> str:
    """A flagged pension_certification case for the reviewer queue; its id follows from the
    record, so flagging the same death twice writes the same case."""
    service = default_catalog().get(SERVICE)
    now = datetime.now(timezone.utc)
    submission_id = f"{record.on:%Y%m%d}T000000-{record.record_id[:8]}"
    message = (f"收到死亡登记记录：死亡日期 {record.on}"
               + (f"（记录号 {record.reference}）" if record.reference else "")
               + "。养老金领取资格认证已停止，请核实后办理停发，并告知家属丧葬补助金、抚恤金等待遇。")
    result = SubmissionResult(
        submission_id=submission_id, service=service.id, service_name=service.name, decision=Decision.FLAGGED,
        applicant=record.id_number, submitted_on=record.on, received_at=now,
        findings=[Finding(code=FindingCode.INELIGIBLE, severity=Severity.BLOCKER, message=message)],
        archive=archive.location,
    )
    archive.save_submission(result, actor=actor, purpose="certification: death record flagged for review")
    return submission_id


def import_file(ledger: CertificationLedger, path: Path, *, today: date, actor: str) -> ImportReport:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    return import_records(ledger, Path(path).name, data, today=today, actor=actor)


def certify(ledger: CertificationLedger, id_number: str, source: Source, on: date, reference: str | None,
            *, actor: str) -> CertificationRecord:
    """The agency's own certification (a face verification passed, a counter or video-call check)."""
    return ledger.add(id_number, source, on, reference, actor=actor)[0]

