"""Small sealed records in a citizen's part of the archive, beside their history:
citizens/<citizen_key>/<kind>/<name>.enc, sealed with the citizen's data key and audited like
every other read and write. Consents and certification records live here: they go when the
citizen is erased (everything under citizens/<citizen_key>/ does), and `History` reads only
the events/ folder, so they never pass for events."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from schemas.archive import AuditAction
from storage.archive import Archive
from storage.crypto import seal, unseal
from storage.errors import KeyUnavailableError, NotFoundError


class CitizenRecords:
    def __init__(self, archive: Archive, kind: str):
        if not kind.isalnum():
            raise ValueError("a record kind is letters and digits")
        self.archive = archive
        self.kind = kind

    def prefix(self, citizen_key: str) -> str:
        return f"citizens/{citizen_key}/{self.kind}/"

    def put(self, citizen: str, name: str, record: BaseModel, *, actor: str, purpose: str) -> bool:
        """Write `record` under `name` unless one is there already; False if it was."""
        ck = self.archive.citizen_key(citizen)
        key = f"{self.prefix(ck)}{name}.enc"
        if self.archive.store.exists(key):
            return False
        dek = self.archive.keys.get(ck, create=True)
        self._audit(ck, AuditAction.WRITE, [key], actor, purpose)
        return self.archive.store.create(key, seal(dek, ck, key, record.model_dump_json().encode("utf-8")))

    def read(self, citizen: str, model: type[BaseModel], *, actor: str, purpose: str) -> list:
        """Every record of this kind for `citizen`, in name order."""
        return self.read_key(self.archive.citizen_key(citizen), model, actor=actor, purpose=purpose)

    def read_key(self, citizen_key: str, model: type[BaseModel], *, actor: str, purpose: str) -> list:
        keys = list(self.archive.store.list(self.prefix(citizen_key)))
        if not keys:
            return []
        self._audit(citizen_key, AuditAction.READ, [self.prefix(citizen_key)], actor, purpose)
        try:
            dek = self.archive.keys.get(citizen_key)
        except KeyUnavailableError:
            return []  # erased: the key is gone, the records with it
        out = []
        for key in keys:
            try:
                out.append(model.model_validate_json(unseal(dek, key, self.archive.store.get(key))))
            except NotFoundError:
                continue
        return out

    def citizens(self) -> Iterator[str]:
        """Citizen keys with records of this kind (from object keys alone)."""
        seen = set()
        for key in self.archive.store.list("citizens/"):
            parts = key.split("/")
            if len(parts) >= 4 and parts[2] == self.kind and parts[1] not in seen:
                seen.add(parts[1])
                yield parts[1]

    def _audit(self, scope: str, action: AuditAction, objects: list[str], actor: str, purpose: str) -> None:
        self.archive.audit_log.append(scope, actor=actor, action=action, purpose=purpose, objects=objects,
                                      fresh=scope in self.archive.keys.fresh)
