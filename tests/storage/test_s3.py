"""The S3 backend under faults: endpoint down, slow, or answering errors. Each ends in one clear
UnavailableError after bounded tries, leaves nothing half-written visible, and a retry of the
same operation completes it. The server is a real HTTP server on loopback throughout."""

import http.client
import http.server
import socket
import threading
import time

import pytest

from storage.archive import Archive
from storage.errors import UnavailableError
from storage.s3 import parse_s3_location

CITIZEN = "130634196203070017"
DOCS = [bytes([n]) * 300_000 for n in range(5)]


def ingest(archive, sid="20261128T120000-aaaaaaaa"):
    """Intake: the uploads first, then the history event that makes them count."""
    files = [(f"{n}.jpg", data) for n, data in enumerate(DOCS)]
    return [u.sha256 for u in archive.receive(sid, "retirement", files, citizen=CITIZEN)]


class StopAfter:
    """Passes writes through to the real store and takes the real server down before the n-th."""

    def __init__(self, store, server, n):
        self.store, self.server, self.n, self.calls = store, server, n, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def create(self, key, data, **kw):
        self.calls += 1
        if self.calls == self.n:
            self.server.stop()
        return self.store.create(key, data, **kw)


def test_server_stopped_mid_operation_then_restarted(own_s3_server, keyring):
    store = own_s3_server.store()
    archive = Archive(StopAfter(store, own_s3_server, 4), keyring)  # key, then audit and blobs: down at the 4th
    started = time.monotonic()
    with pytest.raises(UnavailableError) as caught:
        ingest(archive)
    assert time.monotonic() - started < 5
    error = caught.value
    assert error.attempts == 3 and error.endpoint == own_s3_server.endpoint
    assert "\n" not in str(error) and own_s3_server.endpoint in str(error)

    own_s3_server.start()
    plain = Archive(store, keyring)
    assert plain.current_state(CITIZEN).submissions == []  # the uploads so far are not visible
    shas = ingest(plain)  # the retry completes it
    state = plain.current_state(CITIZEN)
    assert [s.submission_id for s in state.submissions] == ["20261128T120000-aaaaaaaa"]
    assert [plain.get_upload(sha, citizen=CITIZEN) for sha in shas] == DOCS
    assert len(list(store.list("uploads/"))) == 5
    assert plain.verify().ok


def test_endpoint_down_fails_fast_with_a_clear_error(own_s3_server, keyring):
    archive = Archive(own_s3_server.store(), keyring)
    own_s3_server.stop()
    started = time.monotonic()
    with pytest.raises(UnavailableError, match=r"did not .* after 3 tries"):
        archive.put_upload(b"x", citizen=CITIZEN)
    assert time.monotonic() - started < 3


@pytest.fixture
def silent_server():
    """Accepts connections, reads the request, never answers: a hung endpoint."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held, stop = [], threading.Event()

    def serve():
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def test_a_slow_endpoint_times_out_after_bounded_tries(own_s3_server, silent_server):
    own_s3_server.endpoint = silent_server
    started = time.monotonic()
    with pytest.raises(UnavailableError, match="after 3 tries"):
        own_s3_server.store(timeout=0.3)
    assert time.monotonic() - started < 3


class FlakyProxy(http.server.ThreadingHTTPServer):
    """Forwards to the real server, but answers every `fail_every`-th request with a 503."""

    def __init__(self, upstream, fail_every):
        self.upstream, self.fail_every, self.count, self.failed = upstream, fail_every, 0, 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _relay(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.count += 1
            fail = self.server.count % self.server.fail_every == 0
            self.server.failed += fail
        if fail:
            payload = b"<?xml version='1.0'?><Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>"
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        conn = http.client.HTTPConnection(*self.server.upstream.split(":"))
        conn.request(self.command, self.path, body=body, headers=dict(self.headers))
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _relay


def test_errors_from_the_server_are_retried_within_bounds(s3_server, keyring):
    proxy = FlakyProxy(s3_server.endpoint, fail_every=3)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        real = s3_server.endpoint
        s3_server.endpoint = f"127.0.0.1:{proxy.server_address[1]}"
        try:
            archive = Archive(s3_server.store(), keyring)
        finally:
            s3_server.endpoint = real
        shas = ingest(archive)
        assert [archive.get_upload(sha, citizen=CITIZEN) for sha in shas] == DOCS
        assert proxy.failed > 3  # the errors happened, and the bounded retries absorbed them
        proxy.fail_every = 1  # now every answer is an error: the operation gives up, clearly
        with pytest.raises(UnavailableError, match="ServiceUnavailable"):
            archive.put_upload(b"more", citizen=CITIZEN)
    finally:
        proxy.shutdown()
        thread.join()


def test_locations():
    assert parse_s3_location("s3://bucket") == ("bucket", "")
    assert parse_s3_location("s3://bucket/county/a/") == ("bucket", "county/a/")


def test_a_prefix_keeps_two_archives_apart_in_one_bucket(s3_server, keyring):
    first = s3_server.store()
    second = s3_server.store(bucket=first.bucket, prefix="other/")
    Archive(first, keyring).put_upload(b"a")
    assert list(second.list("uploads/")) == []
    assert second.location == f"s3://{first.bucket}/other"
