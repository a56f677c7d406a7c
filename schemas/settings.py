"""OneWindow's configuration: one validated object, read from ONEWINDOW_* environment
variables (and a `.env` file if present). Build it at the edge (CLI, app factory, worker
start) and pass it down; nothing reads the environment at import time."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """The team's shared test material: `../shared/data` beside the checkout, or the
    workplace's `/work/shared/data` for a clone made elsewhere (a fresh CI clone in /tmp)."""
    candidates = [REPO_ROOT.parent / "shared" / "data", Path("/work/shared/data")]
    return next((path for path in candidates if path.is_dir()), candidates[0])

DEV_KEY_ID = "dev"
DEV_ARCHIVE_KEY = hashlib.sha256(b"onewindow development archive key - NOT SECRET").digest()
DEV_CITIZEN_SECRET = hashlib.sha256(b"onewindow development citizen key secret - NOT SECRET").digest()
"""Built-in development secrets, derived from public strings so `onewindow demo` runs with no
configuration. Anyone can derive them: data written with them is NOT protected. Production
(ONEWINDOW_ENV=production) refuses to start with them."""


def parse_archive_keys(raw: str) -> dict[str, bytes]:
    """`kid1:BASE64,kid2:BASE64` (each key 32 bytes) → {kid: key}."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        kid, sep, encoded = item.partition(":")
        if not sep or not kid.isalnum():
            raise ValueError("ONEWINDOW_ARCHIVE_KEYS must read kid:BASE64[,kid:BASE64...] (kid letters/digits)")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise ValueError(f"archive key {kid!r} is not valid base64") from exc
        if len(key) != 32:
            raise ValueError(f"archive key {kid!r} must be 32 bytes (AES-256), not {len(key)}")
        keys[kid] = key
    return keys


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONEWINDOW_", env_file=".env", extra="ignore")

    archive: str = Field(
        default="./onewindow-data",
        description="Where the archive lives: a directory (the embedded default) or s3://bucket",
    )
    faces_dir: Path = Field(
        default_factory=lambda: shared_data_dir() / "faces",
        description="Face images used as portraits when rendering specimens",
    )

    ocr_engine: Literal["rapidocr", "paddleocr"] = "rapidocr"
    ocr_threads: int = Field(default=2, ge=1, description="inference threads when one document is read at a time")
    read_concurrency: int = Field(
        default=0, ge=0,
        description="documents one call reads at once, each inference on one thread (0: one per CPU core, "
                    "at most 4; 1: one after another)")
    paddle_det_dir: Path | None = None
    paddle_rec_dir: Path | None = None
    paddle_cls_dir: Path | None = None

    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_image_pixels: int = Field(default=60_000_000, ge=1)
    max_pdf_pages: int = Field(default=20, ge=1)

    env: Literal["development", "production"] = Field(
        default="development", description="production refuses the built-in development secrets")

    # The S3 backend (archive = s3://bucket[/prefix]); MinIO in production.
    s3_endpoint: str | None = Field(default=None, description="host:port of the S3 server")
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = Field(default=True, description="TLS to the S3 endpoint")
    s3_cert_check: bool = Field(default=True, description="verify the endpoint's TLS certificate")
    s3_region: str = "us-east-1"
    s3_timeout: float = Field(default=10.0, gt=0, description="seconds per request (connect, read)")
    s3_attempts: int = Field(default=4, ge=1, description="tries per request before giving up")
    s3_backoff: float = Field(default=0.2, ge=0, description="first wait between tries, doubling")
    s3_object_lock: bool = Field(
        default=False, description="create the bucket (when the archive creates it) with object lock")
    audit_lock_days: int = Field(
        default=3650, ge=1, description="object-lock retention of audit entries, where the bucket has it")

    # Encryption at rest and citizen keys.
    archive_keys: SecretStr | None = Field(
        default=None, description="master keys, kid:BASE64[,kid:BASE64...]; unset = development key")
    archive_key_id: str | None = Field(
        default=None, description="kid that wraps new data keys (default: the first in archive_keys)")
    citizen_key_secret: SecretStr | None = Field(
        default=None, description="HMAC secret turning an ID number into its citizen key; never change it")

    biometric_raw_retention_days: int = Field(
        default=0, ge=0, description="days raw selfies/videos stay after verification (0: deleted at once)")

    # Remote verification and certification (docs/verification.md).
    face_match_threshold: float = Field(
        default=0.56, gt=0, lt=2, description="face encoding distance at and above which two faces differ "
                                             "(calibrated: bench/faces.py, bench/RESULTS.md)")
    face_review_margin: float = Field(
        default=0.04, ge=0, lt=1, description="distances this close to the threshold, either side, go to a reviewer")
    challenge_ttl_seconds: int = Field(default=300, ge=30, description="how long a verification challenge stays valid")
    challenge_max_video_seconds: float = Field(default=15.0, gt=0, description="longest selfie video accepted")
    verify_sample_fps: float = Field(default=15.0, gt=0, le=60, description="video frames looked at per second")
    verify_mirrored: bool = Field(default=False, description="the capture client records mirrored video")
    certification_period_days: int = Field(
        default=365, ge=1, description="a certification of being alive holds this many days")

    @field_validator("archive_keys")
    @classmethod
    def _check_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not parse_archive_keys(value.get_secret_value()):
            raise ValueError("ONEWINDOW_ARCHIVE_KEYS is set but holds no key")
        return value

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> "Settings":
        keys, active = self.archive_master_keys()
        if active not in keys:
            raise ValueError(f"ONEWINDOW_ARCHIVE_KEY_ID={active!r} is not among ONEWINDOW_ARCHIVE_KEYS")
        if self.env == "production" and self.uses_development_secrets:
            raise ValueError("ONEWINDOW_ENV=production refuses the built-in development secrets: set "
                             "ONEWINDOW_ARCHIVE_KEYS and ONEWINDOW_CITIZEN_KEY_SECRET (see docs/archive.md)")
        return self

    def archive_master_keys(self) -> tuple[dict[str, bytes], str]:
        """({kid: 32-byte key}, the kid new data keys are wrapped with)."""
        if self.archive_keys is None:
            return {DEV_KEY_ID: DEV_ARCHIVE_KEY}, self.archive_key_id or DEV_KEY_ID
        keys = parse_archive_keys(self.archive_keys.get_secret_value())
        return keys, self.archive_key_id or next(iter(keys))

    def citizen_secret(self) -> bytes:
        if self.citizen_key_secret is None:
            return DEV_CITIZEN_SECRET
        return self.citizen_key_secret.get_secret_value().encode("utf-8")

    @property
    def uses_development_secrets(self) -> bool:
        keys, _ = self.archive_master_keys()
        return (self.citizen_secret() == DEV_CITIZEN_SECRET
                or any(key == DEV_ARCHIVE_KEY for key in keys.values()))

    @field_validator("faces_dir", "paddle_det_dir", "paddle_rec_dir", "paddle_cls_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    # The portal (`onewindow serve`): sessions, citizens' status links, limits.
    portal_secret_key: SecretStr | None = Field(
        default=None, description="signs session cookies and citizens' status links; unset = development key")
    portal_data_dir: Path | None = Field(
        default=None, description="the portal's own records (accounts, case index); default <archive>/portal")
    portal_cookie_secure: bool = Field(default=False, description="session cookie over HTTPS only (production)")
    portal_max_files: int = Field(default=8, ge=1, description="files per upload request")
    portal_status_link_days: int = Field(default=180, ge=1, description="how long a status link stays valid")
    portal_login_per_minute: int = Field(default=10, ge=1, description="login attempts per client per minute")
    portal_upload_per_minute: int = Field(default=20, ge=1, description="uploads per client per minute")
    portal_verify_per_minute: int = Field(default=10, ge=1, description="verification attempts per client per minute")
    portal_api_keys: SecretStr | None = Field(
        default=None, description="keys other government systems send as X-API-Key, comma-separated; unset = API off")

    # Workers (RQ jobs on Redis, `onewindow worker` / `submit` / `reprocess`); docs/workers.md.
    redis_url: str | None = Field(
        default=None, description="redis://host:port/db of the queues; unset = everything runs in-process")
    redis_prefix: str = Field(
        default="onewindow", pattern=r"^[A-Za-z0-9_-]+$",
        description="prefix of OneWindow's queue names, job ids and Redis keys (several deployments, one Redis)")
    worker_ocr_threads: int = Field(default=1, ge=1, description="inference threads per worker process")
    job_timeout: int = Field(default=600, ge=1, description="seconds one job may run before it is killed")
    job_retries: int = Field(default=3, ge=0, description="retries of a failing job before processing_failed")
    job_backoff: list[int] = Field(default=[5, 30, 120], description="seconds before each retry (last repeats)")
    job_result_ttl: int = Field(default=7 * 86400, ge=60, description="seconds job results and status stay in Redis")
    worker_maintenance_interval: int = Field(
        default=30, ge=1, description="seconds between a worker's sweeps for jobs abandoned by dead workers")
    metrics_port: int | None = Field(default=None, description="Prometheus metrics of a worker on this port")
    reprocess_chunk: int = Field(default=20, ge=1, description="applications in flight at once in `reprocess`")
