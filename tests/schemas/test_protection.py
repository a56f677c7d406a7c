from schemas.documents import DOC_FIELDS
from schemas.protection import CORE_PLACEHOLDER, Protection, mask_by_level, protection_of


def test_four_ordered_levels_with_the_agency_labels():
    assert [p.label for p in sorted(Protection)] == ["公开", "内部", "敏感", "核心"]


def test_every_document_field_is_classified_and_biometrics_are_highest():
    for fields in DOC_FIELDS.values():
        for name in fields:
            assert protection_of(name) in Protection
    assert protection_of("face_template") is Protection.CORE
    assert protection_of("id_number") is Protection.SENSITIVE
    assert protection_of("never_heard_of_it") is Protection.SENSITIVE  # fails closed


def test_lists_and_logs_mask_by_level():
    assert mask_by_level("service", "retirement") == "retirement"
    assert mask_by_level("id_number", "130634196203070017") == "130634********0017"
    assert mask_by_level("name", "欧阳翀翯") == "欧***"
    assert mask_by_level("address", "北京市东城区") == "北*****"
    assert mask_by_level("selfie", "anything", clearance=Protection.SENSITIVE) == CORE_PLACEHOLDER
    assert mask_by_level("address", "北京市", clearance=Protection.SENSITIVE) == "北京市"
