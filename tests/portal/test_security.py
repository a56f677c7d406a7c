"""The portal's edge: CSRF on forms, uploads sniffed by content and limited in size and count,
rate limits, security headers, session cookie flags, and no personal data in URLs or cookies."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from portal_kit import PASSWORD, SERVICE, add_staff, apply, blank_photo, csrf, make_app, text_of
from schemas.errors import OneWindowError

ID = "110101196203072456"


@pytest.fixture(scope="module")
def app(tmp_path_factory, reader):
    app = make_app(tmp_path_factory.mktemp("security"), reader, max_upload_bytes=300_000, portal_max_files=3,
                   portal_login_per_minute=3)
    add_staff(app, "rita", "reviewer")
    return app


def test_forms_without_the_session_s_csrf_token_are_refused(app):
    client = TestClient(app)
    files = [("files", ("a.png", blank_photo()))]
    data = {"id_number": ID, "name": "测试"}
    assert client.post(f"/services/{SERVICE}/apply", data=data, files=files).status_code == 403
    csrf(client, f"/services/{SERVICE}")
    refused = client.post(f"/services/{SERVICE}/apply", data={**data, "csrf": "forged"}, files=files)
    assert refused.status_code == 403 and "页面已过期" in text_of(refused.text)
    other = TestClient(app)  # a token from another session does not carry over
    foreign = csrf(other, f"/services/{SERVICE}")
    assert client.post(f"/services/{SERVICE}/apply", data={**data, "csrf": foreign}, files=files).status_code == 403
    login = client.post("/console/login", data={"username": "rita", "password": PASSWORD})
    assert login.status_code == 403


def test_the_upload_type_is_sniffed_from_the_content_not_the_name(app):
    client = TestClient(app)
    refused = apply(client, ID, "测试", [("id_card.jpg", b"<html><script>alert(1)</script></html>")])
    assert refused.status_code == 415 and "按文件内容判断" in text_of(refused.text)
    assert f'value="{ID}"' in refused.text  # what the citizen typed stays in the form
    accepted = apply(client, ID, "测试", [("notes.txt", blank_photo())])
    assert accepted.status_code == 303


def test_uploads_over_the_size_or_count_limit_are_refused(app):
    client = TestClient(app)
    big = blank_photo() + b"\0" * 300_001
    assert apply(client, ID, "测试", [("big.png", big)]).status_code == 413
    four = [(f"p{i}.png", blank_photo(i)) for i in range(4)]
    response = apply(client, ID, "测试", four)
    assert response.status_code == 413 and "最多上传 3 个文件" in text_of(response.text)


def test_login_is_rate_limited_and_wrong_passwords_say_nothing_about_accounts(app):
    client = TestClient(app)
    codes, messages = [], set()
    for name in ("rita", "nobody", "rita", "rita"):
        response = client.post("/console/login", data={"csrf": csrf(client, "/console/login"), "username": name,
                                                        "password": "wrong password"})
        codes.append(response.status_code)
        if response.status_code == 401:
            messages.add(text_of(response.text).split("登录")[-1])
    assert codes == [401, 401, 401, 429]
    assert len(messages) == 1


def test_pages_carry_security_headers_and_the_session_cookie_is_httponly_samesite(app):
    client = TestClient(app)
    response = client.get(f"/services/{SERVICE}")
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"  # status links never leak through Referer
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    cookie = headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_no_id_number_in_the_status_url_or_the_cookie(app):
    client = TestClient(app)
    response = apply(client, ID, "测试", [("a.png", blank_photo(7))])
    link = response.headers["location"]
    assert ID not in link
    assert ID not in base64.urlsafe_b64decode(link.removeprefix("/status/").split(".")[0] + "==").decode()
    for cookie in client.cookies.jar:
        raw = cookie.value.split(".")[0]
        assert ID not in base64.b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8", "replace")


def test_secure_cookies_and_hsts_when_configured(tmp_path, reader):
    client = TestClient(make_app(tmp_path, reader, portal_cookie_secure=True), base_url="https://testserver")
    response = client.get(f"/services/{SERVICE}")
    assert "secure" in response.headers["set-cookie"].lower()
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_production_refuses_the_development_portal_secret(tmp_path, reader):
    production = {"env": "production", "archive_keys": "k1:" + base64.b64encode(b"k" * 32).decode(),
                  "citizen_key_secret": "a real citizen key secret"}
    with pytest.raises(OneWindowError, match="PORTAL_SECRET_KEY"):
        make_app(tmp_path, reader, **production)
    assert make_app(tmp_path, reader, portal_secret_key="s" * 40, **production) is not None
