from schemas.archive import BiometricKind, VerificationRecord
from schemas.documents import DocType, DocumentReading, Quality
from schemas.findings import Finding, FindingCode, Severity
from schemas.submission import Decision, SubmissionResult
from storage.reindex import CountingSink

CITIZEN = "130634196203070017"


def test_reindex_rebuilds_submission_and_citizen_entries_from_the_archive_alone(archive):
    reading = DocumentReading(file="f.jpg", doc_type=DocType.ID_CARD_FRONT, confidence=1, quality=Quality(ok=True))
    for n, (applicant, decision) in enumerate([(CITIZEN, Decision.FLAGGED), (CITIZEN, Decision.ACCEPTED),
                                               (None, Decision.ACCEPTED)]):
        archive.save_submission(SubmissionResult(
            submission_id=f"20261128T12000{n}-0000000{n}", service="retirement", service_name="退休",
            decision=decision, applicant=applicant, submitted_on="2026-11-28",
            received_at="2026-11-28T12:00:00Z", documents=[reading],
            findings=[Finding(code=FindingCode.EXPIRED_DOCUMENT, severity=Severity.BLOCKER, message="过期")]
            if decision is Decision.FLAGGED else []))
    archive.put_biometric(CITIZEN, BiometricKind.TEMPLATE, b"t")
    archive.record_verification(CITIZEN, VerificationRecord(decision="pass"))
    sink = CountingSink(keep=True)
    summary = archive.reindex(sink)
    assert (summary.submissions, summary.citizens, summary.unreadable) == (3, 1, 0)
    assert summary.by_decision == {"flagged": 1, "accepted": 2}
    assert summary.by_finding == {"expired_document": 1}
    (citizen,) = sink.citizens
    assert citizen.citizen_key == archive.citizen_key(CITIZEN)
    assert (citizen.submissions, citizen.last_decision, citizen.last_verification) == (2, Decision.ACCEPTED, "pass")
    assert citizen.documents_on_record == [DocType.ID_CARD_FRONT]
    assert [e.citizen_key is not None for e in sink.submissions] == [True, True, False]
