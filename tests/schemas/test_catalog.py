"""The catalog loads, and a broken service file names the file, the line and the problem."""

import pytest

from schemas.catalog import Catalog, CatalogError, UnknownServiceError, default_catalog
from schemas.errors import InputError
from schemas.documents import DocType
from schemas.rules import NotExpired, ProvesRelationship, Role

SERVICE_IDS = {
    "resident_pension_enrollment", "resident_pension_claim", "retirement", "survivor_benefits",
    "personal_account_lump_sum", "bank_account_change", "pension_certification",
    "social_security_card_application", "personal_info_change", "unemployment_benefit_claim",
}


def test_every_shipped_service_loads():
    catalog = default_catalog()
    assert len(catalog) >= 1
    bank = catalog.get("bank_account_change")
    assert [m.doc_types for m in bank.materials] == [
        [DocType.ID_CARD_FRONT], [DocType.ID_CARD_BACK], [DocType.BANK_CARD]]


def test_unknown_service_lists_the_known_ones():
    with pytest.raises(UnknownServiceError, match="bank_account_change"):
        default_catalog().get("no_such_service")


def test_broken_file_reports_file_line_and_problem(tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "id: broken\nname: 坏的\nsummary: x\nmaterials:\n"
        "  - id: a\n    label: 身份证\n    doc_types: [id_card_front]\n"
        "  - id: b\n    label: 护照\n    doc_types: [passport]\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as info:
        Catalog.load(tmp_path)
    message = str(info.value)
    assert "broken.yaml:10:" in message
    assert "materials.1.doc_types.0" in message


def test_file_name_must_match_id(tmp_path):
    (tmp_path / "one.yaml").write_text("id: two\nname: x\nsummary: x\nremote_verification: true\n",
                                       encoding="utf-8")
    with pytest.raises(CatalogError, match="must match the file name"):
        Catalog.load(tmp_path)


def test_the_ten_services_other_tools_call():
    catalog = default_catalog()
    assert {s.id for s in catalog} == SERVICE_IDS
    for service in catalog:
        assert service.name and service.summary
        assert all(m.label and m.hint for m in service.materials)


def test_materials_have_alternatives_and_owners():
    survivor = default_catalog().get("survivor_benefits")
    proof = survivor.material("relationship_proof")
    assert proof.doc_types == [DocType.HOUSEHOLD_REGISTER, DocType.MARRIAGE_CERTIFICATE]
    assert survivor.material("death_certificate").owner is Role.DECEASED
    assert survivor.material("applicant_bank_card").owner is Role.APPLICANT
    assert any(isinstance(r, ProvesRelationship) for r in survivor.cross_rules)
    claim = default_catalog().get("unemployment_benefit_claim")
    assert claim.material("termination_certificate").doc_types == [DocType.LABOR_CONTRACT_TERMINATION]


def test_pension_certification_is_remote_verification_only():
    service = default_catalog().get("pension_certification")
    assert service.materials == [] and service.remote_verification


def test_rules_carry_chinese_messages():
    bank = default_catalog().get("bank_account_change")
    (rule,) = bank.field_rules
    assert isinstance(rule, NotExpired) and "过期" in rule.message


BASE = "id: broken\nname: 坏的\nsummary: x\nmaterials:\n  - id: a\n    label: 身份证\n    doc_types: [id_card_front]\n"


def _load_error(tmp_path, text: str) -> str:
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        Catalog.load(tmp_path)
    return str(info.value)


def test_rule_naming_an_unknown_material_points_at_the_rule(tmp_path):
    message = _load_error(tmp_path, BASE + "field_rules:\n  - rule: not_expired\n    material: a\n    field: birth_date\n"
                                          "  - rule: not_expired\n    material: b\n")
    assert "broken.yaml:12:" in message and "field_rules.1" in message and "'b'" in message


def test_rule_naming_a_field_the_document_lacks(tmp_path):
    message = _load_error(tmp_path, BASE + "cross_rules:\n  - rule: same_person\n"
                                          "    names: [{material: a, field: card_number}]\n")
    assert "broken.yaml:9:" in message and "card_number" in message


def test_unknown_rule_kind(tmp_path):
    message = _load_error(tmp_path, BASE + "eligibility:\n  - rule: be_nice\n")
    assert "broken.yaml:9:" in message and "eligibility.0" in message


def test_inputs_are_checked_against_the_service():
    retirement = default_catalog().get("retirement")
    assert retirement.check_inputs({"post_category": "female_50"}) == {"post_category": "female_50"}
    with pytest.raises(InputError, match="female_50, female_55"):
        retirement.check_inputs({"post_category": "female_45"})
    with pytest.raises(InputError, match="takes no input 'insured'"):
        retirement.check_inputs({"insured": "x"})
