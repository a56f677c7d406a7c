"""Helpers for the portal tests: an app on a tmp archive with the real reader, citizens with
photographed specimen documents, staff accounts, and the CSRF token a page hands out."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import cv2
import numpy as np
from fastapi.testclient import TestClient

from portal.app import create_app
from portal.security import hash_password
from schemas.documents import DocType
from schemas.settings import Settings
from specimens.generate import encode, specimen_images
from specimens.people import make_person

TODAY = date(2026, 11, 28)
SERVICE = "bank_account_change"
PASSWORD = "correct horse battery staple"
API_KEY = "test-api-key-0123456789"


def portal_settings(root: Path, **overrides) -> Settings:
    values = {"archive": str(root / "archive"), "portal_data_dir": root / "portal",
              "portal_api_keys": API_KEY, **overrides}
    return Settings(**values)


def make_app(root: Path, reader, **overrides):
    return create_app(portal_settings(root, **overrides), reader=reader, today=lambda: TODAY)




def citizen(faces, seed: int, **overrides):
    overrides.setdefault("valid_from", "2020-06-01")
    overrides.setdefault("birth_date", "1961-03-15")
    return make_person(random.Random(seed), faces=faces, **overrides)


def photos(person, doc_types, seed: int = 1) -> dict[DocType, tuple[str, bytes]]:
    """Scanner-clean photos (difficulty 0) of the person's documents: {type: (file name, bytes)}."""
    rng = random.Random(seed)
    out = {}
    for doc_type, (photo, info) in specimen_images(person, doc_types, 0, rng).items():
        data, ext = encode(photo, info)
        out[doc_type] = (f"{doc_type.value}{ext}", data)
    return out


def blank_photo(seed: int = 0) -> bytes:
    """A photo of nothing (a grey table): the pipeline reads no document in it."""
    rng = np.random.default_rng(seed)
    image = np.full((480, 640, 3), 128, np.uint8) + rng.integers(0, 8, (480, 640, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    return data.tobytes()


def csrf(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def add_staff(app, name: str, role: str) -> None:
    app.state.portal.store.add_user(name, role, hash_password(PASSWORD))


def login(client: TestClient, name: str) -> None:
    token = csrf(client, "/console/login")
    response = client.post("/console/login", data={"csrf": token, "username": name, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def apply(client: TestClient, person_id: str, name: str, files: list[tuple[str, bytes]], service: str = SERVICE):
    """Hand in an application through the form; returns the redirect to the status link."""
    token = csrf(client, f"/services/{service}")
    return client.post(f"/services/{service}/apply", data={"csrf": token, "id_number": person_id, "name": name},
                       files=[("files", f) for f in files], follow_redirects=False)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
