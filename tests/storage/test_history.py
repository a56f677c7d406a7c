"""The history is append-only and safe under concurrency: nothing is lost, no read-modify-write."""

import multiprocessing
import threading

from schemas.archive import EventKind
from schemas.submission import Upload
from storage.archive import Archive
from storage.crypto import Keyring
from storage.history import derive_state
from storage.local import LocalBlobStore

CITIZEN = "130634196203070017"


def twin(archive, s3_server):
    """A second, independent Archive over the same location (another worker)."""
    store = archive.store
    other = LocalBlobStore(store.root) if isinstance(store, LocalBlobStore) else s3_server.store(bucket=store.bucket)
    return Archive(other, archive.keyring, actor="worker-2")


def record(archive, worker, count):
    for i in range(count):
        sid = f"20261128T1200{i:02d}-{worker:08x}"
        archive.record_received(CITIZEN, sid, "retirement", [Upload(file=f"{i}.jpg", sha256="0" * 64, size=1)])


def test_two_workers_recording_for_one_citizen_lose_nothing(archive, request):
    s3_server = request.getfixturevalue("s3_server") if not isinstance(archive.store, LocalBlobStore) else None
    workers = [archive, twin(archive, s3_server)]
    threads = [threading.Thread(target=record, args=(w, n, 15)) for n, w in enumerate(workers, start=1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = archive.history_store.read(archive.citizen_key(CITIZEN))
    assert len(events) == 30
    assert len(derive_state(archive.citizen_key(CITIZEN), events).submissions) == 30
    count, problems = archive.audit_log.check(archive.citizen_key(CITIZEN))
    assert count == 30 and problems == []


def _process_worker(root: str, master: bytes, secret: bytes, worker: int) -> None:
    archive = Archive(LocalBlobStore(root), Keyring({"k1": master}, "k1", secret), actor=f"p{worker}")
    record(archive, worker, 10)


def test_two_processes_share_one_audit_chain_and_one_data_key(tmp_path, keyring):
    """Across processes no lock is shared: only the conditional writes keep this whole."""
    context = multiprocessing.get_context("spawn")
    args = (str(tmp_path), keyring.master_keys["k1"], keyring._citizen_secret)
    procs = [context.Process(target=_process_worker, args=(*args, n)) for n in (1, 2, 3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    archive = Archive(LocalBlobStore(tmp_path), keyring)
    ck = archive.citizen_key(CITIZEN)
    assert len(archive.history_store.read(ck)) == 30
    assert archive.audit_log.check(ck) == (30, [])


def test_events_are_sealed_and_ordered(archive):
    record(archive, 1, 3)
    keys = archive.history_store.event_keys(archive.citizen_key(CITIZEN))
    assert keys == sorted(keys) and len(keys) == 3
    assert all(k.endswith(".01-submission_received.0.enc") for k in keys)
    assert {e.kind for e in archive.history(CITIZEN)} == {EventKind.SUBMISSION_RECEIVED}
