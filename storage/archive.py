"""The archive on top of a blob store: uploads addressed by their sha256 (the same photo
handed in twice is stored once) and one JSON record per submission. Object keys carry no
personal data: hashes and submission ids only."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from schemas.submission import SubmissionResult
from storage.blobs import BlobStore
from storage.errors import NotFoundError


class Archive:
    def __init__(self, store: BlobStore):
        self.store = store

    @property
    def location(self) -> str:
        return self.store.location

    @staticmethod
    def upload_key(sha256: str) -> str:
        return f"blobs/sha256/{sha256[:2]}/{sha256}"

    @staticmethod
    def submission_key(submission_id: str) -> str:
        return f"submissions/{submission_id}.json"

    def put_upload(self, data: bytes) -> str:
        """Store an upload (once per content) and return its sha256."""
        sha256 = hashlib.sha256(data).hexdigest()
        key = self.upload_key(sha256)
        if not self.store.exists(key):
            self.store.put(key, data)
        return sha256

    def get_upload(self, sha256: str) -> bytes:
        data = self.store.get(self.upload_key(sha256))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise NotFoundError(f"upload {sha256[:12]}… is corrupted in the archive")
        return data

    def save_submission(self, submission: SubmissionResult) -> None:
        self.store.put(self.submission_key(submission.submission_id),
                       submission.model_dump_json(indent=1).encode("utf-8"))

    def load_submission(self, submission_id: str) -> SubmissionResult:
        raw = self.store.get(self.submission_key(submission_id))
        return SubmissionResult.model_validate_json(raw)

    def submission_ids(self) -> Iterator[str]:
        for key in self.store.list("submissions/"):
            if key.endswith(".json"):
                yield key.removeprefix("submissions/").removesuffix(".json")


def open_archive(location: str) -> Archive:
    """The archive at `location`: a directory path (the embedded default)."""
    if location.startswith("s3://"):
        from storage.errors import StorageError

        raise StorageError("the S3 archive backend is not available in this build; use a directory")
    from storage.local import LocalBlobStore

    return Archive(LocalBlobStore(location))
