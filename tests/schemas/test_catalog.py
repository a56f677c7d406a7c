"""The catalog loads, and a broken service file names the file, the line and the problem."""

import pytest

from schemas.catalog import Catalog, CatalogError, UnknownServiceError, default_catalog
from schemas.documents import DocType


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
    (tmp_path / "one.yaml").write_text("id: two\nname: x\nsummary: x\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="must match the file name"):
        Catalog.load(tmp_path)
