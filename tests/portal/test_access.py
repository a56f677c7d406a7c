"""Who reaches what: citizen A cannot see citizen B's application, a reviewer cannot
administer, no one anonymous reaches the console; reveals of ID numbers are audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from portal_kit import add_staff, apply, blank_photo, csrf, login, make_app, text_of
from schemas.archive import AuditAction

A_ID, B_ID = "110101196203072456", "110102197510212421"


@pytest.fixture(scope="module")
def app(tmp_path_factory, reader):
    app = make_app(tmp_path_factory.mktemp("access"), reader)
    add_staff(app, "rita", "reviewer")
    add_staff(app, "adam", "admin")
    return app


@pytest.fixture(scope="module")
def cases(app):
    """Two citizens' flagged applications (a photo with no document in it): {who: (status link, id)}."""
    found = {}
    for who, number, seed in (("a", A_ID, 1), ("b", B_ID, 2)):
        client = TestClient(app)
        response = apply(client, number, "测试", [("photo.png", blank_photo(seed))])
        link = response.headers["location"]
        found[who] = (link, app.state.portal.links.read(link.removeprefix("/status/")))
    return found


def test_citizen_a_reaches_only_a_s_application(app, cases):
    (link_a, sid_a), (link_b, sid_b) = cases["a"], cases["b"]
    client = TestClient(app)
    page = client.get(link_a).text
    assert sid_a in page and sid_b not in page
    assert client.get(f"{link_a}/findings/0.jpg").status_code == 200
    token_a = link_a.removeprefix("/status/")
    payload, stamp, signature = token_a.split(".")
    forged_payload = token_a.replace(payload, app.state.portal.links.make(sid_b).split(".")[0])
    for forged in (forged_payload, f"{payload}.{stamp}.{'A' * len(signature)}", sid_b):
        assert client.get(f"/status/{forged}").status_code == 404
        assert client.get(f"/status/{forged}/findings/0.jpg").status_code == 404
    for path in (f"/console/cases/{sid_b}", f"/console/cases/{sid_b}/findings/0.jpg"):
        assert client.get(path, follow_redirects=False).headers["location"] == "/console/login"


@pytest.mark.parametrize("path", ["/console", "/admin", "/admin/users", "/admin/batches", "/console/cases/{sid}",
                                  "/console/cases/{sid}/documents/0.jpg"])
def test_no_one_anonymous_reaches_the_console(app, cases, path):
    response = TestClient(app).get(path.format(sid=cases["a"][1]), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_anonymous_actions_are_refused_even_with_a_csrf_token(app, cases):
    client = TestClient(app)
    token = csrf(client, "/console/login")
    sid = cases["a"][1]
    response = client.post(f"/console/cases/{sid}/decide", data={"csrf": token, "action": "approve"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert app.state.portal.store.case(sid).status == "pending"


def test_a_reviewer_works_the_queue_but_cannot_administer(app, cases):
    client = TestClient(app)
    login(client, "rita")
    queue = client.get("/console")
    assert queue.status_code == 200 and cases["a"][1] in queue.text and cases["b"][1] in queue.text
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/batches").status_code == 403
    response = client.post("/admin/users", data={"csrf": csrf(client, "/console"), "username": "mallory",
                                                 "role": "admin", "password": "x" * 12})
    assert response.status_code == 403
    assert app.state.portal.store.user("mallory") is None


def test_an_admin_administers(app):
    client = TestClient(app)
    login(client, "adam")
    assert "运行指标" in client.get("/admin").text
    assert "需要 Redis 队列" in text_of(client.get("/admin/batches").text)  # in-process: no batches
    response = client.post("/admin/users", data={"csrf": csrf(client, "/admin/users"), "username": "rosa",
                                                 "role": "reviewer", "password": "a long enough one"},
                           follow_redirects=False)
    assert response.status_code == 303 and app.state.portal.store.user("rosa").role == "reviewer"


def test_a_disabled_account_loses_its_session(app):
    add_staff(app, "temp", "reviewer")
    client = TestClient(app)
    login(client, "temp")
    assert client.get("/console").status_code == 200
    app.state.portal.store.set_active("temp", False)
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/login"


def test_id_numbers_are_masked_until_revealed_and_the_reveal_is_audited(app, cases):
    sid = cases["a"][1]
    client = TestClient(app)
    login(client, "rita")
    page = client.get(f"/console/cases/{sid}").text
    assert A_ID not in page and "110101********2456" in text_of(page)
    revealed = client.post(f"/console/cases/{sid}/reveal", data={"csrf": csrf(client, f"/console/cases/{sid}")})
    assert A_ID in revealed.text
    entries = app.state.portal.archive.audit_entries(A_ID, actor="test")
    reads = [(e.actor, e.purpose) for e in entries if e.action is AuditAction.READ]
    assert ("reviewer:rita", "reviewer views application") in reads
    assert ("reviewer:rita", "reviewer reveals ID numbers") in reads
