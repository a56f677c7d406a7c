"""`onewindow archive ...` end to end on a local archive: output masks the ID number."""

import json

import pytest

from cli.main import main
from schemas.settings import Settings
from storage.archive import open_archive_from_settings

CITIZEN = "110101199003077571"
MASKED = "110101********7571"


@pytest.fixture
def archive_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ONEWINDOW_ARCHIVE", str(tmp_path / "data"))
    archive = open_archive_from_settings(Settings())
    archive.put_upload(b"\xff\xd8 photo", citizen=CITIZEN)
    return tmp_path


def test_audit_verify_export_erase_reindex(archive_dir, capsys):
    assert main(["archive", "audit", CITIZEN, "--actor", "auditor-1"]) == 0
    out = capsys.readouterr().out
    assert MASKED in out and CITIZEN not in out and "auditor-1" in out and "intact" in out

    assert main(["archive", "verify"]) == 0
    assert "archive is sound" in capsys.readouterr().out

    assert main(["archive", "export", CITIZEN, "--out", str(archive_dir / "copy.zip")]) == 0
    assert (archive_dir / "copy.zip").stat().st_size > 0
    assert CITIZEN not in capsys.readouterr().out

    assert main(["archive", "reindex", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unreadable"] == 0

    assert main(["archive", "erase", CITIZEN]) == 2  # needs --yes
    assert MASKED in capsys.readouterr().err
    assert main(["archive", "erase", CITIZEN, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "uploads      1 removed" in out and CITIZEN not in out


def test_a_bad_citizen_is_refused(archive_dir, capsys):
    assert main(["archive", "audit", "12345"]) == 2
    assert "valid 18-character ID number" in capsys.readouterr().err
