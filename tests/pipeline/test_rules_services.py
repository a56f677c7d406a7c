"""Every service: a complete application passes with no finding, and each kind of defect
yields exactly its finding and no other."""

import pytest

from pipeline.check import check
from schemas.catalog import default_catalog
from schemas.documents import DocType, FieldIssue
from schemas.findings import FindingCode, Severity
from tests.pipeline.rule_kit import (
    APPLICANT, DECEASED, TODAY, complete, death_certificate, household, id_front, id_number, marriage, ssc,
    termination,
)

SERVICES = [s.id for s in default_catalog()]
WITH_ID_CARD = [s for s in SERVICES if s != "pension_certification"]


def run(service_id, documents, applicant=APPLICANT, today=TODAY, inputs=None):
    return check(default_catalog().get(service_id), documents, applicant, today, inputs=inputs)


def codes(findings):
    return [(f.code, f.severity) for f in findings]


BLOCK = Severity.BLOCKER


@pytest.mark.parametrize("service_id", SERVICES)
def test_complete_application_passes(service_id):
    assert run(service_id, complete(service_id)) == []


@pytest.mark.parametrize("service_id", WITH_ID_CARD)
def test_each_missing_material_is_one_finding(service_id):
    service = default_catalog().get(service_id)
    for material in service.materials:
        if not material.required:
            continue
        docs = [d for d in complete(service_id) if d.doc_type not in material.doc_types]
        findings = run(service_id, docs)
        assert codes(findings) == [(FindingCode.MISSING_DOCUMENT, BLOCK)], material.id
        assert material.label in findings[0].message or "缺少" in findings[0].message


@pytest.mark.parametrize("service_id", WITH_ID_CARD)
def test_expired_id_card(service_id):
    docs = complete(service_id)
    next(d for d in docs if d.doc_type is DocType.ID_CARD_BACK).fields["valid_until"] = "2026-11-27"
    findings = run(service_id, docs)
    assert codes(findings) == [(FindingCode.EXPIRED_DOCUMENT, BLOCK)]
    assert "2026-11-27" in findings[0].message and findings[0].field == "valid_until"


@pytest.mark.parametrize("service_id", WITH_ID_CARD)
def test_id_card_valid_until_the_submission_date_is_not_expired(service_id):
    docs = complete(service_id)
    next(d for d in docs if d.doc_type is DocType.ID_CARD_BACK).fields["valid_until"] = TODAY.isoformat()
    assert run(service_id, docs) == []


@pytest.mark.parametrize("service_id", WITH_ID_CARD)
def test_invalid_id_number_is_one_finding(service_id):
    docs = complete(service_id)
    front = next(d for d in docs if d.doc_type is DocType.ID_CARD_FRONT)
    front.field_issues["id_number"] = FieldIssue.CHECKSUM
    findings = run(service_id, docs)
    assert codes(findings) == [(FindingCode.INVALID_FIELD, BLOCK)]


@pytest.mark.parametrize("service_id", WITH_ID_CARD)
def test_someone_elses_id_card(service_id):
    other = id_number("1960-05-04", "024")
    docs = [id_front(other) if d.doc_type is DocType.ID_CARD_FRONT else d for d in complete(service_id)]
    findings = run(service_id, docs)
    assert (FindingCode.INCONSISTENT_FIELD, BLOCK) in codes(findings)
    assert {f.document_type for f in findings} == {DocType.ID_CARD_FRONT}


@pytest.mark.parametrize("service_id", ["resident_pension_claim", "unemployment_benefit_claim", "retirement"])
def test_names_disagree_across_documents(service_id):
    docs = complete(service_id)
    other = {DocType.HOUSEHOLD_REGISTER: household(name="王秀云"), DocType.SOCIAL_SECURITY_CARD: ssc(name="王秀云"),
             DocType.LABOR_CONTRACT_TERMINATION: termination(name="王秀云")}
    swapped = next(t for t in other if any(d.doc_type is t for d in docs))
    docs = [other[swapped] if d.doc_type is swapped else d for d in docs]
    findings = run(service_id, docs)
    assert codes(findings) == [(FindingCode.INCONSISTENT_FIELD, BLOCK)]
    assert findings[0].document_type is swapped and findings[0].field == "name"
    assert "王秀云" in findings[0].message and "王秀英" in findings[0].message


def test_resident_pension_claim_age_60_on_the_submission_date():
    turns_60 = id_number("1966-11-28", "002")
    docs = [id_front(turns_60), *complete("resident_pension_claim")[1:]]
    docs[2] = household(turns_60)
    docs[3] = ssc(turns_60)
    assert run("resident_pension_claim", docs, applicant=turns_60) == []
    turns_60_tomorrow = id_number("1966-11-29", "002")
    docs = [id_front(turns_60_tomorrow), docs[1], household(turns_60_tomorrow), ssc(turns_60_tomorrow)]
    findings = run("resident_pension_claim", docs, applicant=turns_60_tomorrow)
    assert codes(findings) == [(FindingCode.INELIGIBLE, BLOCK)]
    assert "2026-11-29" in findings[0].message


