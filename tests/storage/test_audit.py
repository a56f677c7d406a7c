"""The audit log: a hash chain per scope that shows any edit, gap or insertion."""

import os

import pytest

from schemas.archive import AuditAction
from storage.audit import GENESIS, AuditLog
from storage.errors import StorageError
from storage.local import LocalBlobStore


def fill(store, n=4):
    log = AuditLog(store)
    for i in range(n):
        log.append("scope1", actor="clerk", action=AuditAction.READ, purpose=f"case {i}", objects=[f"k{i}"])
    return log


def test_entries_chain_from_genesis(store):
    log = fill(store)
    entries = log.entries("scope1")
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev == GENESIS
    assert all(b.prev == a.hash for a, b in zip(entries, entries[1:]))
    assert log.check("scope1") == (4, [])
    # A fresh log object (another process) finds the tip and continues the chain.
    AuditLog(store).append("scope1", actor="x", action=AuditAction.WRITE, purpose="p")
    assert log.check("scope1") == (5, [])


def test_an_edited_entry_is_detected(store):
    log = fill(store)
    key = log.key("scope1", 2)
    if isinstance(store, LocalBlobStore):
        os.chmod(store.root / key, 0o644)  # the application set it read-only; an attacker won't care
    store.put(key, store.get(key).replace(b"case 1", b"case 9"))
    _, problems = log.check("scope1")
    assert [(p.kind, p.key) for p in problems] == [("corrupted", key)]


def test_a_removed_entry_is_detected(store):
    log = fill(store)
    store.delete(log.key("scope1", 2))
    _, problems = log.check("scope1")
    assert {p.kind for p in problems} == {"chain_broken"}


def test_local_entries_are_written_read_only(tmp_path):
    store = LocalBlobStore(tmp_path)
    log = fill(store, 1)
    assert (store.root / log.key("scope1", 1)).stat().st_mode & 0o222 == 0


def test_s3_object_lock_keeps_entries_the_application_tries_to_delete(s3_server):
    store = s3_server.store(object_lock=True)
    assert store.object_lock and store.versioned
    log = fill(store, 2)
    with pytest.raises(StorageError):
        store.delete(log.key("scope1", 1))  # a locked version cannot be removed
    assert log.check("scope1") == (2, [])
