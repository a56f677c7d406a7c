"""Data keys (DEKs), one per scope, stored wrapped under keys/<scope>.json.

Created with a conditional write, so two workers meeting a new citizen at once agree on one
key. Rotation re-wraps these small objects under the new master key; erasure deletes one."""

from __future__ import annotations

import json
import os
import secrets
import threading
from datetime import datetime, timezone

from storage.blobs import BlobStore
from storage.crypto import Keyring
from storage.errors import KeyUnavailableError, NotFoundError

SYSTEM_SCOPE = "system"

_creation_locks: dict[tuple[str, str], threading.Lock] = {}
_registry_lock = threading.Lock()


def _creation_lock(location: str, scope: str) -> threading.Lock:
    """One lock per (archive, scope) in this process. Across processes the conditional write
    decides; inside one process this also spares threads a lost race."""
    with _registry_lock:
        return _creation_locks.setdefault((location, scope), threading.Lock())


def biometric_scope(citizen_key: str) -> str:
    """Biometrics have a key of their own, apart from the citizen's identity data."""
    return f"{citizen_key}.bio"


class DataKeys:
    def __init__(self, store: BlobStore, keyring: Keyring):
        self.store = store
        self.keyring = keyring
        self._cache: dict[str, bytes] = {}
        self.fresh: set[str] = set()
        """Scopes whose key this object created: new to the archive, so no audit chain yet
        unless the scope was erased before (the conditional write catches that case)."""

    @staticmethod
    def key_path(scope: str) -> str:
        return f"keys/{scope}.json"

    def get(self, scope: str, *, create: bool = False) -> bytes:
        """The scope's DEK; made on first use when `create`, else KeyUnavailableError."""
        cached = self._cache.get(scope)
        if cached is not None:
            return cached
        try:
            dek = self._load(scope)
        except NotFoundError:
            if not create:
                raise KeyUnavailableError(
                    f"no data key for scope {scope[:12]}… (never written, or erased)", scope=scope) from None
            dek = self._create(scope)
        self._cache[scope] = dek
        return dek

    def _load(self, scope: str) -> bytes:
        record = json.loads(self.store.get(self.key_path(scope)))
        return self.keyring.unwrap(scope, record["dek_id"], record["wrapped"])

    def _create(self, scope: str) -> bytes:
        with _creation_lock(self.store.location, scope):
            if scope in self._cache:  # another thread of this archive made it meanwhile
                return self._cache[scope]
            dek, dek_id = os.urandom(32), secrets.token_hex(8)
            record = {"scope": scope, "dek_id": dek_id, "wrapped": self.keyring.wrap(scope, dek_id, dek),
                      "created_at": datetime.now(timezone.utc).isoformat()}
            if self.store.create(self.key_path(scope), json.dumps(record).encode()):
                self.fresh.add(scope)
                self._cache[scope] = dek
                return dek
            return self._load(scope)  # another worker made it first: use theirs

    def destroy(self, scope: str) -> bool:
        """Delete the scope's DEK (every version): what it sealed can no longer be read."""
        self._cache.pop(scope, None)
        existed = self.store.exists(self.key_path(scope))
        self.store.delete(self.key_path(scope))
        return existed

    def scopes(self) -> list[str]:
        return [k.removeprefix("keys/").removesuffix(".json") for k in self.store.list("keys/")
                if k.endswith(".json")]

    def rewrap(self) -> tuple[int, int]:
        """Re-wrap every DEK under the active master key; returns (re-wrapped, already current).
        Afterwards the old master keys can be removed from configuration."""
        done = current = 0
        for scope in self.scopes():
            path = self.key_path(scope)
            record = json.loads(self.store.get(path))
            if list(record["wrapped"]) == [self.keyring.active]:
                current += 1
                continue
            dek = self.keyring.unwrap(scope, record["dek_id"], record["wrapped"])
            record["wrapped"] = self.keyring.wrap(scope, record["dek_id"], dek)
            record["rewrapped_at"] = datetime.now(timezone.utc).isoformat()
            self.store.put(path, json.dumps(record).encode())
            done += 1
        return done, current
