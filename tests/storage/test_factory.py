"""Choosing and configuring the archive from ONEWINDOW_* settings."""

import base64
import os

import pytest
from pydantic import ValidationError

from schemas.settings import Settings
from storage.archive import open_archive_from_settings
from storage.errors import StorageError
from storage.local import LocalBlobStore
from storage.s3 import S3BlobStore

CITIZEN = "130634196203070017"


def key_b64() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_the_default_is_a_local_directory_with_development_keys(tmp_path):
    settings = Settings(_env_file=None, archive=str(tmp_path / "data"))
    archive = open_archive_from_settings(settings)
    assert isinstance(archive.store, LocalBlobStore) and settings.uses_development_secrets
    assert archive.get_upload(archive.put_upload(b"x", citizen=CITIZEN)) == b"x"


def test_s3_from_environment_variables(monkeypatch, s3_server, tmp_path):
    env = {"ONEWINDOW_ARCHIVE": "s3://onewindow-env-test", "ONEWINDOW_S3_ENDPOINT": s3_server.endpoint,
           "ONEWINDOW_S3_ACCESS_KEY": "k", "ONEWINDOW_S3_SECRET_KEY": "s", "ONEWINDOW_S3_SECURE": "false",
           "ONEWINDOW_ARCHIVE_KEYS": f"a1:{key_b64()},a2:{key_b64()}", "ONEWINDOW_ARCHIVE_KEY_ID": "a2",
           "ONEWINDOW_CITIZEN_KEY_SECRET": "a long random secret", "ONEWINDOW_ENV": "production"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    archive = open_archive_from_settings(settings)
    assert isinstance(archive.store, S3BlobStore) and archive.keyring.active == "a2"
    assert archive.location == "s3://onewindow-env-test"
    assert archive.get_upload(archive.put_upload(b"y", citizen=CITIZEN), citizen=CITIZEN) == b"y"


def test_s3_without_an_endpoint_is_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="ONEWINDOW_S3_ENDPOINT"):
        open_archive_from_settings(Settings(_env_file=None, archive="s3://bucket"))


def test_production_refuses_the_development_secrets():
    with pytest.raises(ValidationError, match="development secrets"):
        Settings(_env_file=None, env="production")
    with pytest.raises(ValidationError, match="development secrets"):
        Settings(_env_file=None, env="production", archive_keys=f"p:{key_b64()}")
    ok = Settings(_env_file=None, env="production", archive_keys=f"p:{key_b64()}", citizen_key_secret="s3cret")
    assert not ok.uses_development_secrets


@pytest.mark.parametrize("raw", ["nokid", "k:notbase64!", "k:" + base64.b64encode(b"short").decode()])
def test_malformed_master_keys_are_refused(raw):
    with pytest.raises(ValidationError):
        Settings(_env_file=None, archive_keys=raw)


def test_the_active_key_must_be_configured():
    with pytest.raises(ValidationError, match="not among"):
        Settings(_env_file=None, archive_keys=f"a:{key_b64()}", archive_key_id="b")
