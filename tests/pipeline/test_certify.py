"""Silent certification: other departments' records of life activity certify pensioners
without a face; death records stop certification and open a case for a reviewer; importing
twice changes nothing; bad rows are reported with their line, never dropped silently."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipeline.certify import CertificationLedger, import_records
from schemas.certification import Source, Status
from schemas.errors import InputError
from schemas.findings import FindingCode
from schemas.submission import Decision
from storage.archive import open_archive

TODAY = date(2026, 11, 28)
HOSPITAL = "11010519491231002X"   # a settlement in the spring: certified
TRAVEL = "110102196203070019"     # a journey 350 days ago: due soon
BANK = "110101195001011239"       # a bank transaction two years ago: lapsed
DEAD = "110105194805050410"       # died in the summer
ROLL = "11010619520606001X"       # on the pension roll, no activity at all


def ids_are_valid():
    from pipeline.fields import validate_id_number

    return all(validate_id_number(i) is None for i in (HOSPITAL, TRAVEL, BANK, DEAD, ROLL))


CSV = f"""id_number,date,source,reference
{HOSPITAL},2026-04-02,hospital_settlement,YB-0001
{TRAVEL},{(TODAY - timedelta(days=350)).isoformat()},出行记录,12306-778
{BANK},2024-10-01,bank,
{DEAD},2026-07-15,death,MZ-2026-0715
{DEAD},2026-09-01,bank,after-death
{ROLL},2019-03-01,pensioner,
{HOSPITAL[:-1]}3,2026-04-02,hospital_settlement,bad-check-digit
{HOSPITAL},2027-01-01,bank,future
{HOSPITAL},2026-13-40,bank,no-such-date
{HOSPITAL},2026-05-01,lottery,unknown-source
{HOSPITAL},2026-05-01,face,not-importable
,2026-05-01,bank,no-id
"""


@pytest.fixture
def ledger(tmp_path):
    assert ids_are_valid()
    return CertificationLedger(open_archive(str(tmp_path / "archive"), actor="test"), period_days=365)


def test_import_records_the_good_rows_and_reports_every_bad_one(ledger):
    report = import_records(ledger, "records.csv", CSV.encode("utf-8"), today=TODAY)
    assert (report.rows, report.imported, report.already, report.deaths) == (12, 6, 0, 1)
    assert [(bad.line, bad.reason.split("：")[0].split("（")[0]) for bad in report.bad] == [
        (8, "身份证号无效"), (9, "日期在未来"), (10, "日期无法识别"), (11, "来源无法识别"),
        (12, "来源 face 只能由本机构认证产生，不能导入"), (13, "缺少身份证号、日期或来源")]
    assert all("11010519491231002X" not in bad.text for bad in report.bad)  # masked


def test_import_is_idempotent(ledger):
    import_records(ledger, "records.csv", CSV.encode("utf-8"), today=TODAY)
    again = import_records(ledger, "records.csv", CSV.encode("utf-8"), today=TODAY)
    assert (again.imported, again.already, again.deaths, again.flagged) == (0, 6, 0, [])
    assert len(list(ledger.archive.store.list("submissions/"))) == 1


def test_status_says_who_is_certified_how_and_when_who_is_due_and_who_must_verify(ledger):
    import_records(ledger, "records.csv", CSV.encode("utf-8"), today=TODAY)
    rows = {s.id_number: s for s in ledger.status(TODAY)}
    assert rows[HOSPITAL].status is Status.CERTIFIED
    assert (rows[HOSPITAL].how, rows[HOSPITAL].on, rows[HOSPITAL].valid_until) == (
        Source.HOSPITAL_SETTLEMENT, date(2026, 4, 2), date(2027, 4, 2))
    assert rows[TRAVEL].status is Status.DUE and rows[TRAVEL].how is Source.TRAVEL
    assert rows[BANK].status is Status.MUST_VERIFY and rows[BANK].valid_until == date(2025, 10, 1)
    assert rows[ROLL].status is Status.MUST_VERIFY and rows[ROLL].how is None
    assert rows[DEAD].status is Status.STOPPED and rows[DEAD].on == date(2026, 7, 15)
    assert "死亡日期后仍有银行交易记录" in rows[DEAD].note
    order = [s.status for s in ledger.status(TODAY)]
    assert order == sorted(order, key=[Status.STOPPED, Status.MUST_VERIFY, Status.DUE, Status.CERTIFIED].index)
    wide = {s.id_number: s.status for s in ledger.status(TODAY, due_within=400)}
    assert wide[HOSPITAL] is Status.DUE


def test_a_death_record_opens_a_flagged_case_for_a_reviewer(ledger):
    report = import_records(ledger, "records.csv", CSV.encode("utf-8"), today=TODAY)
    (case,) = report.flagged
    submission = ledger.archive.load_submission(case)
    assert submission.decision is Decision.FLAGGED and submission.service == "pension_certification"
    assert submission.applicant == DEAD
    (finding,) = submission.findings
    assert finding.code is FindingCode.INELIGIBLE and "2026-07-15" in finding.message and "停发" in finding.message
    state = ledger.archive.current_state(DEAD)
    assert state.submissions[0].decision is Decision.FLAGGED


def test_spreadsheet_exports_in_gb18030_with_chinese_headers_are_read(ledger):
    text = f"身份证号\t日期\t来源\n{HOSPITAL}\t2026年4月2日\t医保结算\n"
    report = import_records(ledger, "导出.csv", text.encode("gb18030"), today=TODAY)
    assert (report.imported, report.bad) == (1, [])


def test_a_file_without_the_columns_is_refused_as_a_whole(ledger):
    with pytest.raises(InputError, match="id_number, date, source"):
        import_records(ledger, "x.csv", "name,when\n张三,2026-01-01\n".encode(), today=TODAY)
