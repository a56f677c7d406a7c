"""Both backends, for real: a directory under tmp_path, and an S3 bucket on a moto server
started on 127.0.0.1 and reached only through the `minio` client over HTTP."""

from __future__ import annotations

import logging
import os
import socket
import uuid

import pytest
from moto.server import ThreadedMotoServer

from storage.archive import Archive
from storage.crypto import Keyring
from storage.local import LocalBlobStore
from storage.s3 import S3BlobStore, make_client



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopbackS3:
    """A moto server on loopback that tests can stop and start again on the same port.
    moto keeps its buckets in the process, so they survive a restart."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"127.0.0.1:{self.port}"
        self.server: ThreadedMotoServer | None = None

    def start(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def store(self, bucket: str | None = None, **options) -> S3BlobStore:
        options.setdefault("attempts", 3)
        options.setdefault("backoff", 0.02)
        timeout = options.pop("timeout", 2.0)
        client = make_client(self.endpoint, access_key="onewindow-test", secret_key="onewindow-test-secret",
                             secure=False, region="us-east-1", timeout=timeout)
        return S3BlobStore(client, bucket or f"ow-{uuid.uuid4().hex[:12]}", endpoint=self.endpoint, **options)


@pytest.fixture(scope="session")
def s3_server():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "onewindow-test")
    server = LoopbackS3()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_s3_server():
    """A server of the test's own, for tests that take it down."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = LoopbackS3()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def keyring() -> Keyring:
    return Keyring({"k1": os.urandom(32)}, "k1", os.urandom(32))


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "archive")
    return request.getfixturevalue("s3_server").store()


@pytest.fixture
def archive(store, keyring) -> Archive:
    return Archive(store, keyring, actor="test")
