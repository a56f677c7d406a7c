"""The pre-review rules of bank_account_change, on readings built by hand: each defect
yields exactly its finding, and a complete application none."""

from datetime import date

from pipeline.check import check
from schemas.catalog import default_catalog
from schemas.documents import DocType, DocumentReading, FieldIssue, Quality, QualityIssue
from schemas.findings import FindingCode, Severity

APPLICANT = "11010519491231002X"
TODAY = date(2026, 11, 28)


def reading(doc_type: DocType, file: str, **fields) -> DocumentReading:
    return DocumentReading(file=file, doc_type=doc_type, confidence=0.9, fields=fields,
                           quality=Quality(ok=True))


def complete() -> list[DocumentReading]:
    return [
        reading(DocType.ID_CARD_FRONT, "a.jpg", name="张三", sex="女", ethnicity="汉",
                birth_date="1949-12-31", address="北京市朝阳区幸福路1号", id_number=APPLICANT),
        reading(DocType.ID_CARD_BACK, "b.jpg", issuing_authority="北京市公安局朝阳分局",
                valid_from="2010-01-01", valid_until="长期"),
        reading(DocType.BANK_CARD, "c.jpg", card_number="6228480402564890018", bank_name="中国农业银行"),
    ]


def run(documents, applicant=APPLICANT):
    return check(default_catalog().get("bank_account_change"), documents, applicant, TODAY)


def codes(findings):
    return sorted((f.code, f.severity) for f in findings)


def test_complete_application_has_no_findings():
    assert run(complete()) == []


def test_any_order_any_name():
    docs = complete()[::-1]
    for i, doc in enumerate(docs):
        doc.file = f"IMG_{i}.jpg"
    assert run(docs) == []


def test_missing_bank_card():
    findings = run(complete()[:2])
    assert codes(findings) == [(FindingCode.MISSING_DOCUMENT, Severity.BLOCKER)]
    assert "银行卡" in findings[0].message


def test_expired_id_card():
    docs = complete()
    docs[1].fields["valid_until"] = "2024-03-01"
    findings = run(docs)
    assert codes(findings) == [(FindingCode.EXPIRED_DOCUMENT, Severity.BLOCKER)]
    assert "2024-03-01" in findings[0].message and findings[0].field == "valid_until"


def test_invalid_id_number():
    docs = complete()
    docs[0].fields["id_number"] = "110105194912310021"
    docs[0].field_issues["id_number"] = FieldIssue.CHECKSUM
    findings = run(docs, applicant=None)
    assert codes(findings) == [(FindingCode.INVALID_FIELD, Severity.BLOCKER)]
    assert findings[0].field == "id_number" and findings[0].file == "a.jpg"


def test_invalid_card_number():
    docs = complete()
    docs[2].field_issues["card_number"] = FieldIssue.CHECKSUM
    assert codes(run(docs)) == [(FindingCode.INVALID_FIELD, Severity.BLOCKER)]


def test_someone_elses_id_card():
    other = "110105194912310037"
    findings = run(complete(), applicant=other)
    assert codes(findings) == [(FindingCode.INCONSISTENT_FIELD, Severity.BLOCKER)]


def test_unreadable_field():
    docs = complete()
    del docs[0].fields["address"]
    docs[0].field_issues["address"] = FieldIssue.NOT_READ
    docs[0].quality = Quality(ok=False, issues=[QualityIssue.BLURRY])
    findings = run(docs)
    assert codes(findings) == [(FindingCode.UNREADABLE_DOCUMENT, Severity.BLOCKER)]
    assert "住址" in findings[0].message and "模糊" in findings[0].message


def test_unrecognisable_upload_in_place_of_a_missing_one():
    docs = complete()[:2] + [DocumentReading(file="blur.jpg", doc_type=DocType.UNKNOWN, confidence=0.9,
                                             quality=Quality(ok=False, issues=[QualityIssue.BLURRY]))]
    findings = run(docs)
    assert codes(findings) == [(FindingCode.UNREADABLE_DOCUMENT, Severity.BLOCKER)]
    assert findings[0].file == "blur.jpg" and "银行卡" in findings[0].message


def test_duplicates_and_extras_are_warnings_only():
    docs = complete() + [complete()[2].model_copy(update={"file": "again.jpg"}),
                         reading(DocType.SOCIAL_SECURITY_CARD, "ssc.jpg", name="张三")]
    findings = run(docs)
    assert codes(findings) == [(FindingCode.UNEXPECTED_DOCUMENT, Severity.WARNING)] * 2


def test_birth_date_that_contradicts_the_number():
    docs = complete()
    docs[0].fields["birth_date"] = "1950-01-01"
    findings = run(docs)
    assert codes(findings) == [(FindingCode.INCONSISTENT_FIELD, Severity.BLOCKER)]
    assert findings[0].field == "birth_date"
