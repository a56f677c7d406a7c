"""The audit log: who read or wrote which objects of a scope, when and why.

One hash chain per scope (a citizen key, or `system`): entry n sits at audit/<scope>/<n>.json,
carries the hash of entry n-1, and is written with a conditional write, so two writers never
both take number n and neither can silently replace an entry. The archive never deletes or
rewrites these objects; where the backend can enforce that, it does (S3 object lock in
COMPLIANCE mode on buckets that have it, read-only files locally), and `verify` re-walks every
chain, so an edit or a gap shows. Entries hold no personal data: scope keys are HMACs."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timezone

from schemas.archive import AuditAction, AuditEntry, Problem
from storage.blobs import BlobStore
from storage.errors import StorageError

GENESIS = "0" * 64
_append_locks: dict[tuple[str, str], threading.Lock] = {}
_registry_lock = threading.Lock()


def _append_lock(location: str, scope: str) -> threading.Lock:
    with _registry_lock:
        return _append_locks.setdefault((location, scope), threading.Lock())


def entry_hash(entry: AuditEntry) -> str:
    body = entry.model_dump(mode="json", exclude={"hash"})
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class AuditLog:
    def __init__(self, store: BlobStore, *, lock_days: int = 3650):
        self.store = store
        self.lock_days = lock_days
        self._tips: dict[str, tuple[int, str]] = {}

    @staticmethod
    def key(scope: str, seq: int) -> str:
        return f"audit/{scope}/{seq:012d}.json"

    def append(self, scope: str, *, actor: str, action: AuditAction, purpose: str,
               objects: list[str] | None = None, fresh: bool = False) -> AuditEntry:
        """`fresh`: the caller just created this scope, so try entry 1 without looking; if the
        scope had a chain after all (erased, then back), the conditional write says so."""
        with _append_lock(self.store.location, scope):
            seq, prev = self._tips.get(scope) or ((0, GENESIS) if fresh else self._tip(scope))
            for _ in range(50):
                entry = AuditEntry(scope=scope, seq=seq + 1, at=datetime.now(timezone.utc), actor=actor,
                                   action=action, purpose=purpose, objects=objects or [], prev=prev)
                entry.hash = entry_hash(entry)
                if self.store.create(self.key(scope, entry.seq), entry.model_dump_json().encode(),
                                     lock_days=self.lock_days):
                    self._tips[scope] = (entry.seq, entry.hash)
                    return entry
                seq, prev = self._tip(scope)  # another writer took that number: chain after it
        raise StorageError(f"could not append to the audit log of {scope[:12]}… (too much contention)")

    def _tip(self, scope: str) -> tuple[int, str]:
        keys = list(self.store.list(f"audit/{scope}/"))
        if not keys:
            return 0, GENESIS
        last = AuditEntry.model_validate_json(self.store.get(keys[-1]))
        return last.seq, last.hash

    def entries(self, scope: str) -> list[AuditEntry]:
        return [AuditEntry.model_validate_json(self.store.get(key))
                for key in self.store.list(f"audit/{scope}/")]

    def scopes(self) -> list[str]:
        return sorted({key.split("/")[1] for key in self.store.list("audit/")})

    def check(self, scope: str) -> tuple[int, list[Problem]]:
        """Walk the chain: numbers contiguous from 1, each hash right, each `prev` the hash
        before it. Returns (entries checked, problems)."""
        problems: list[Problem] = []
        prev, count, expected = GENESIS, 0, 1
        for key in self.store.list(f"audit/{scope}/"):
            count += 1
            try:
                entry = AuditEntry.model_validate_json(self.store.get(key))
            except ValueError as exc:
                problems.append(Problem(kind="corrupted", key=key, detail=f"not an audit entry: {exc}"[:200]))
                prev, expected = "", expected + 1
                continue
            if entry.seq != expected or key != self.key(scope, entry.seq):
                problems.append(Problem(kind="chain_broken", key=key,
                                        detail=f"entry {entry.seq} where {expected} was expected (gap)"))
            if entry_hash(entry) != entry.hash:
                problems.append(Problem(kind="corrupted", key=key, detail="entry changed after it was written"))
            elif prev and entry.prev != prev:
                problems.append(Problem(kind="chain_broken", key=key,
                                        detail="does not follow the entry before it (inserted or removed)"))
            prev, expected = entry.hash, entry.seq + 1
        return count, problems
