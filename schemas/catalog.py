"""The service catalog: one YAML file per service under schemas/services/, validated by
pydantic when loaded. A broken file fails with its path, the line and what is wrong."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.documents import DocType
from schemas.errors import InputError, OneWindowError

SERVICES_DIR = Path(__file__).resolve().parent / "services"


class Role(StrEnum):
    """Whose document a material is."""

    APPLICANT = "applicant"
    INSURED = "insured"
    DECEASED = "deceased"
    SPOUSE = "spouse"


class Material(BaseModel):
    """One item the citizen must bring; any one of `doc_types` satisfies it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    label: str
    doc_types: list[DocType] = Field(min_length=1)
    owner: Role = Role.APPLICANT
    required: bool = True
    hint: str | None = None
    """What to bring, in the citizen's words (shown by `onewindow services ID`)."""


class Service(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    summary: str
    materials: list[Material] = Field(default_factory=list)
    remote_verification: bool = False

    @model_validator(mode="after")
    def _unique_material_ids(self) -> Service:
        ids = [m.id for m in self.materials]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"material ids repeat: {', '.join(duplicates)}")
        return self


class CatalogError(OneWindowError):
    """A catalog file is malformed; the message names the file and line."""


class UnknownServiceError(InputError):
    def __init__(self, service_id: str, known: list[str]):
        super().__init__(f"unknown service '{service_id}'; known: {', '.join(known)}")
        self.service_id = service_id


def _line_of(node: yaml.Node, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at pydantic's error location, or its nearest parent."""
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
    return node.start_mark.line + 1


def load_service_file(path: Path) -> Service:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{path}:1: a service file must be a mapping")
    try:
        service = Service.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(file)"
        line = _line_of(node, first["loc"])
        raise CatalogError(f"{path}:{line}: {where}: {first['msg']}") from exc
    if service.id != path.stem:
        raise CatalogError(f"{path}:1: id '{service.id}' must match the file name '{path.stem}'")
    return service


class Catalog:
    """All services, by id."""

    def __init__(self, services: dict[str, Service]):
        self._services = dict(sorted(services.items()))

    @classmethod
    def load(cls, directory: Path = SERVICES_DIR) -> Catalog:
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise CatalogError(f"{directory}: no service files (*.yaml)")
        return cls({path.stem: load_service_file(path) for path in files})

    def get(self, service_id: str) -> Service:
        try:
            return self._services[service_id]
        except KeyError:
            raise UnknownServiceError(service_id, list(self._services)) from None

    def __iter__(self):
        return iter(self._services.values())

    def __len__(self) -> int:
        return len(self._services)


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with OneWindow, loaded once per process."""
    return Catalog.load()
