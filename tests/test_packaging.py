"""The install a fresh machine runs: requirements.lock pins every package from the registry,
and agrees with the direct dependencies pyproject.toml names."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]+\])?==([^\s;]+)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = PIN.match(line)
        assert match, f"requirements.lock:{number} is not 'name==version' (a local path or URL breaks a fresh machine)"
        pins[canonical(match[1])] = match[3]
    return pins


def test_every_locked_package_is_a_plain_registry_pin():
    assert len(lock_pins()) > 50


def test_pyproject_dependencies_are_pinned_and_match_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    pins = lock_pins()
    for requirement in wanted:
        match = PIN.match(requirement)
        assert match, f"pyproject.toml: {requirement!r} is not pinned with =="
        assert pins.get(canonical(match[1])) == match[3], f"{requirement} differs from requirements.lock"