@pytest.mark.parametrize(("birth", "seq", "inputs", "eligible"), [
    ("1965-09-10", "011", None, True),           # man, 60y3m → 2025-12
    ("1966-09-10", "011", None, False),          # man, 60y6m → 2027-03
    ("1970-12-01", "002", {"post_category": "female_55"}, True),   # 55y3m → 2026-03
    ("1971-08-01", "002", {"post_category": "female_55"}, False),  # 55y5m → 2027-01
    ("1975-11-01", "002", {"post_category": "female_50"}, True),   # 50y6m → 2026-05
    ("1976-05-01", "002", {"post_category": "female_50"}, False),  # 50y9m → 2027-02
    ("1975-11-01", "002", None, False),          # the same woman in a 55-year post (the default)
])
def test_retirement_eligibility(birth, seq, inputs, eligible):
    number = id_number(birth, seq)
    docs = [id_front(number), complete("retirement")[1], ssc(number)]
    findings = run("retirement", docs, applicant=number, inputs=inputs)
    if eligible:
        assert findings == []
    else:
        assert codes(findings) == [(FindingCode.INELIGIBLE, BLOCK)]
        assert "法定退休年龄" in findings[0].message


@pytest.mark.parametrize(("today", "eligible"), [("2026-04-30", False), ("2026-05-01", True)])
def test_retirement_on_the_boundary_month(today, eligible):
    from datetime import date

    number = id_number("1966-01-20", "011")  # a man: 16th month from 1965-01 → 60 years 4 months → 2026-05
    docs = [id_front(number), complete("retirement")[1], ssc(number)]
    findings = run("retirement", docs, applicant=number, today=date.fromisoformat(today))
    assert (findings == []) is eligible
    if not eligible:
        assert "60周岁4个月" in findings[0].message and "2026年05月" in findings[0].message


@pytest.mark.parametrize("service_id", ["survivor_benefits", "personal_account_lump_sum"])
class TestSurvivor:
    def test_household_register_proves_the_relationship(self, service_id):
        docs = [household(DECEASED, "李建国") if d.doc_type is DocType.MARRIAGE_CERTIFICATE else d
                for d in complete(service_id)]
        assert run(service_id, docs) == []

    def test_relationship_not_proven(self, service_id):
        stranger = id_number("1959-01-01", "031")
        docs = [marriage(spouse=stranger) if d.doc_type is DocType.MARRIAGE_CERTIFICATE else d
                for d in complete(service_id)]
        findings = run(service_id, docs)
        assert codes(findings) == [(FindingCode.INCONSISTENT_FIELD, BLOCK)]
        assert findings[0].document_type is DocType.MARRIAGE_CERTIFICATE
        assert findings[0].field == "spouse_id_number"

    def test_the_deceased_is_the_insured_named_in_the_application(self, service_id):
        assert run(service_id, complete(service_id), inputs={"insured": DECEASED}) == []
        other = id_number("1950-01-01", "051")
        findings = run(service_id, complete(service_id), inputs={"insured": other})
        assert codes(findings) == [(FindingCode.INCONSISTENT_FIELD, BLOCK)]
        assert findings[0].document_type is DocType.DEATH_CERTIFICATE

    def test_death_date_after_the_submission(self, service_id):
        docs = [death_certificate(when="2026-12-01") if d.doc_type is DocType.DEATH_CERTIFICATE else d
                for d in complete(service_id)]
        findings = run(service_id, docs)
        assert codes(findings) == [(FindingCode.INVALID_FIELD, BLOCK)]
        assert findings[0].field == "death_date"

    def test_applicant_id_card_is_the_applicants(self, service_id):
        # the deceased's ID card uploaded in place of the applicant's
        docs = [id_front(DECEASED, "李建国") if d.doc_type is DocType.ID_CARD_FRONT else d for d in complete(service_id)]
        findings = run(service_id, docs)
        assert (FindingCode.INCONSISTENT_FIELD, BLOCK) in codes(findings)


def test_termination_date_in_the_future():
    docs = [termination(when="2027-01-31") if d.doc_type is DocType.LABOR_CONTRACT_TERMINATION else d
            for d in complete("unemployment_benefit_claim")]
    findings = run("unemployment_benefit_claim", docs)
    assert codes(findings) == [(FindingCode.INVALID_FIELD, BLOCK)] and findings[0].field == "termination_date"


def test_alternative_materials_each_satisfy():
    enrollment = complete("resident_pension_enrollment")
    with_register = [household(), enrollment[2]]  # household register instead of the ID card; back optional
    assert run("resident_pension_enrollment", with_register) == []
    claim = complete("retirement")
    from tests.pipeline.rule_kit import bank_card

    assert run("retirement", [claim[0], claim[1], bank_card()]) == []


def test_pension_certification_asks_for_no_documents_and_warns_on_extras():
    findings = run("pension_certification", [id_front()])
    assert codes(findings) == [(FindingCode.UNEXPECTED_DOCUMENT, Severity.WARNING)]
