"""The S3 backend through the `minio` client: MinIO in production, any S3-compatible server.

Every request has a timeout and a bounded number of tries with doubling waits; when they run
out the operation raises UnavailableError naming the endpoint. A PUT is atomic on S3 (the object
appears whole or not at all), so a failed write leaves nothing half-written, and the archive
orders its writes so that a retry of the whole operation completes it."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, ENABLED
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.versioningconfig import VersioningConfig
from urllib3.util import Timeout

from storage.errors import NotFoundError, StorageError, UnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_CODES = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout",
                   "RequestTimeTooSkewed", "OperationAborted", "XMinioServerNotInitialized"}


def parse_s3_location(location: str) -> tuple[str, str]:
    """`s3://bucket/optional/prefix` → ("bucket", "optional/prefix/")."""
    if not location.startswith("s3://"):
        raise StorageError(f"not an S3 location: {location!r} (expected s3://bucket)")
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    if not bucket:
        raise StorageError(f"no bucket in {location!r} (expected s3://bucket)")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


class S3BlobStore:
    def __init__(self, client: Minio, bucket: str, *, prefix: str = "", endpoint: str,
                 attempts: int = 4, backoff: float = 0.2, create_bucket: bool = True,
                 object_lock: bool = False):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.attempts = attempts
        self.backoff = backoff
        self.location = f"s3://{bucket}/{prefix}".rstrip("/")
        self._setup(create_bucket, object_lock)

    def _setup(self, create_bucket: bool, object_lock: bool) -> None:
        if not self._call("check bucket", self.bucket, lambda: self.client.bucket_exists(self.bucket)):
            if not create_bucket:
                raise StorageError(f"bucket {self.bucket} does not exist at {self.endpoint}")
            self._call("create bucket", self.bucket,
                       lambda: self.client.make_bucket(self.bucket, object_lock=object_lock))
            self._call("enable versioning", self.bucket, lambda: self.client.set_bucket_versioning(
                self.bucket, VersioningConfig(ENABLED)))
        status = self._call("read versioning", self.bucket,
                            lambda: self.client.get_bucket_versioning(self.bucket).status)
        self.versioned = status == ENABLED
        self.object_lock = self._has_object_lock()

    def _has_object_lock(self) -> bool:
        try:
            self._call("read object lock", self.bucket,
                       lambda: self.client.get_object_lock_config(self.bucket))
            return True
        except StorageError:
            return False

    def _key(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise StorageError(f"bad object key {key!r}")
        return self.prefix + key

    def _call(self, operation: str, key: str, fn: Callable[[], T]) -> T:
        """Run one request with bounded retries on transport errors and 5xx answers."""
        delay, last = self.backoff, ""
        for attempt in range(1, self.attempts + 1):
            try:
                return fn()
            except S3Error as exc:
                if exc.code == "NoSuchKey":
                    raise NotFoundError(f"{key} is not in the archive at {self.location}") from None
                status = exc.response.status if exc.response is not None else 0
                if exc.code not in RETRYABLE_CODES and status < 500:
                    raise StorageError(f"S3 refused to {operation} {key}: {exc.code}") from exc
                last = f"{exc.code}"
            except (ServerError, InvalidResponseError) as exc:
                last = str(exc).splitlines()[0][:120]
                if isinstance(exc, ServerError) and exc.status_code < 500:
                    raise StorageError(f"S3 refused to {operation} {key}: {last}") from exc
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                last = type(exc).__name__
            except MinioException as exc:
                raise StorageError(f"S3 client error during {operation} {key}: {exc}") from exc
            if attempt < self.attempts:
                log.info("S3 %s %s failed (%s), try %d of %d", operation, key, last, attempt, self.attempts)
                time.sleep(delay)
                delay *= 2
        raise UnavailableError(
            f"S3 endpoint {self.endpoint} did not {operation} {key} after {self.attempts} tries ({last})",
            endpoint=self.endpoint, attempts=self.attempts, operation=operation)

    def put(self, key: str, data: bytes) -> None:
        name = self._key(key)
        self._call("write", key, lambda: self.client.put_object(
            self.bucket, name, io.BytesIO(data), len(data)))

    def create(self, key: str, data: bytes, *, lock_days: int = 0) -> bool:
        # A standard conditional PUT (If-None-Match: *), which MinIO and AWS S3 honour atomically.
        # minio-py has no public argument for it, so this goes through its request helper.
        name = self._key(key)
        data = bytes(data)  # a view of a sealing buffer: the client wants bytes (no copy if it is)
        headers = {"If-None-Match": "*", "Content-Type": "application/octet-stream"}
        if lock_days and self.object_lock:  # S3 wants Content-MD5 on writes under object lock
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(data).digest()).decode()
            until = datetime.now(timezone.utc) + timedelta(days=lock_days)
            headers["x-amz-object-lock-mode"] = COMPLIANCE
            headers["x-amz-object-lock-retain-until-date"] = until.strftime("%Y-%m-%dT%H:%M:%S.000Z")

        def attempt() -> bool:
            try:
                self.client._put_object(self.bucket, name, data, headers=headers)  # noqa: SLF001
                return True
            except S3Error as exc:
                if exc.code in ("PreconditionFailed", "ConditionalRequestConflict"):
                    return False
                raise

        return self._call("write", key, attempt)

    def get(self, key: str) -> bytes:
        name = self._key(key)

        def read() -> bytes:
            response = self.client.get_object(self.bucket, name)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return self._call("read", key, read)

    def get_view(self, key: str) -> memoryview:
        return memoryview(self.get(key))  # the response is read into new bytes anyway

    def exists(self, key: str) -> bool:
        try:
            self._call("check", key, lambda: self.client.stat_object(self.bucket, self._key(key)))
            return True
        except NotFoundError:
            return False

    def delete(self, key: str) -> None:
        name = self._key(key)
        if not self.versioned:
            self._call("delete", key, lambda: self.client.remove_object(self.bucket, name))
            return
        versions = self._call("list versions of", key, lambda: [
            obj.version_id for obj in self.client.list_objects(
                self.bucket, prefix=name, recursive=True, include_version=True)
            if obj.object_name == name])
        for version in versions:
            self._call("delete", key, lambda v=version: self.client.remove_object(
                self.bucket, name, version_id=v))

    def list(self, prefix: str = "") -> Iterator[str]:
        full = self.prefix + prefix
        names = self._call("list", prefix or "/", lambda: [
            obj.object_name for obj in self.client.list_objects(self.bucket, prefix=full, recursive=True)])
        return iter(sorted(name.removeprefix(self.prefix) for name in names))


def make_client(endpoint: str, *, access_key: str | None, secret_key: str | None, secure: bool,
                region: str, cert_check: bool = True, timeout: float = 10.0) -> Minio:
    """A minio client whose HTTP pool neither waits five minutes nor retries on its own:
    S3BlobStore does the bounded retrying, so it can say how many tries it made."""
    http = urllib3.PoolManager(
        timeout=Timeout(connect=timeout, read=timeout), maxsize=16, retries=False,
        cert_reqs="CERT_REQUIRED" if cert_check else "CERT_NONE",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where())
    return Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure,
                 region=region, http_client=http, cert_check=cert_check)
