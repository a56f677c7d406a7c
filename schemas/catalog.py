"""The service catalog: one YAML file per service under schemas/services/, validated by
pydantic when loaded. A broken file fails with its path, the line and what is wrong."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.documents import DOC_FIELDS, DocType
from schemas.errors import InputError, OneWindowError
from schemas.rules import CrossRule, EligibilityRule, FieldRef, FieldRule, Input, Role

SERVICES_DIR = Path(__file__).resolve().parent / "services"
__all__ = ["Catalog", "CatalogError", "Material", "Role", "Service", "UnknownServiceError", "default_catalog"]


class RuleReferenceError(ValueError):
    """A rule names a material or field the service does not have; `loc` is the rule's place."""

    def __init__(self, message: str, loc: tuple[Any, ...]):
        super().__init__(message)
        self.loc = loc


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
    missing_message: str | None = None
    """In Chinese: what the citizen is told when the material is missing (default from hint)."""
    reusable: bool = True
    """May a valid copy already in the citizen's archive stand in for it (collect once)?"""


class Service(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    summary: str
    materials: list[Material] = Field(default_factory=list)
    inputs: list[Input] = Field(default_factory=list)
    field_rules: list[FieldRule] = Field(default_factory=list)
    cross_rules: list[CrossRule] = Field(default_factory=list)
    eligibility: list[EligibilityRule] = Field(default_factory=list)
    remote_verification: bool = False
    remote_verification_hint: str | None = None

    @model_validator(mode="after")
    def _unique_material_ids(self) -> Service:
        ids = [m.id for m in self.materials]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"material ids repeat: {', '.join(duplicates)}")
        if not self.materials and not self.remote_verification:
            raise ValueError("a service needs materials or remote_verification")
        return self

    @model_validator(mode="after")
    def _rules_name_known_fields(self) -> Service:
        for group in ("field_rules", "cross_rules"):
            for index, rule in enumerate(getattr(self, group)):
                for material_id, field in _refs(rule):
                    problem = self._ref_problem(material_id, field)
                    if problem:
                        raise RuleReferenceError(problem, (group, index))
        return self

    def _ref_problem(self, material_id: str, field: str | None) -> str | None:
        material = self.material(material_id)
        if material is None:
            return f"the rule names material '{material_id}', which this service does not list"
        if field is not None and not any(field in DOC_FIELDS[d] for d in material.doc_types):
            types = ", ".join(d.value for d in material.doc_types)
            return f"the rule names field '{field}' of '{material_id}', but {types} has no such field"
        return None

    def material(self, material_id: str) -> Material | None:
        return next((m for m in self.materials if m.id == material_id), None)

    def check_inputs(self, inputs: dict[str, str]) -> dict[str, str]:
        """The application's stated inputs, refused when the service does not take them or a
        value is not one of its choices; required ones must be there."""
        known = {i.id: i for i in self.inputs}
        for key, value in inputs.items():
            spec = known.get(key)
            if spec is None:
                raise InputError(f"service '{self.id}' takes no input '{key}'; it takes: "
                                 f"{', '.join(known) or 'none'}")
            if spec.choices and value not in spec.choices:
                raise InputError(f"input '{key}' must be one of {', '.join(spec.choices)}, not '{value}'")
        missing = [i.id for i in self.inputs if i.required and not inputs.get(i.id)]
        if missing:
            raise InputError(f"service '{self.id}' needs input: {', '.join(missing)}")
        return dict(inputs)


def _refs(rule: Any) -> list[tuple[str, str | None]]:
    refs: list[tuple[str, str | None]] = []
    for value in vars(rule).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        refs += [(r.material, r.field) for r in items if isinstance(r, FieldRef)]
    if hasattr(rule, "material") and isinstance(rule.material, str):
        refs.append((rule.material, getattr(rule, "field", None) if isinstance(getattr(rule, "field", None), str) else None))
    return refs


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
        cause = (first.get("ctx") or {}).get("error")
        if isinstance(cause, RuleReferenceError):
            first = {**first, "loc": cause.loc, "msg": str(cause)}
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
