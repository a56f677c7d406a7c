"""The JSON API for other government systems: API keys, an application in and its result out
(the machine's and the reviewer's decisions), a re-upload, and the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from portal_kit import API_KEY, SERVICE, blank_photo, make_app

ID = "110101196203072456"


@pytest.fixture(scope="module")
def client(tmp_path_factory, reader):
    return TestClient(make_app(tmp_path_factory.mktemp("api"), reader))


def test_the_openapi_document_lists_the_api(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/services", "/api/v1/applications", "/api/v1/applications/{submission_id}",
            "/api/v1/applications/{submission_id}/uploads"} <= set(paths)
    assert not any(path.startswith(("/console", "/status", "/admin")) for path in paths)


def test_services_are_public(client):
    services = client.get("/api/v1/services").json()
    assert SERVICE in {s["id"] for s in services}


def test_applications_need_a_valid_key(client):
    form = {"service": SERVICE, "id_number": ID, "name": "测试"}
    files = [("files", ("a.jpg", blank_photo()))]
    assert client.post("/api/v1/applications", data=form, files=files).status_code == 401
    wrong = client.post("/api/v1/applications", data=form, files=files, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]
    assert client.get("/api/v1/applications/20261128T000000-00000000").status_code == 401


def test_an_application_in_and_its_result_and_status_out(client):
    key = {"X-API-Key": API_KEY}
    created = client.post("/api/v1/applications", headers=key,
                          data={"service": SERVICE, "id_number": ID, "name": "测试"},
                          files=[("files", ("a.jpg", blank_photo()))])
    assert created.status_code == 201
    body = created.json()
    assert body["case"]["status"] == "pending" and body["result"]["decision"] == "flagged"
    assert {f["code"] for f in body["result"]["findings"]} >= {"unreadable_document"}
    sid = body["result"]["submission_id"]
    assert body["case"]["submission_id"] == sid  # what a caller polls with when the result is not there yet
    assert client.get(f"/api/v1/applications/{sid}", headers=key).json()["result"]["applicant"] == ID
    again = client.post(f"/api/v1/applications/{sid}/uploads", headers=key,
                        files=[("files", ("b.jpg", blank_photo(2)))])
    assert again.status_code == 200 and again.json()["case"]["revision"] == 1
    bad = client.post("/api/v1/applications", headers=key,
                      data={"service": SERVICE, "id_number": "123", "name": "x"},
                      files=[("files", ("a.jpg", blank_photo()))])
    assert bad.status_code == 422


def test_the_api_is_off_without_configured_keys(tmp_path, reader):
    off = TestClient(make_app(tmp_path, reader, portal_api_keys=None))
    response = off.get("/api/v1/applications/x", headers={"X-API-Key": "anything"})
    assert response.status_code == 503
