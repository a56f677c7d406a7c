"""With Redis configured the portal hands applications to the workers: a real Redis on
loopback (database 11, a key prefix of this test's own, deleted after), a real burst worker
(`onewindow worker --burst`) as a subprocess, the real OCR. The citizen sees "being read",
then the gap; the reviewer's queue holds the case; closing it leaves the workers' review queue;
an admin launches a batch reprocess and watches it finish."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from portal_kit import API_KEY, add_staff, apply, citizen, csrf, login, make_app, photos, text_of
from schemas.documents import DocType

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def prefix():
    redis = Redis.from_url(REDIS_URL)
    redis.ping()
    name = f"owportal{os.getpid()}"
    yield name
    for pattern in (f"{name}:*", f"rq:*{name}-*", f"rq:*{name}.*"):
        keys = list(redis.scan_iter(match=pattern, count=1000))
        if keys:
            redis.delete(*keys)
    for key in ("rq:queues", "rq:workers"):
        stale = [m for m in redis.smembers(key) if name.encode() in m]
        if stale:
            redis.srem(key, *stale)


def burst(root, prefix: str) -> None:
    env = {**os.environ, "ONEWINDOW_ARCHIVE": str(root / "archive"), "ONEWINDOW_REDIS_URL": REDIS_URL,
           "ONEWINDOW_REDIS_PREFIX": prefix, "ONEWINDOW_JOB_RETRIES": "0"}
    done = subprocess.run([sys.executable, "-m", "cli", "worker", "--burst"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


def test_an_application_goes_through_the_workers_and_back_to_the_citizen_and_the_reviewer(tmp_path, reader, faces,
                                                                                         prefix):
    app = make_app(tmp_path, reader, redis_url=REDIS_URL, redis_prefix=prefix)
    add_staff(app, "rita", "reviewer")
    add_staff(app, "adam", "admin")
    person = citizen(faces, 31)
    docs = photos(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK), seed=7)
    client = TestClient(app)
    link = apply(client, person.id_number, person.name, list(docs.values())).headers["location"]
    assert "正在识别" in text_of(client.get(link).text)

    burst(tmp_path, prefix)
    page = text_of(client.get(link).text)
    assert "请补充材料" in page and "缺少本人新的银行卡" in page

    from workers.review_queue import ReviewQueue
    sid = app.state.portal.links.read(link.removeprefix("/status/"))
    queue = ReviewQueue(Redis.from_url(REDIS_URL), app.state.portal.applications.ctx.names)
    assert sid in queue
    rita = TestClient(app)
    login(rita, "rita")
    assert sid in rita.get("/console").text
    token = csrf(rita, f"/console/cases/{sid}")
    response = rita.post(f"/console/cases/{sid}/decide", data={"csrf": token, "action": "approve"},
                         follow_redirects=False)
    assert response.status_code == 303
    assert sid not in queue
    assert "审核通过" in text_of(client.get(link).text)
    adam = TestClient(app)
    login(adam, "adam")
    assert "Redis 队列" in text_of(adam.get("/admin").text)

    launched = adam.post("/admin/batches", data={"csrf": csrf(adam, "/admin/batches"), "service": "bank_account_change"},
                         follow_redirects=False)
    assert launched.status_code == 303
    progress = launched.headers["location"]
    assert "0 / 1" in text_of(adam.get(progress).text)   # viewing tops the batch up: its job is queued
    burst(tmp_path, prefix)
    assert "1 / 1" in text_of(adam.get(progress).text) and "已完成" in text_of(adam.get(progress).text)


def test_the_application_inputs_go_to_the_workers_with_the_files(tmp_path, reader, faces, prefix):
    app = make_app(tmp_path, reader, redis_url=REDIS_URL, redis_prefix=prefix)
    person = citizen(faces, 36, sex="女", birth_date="1971-02-03")
    docs = photos(person, (DocType.ID_CARD_FRONT,), seed=8)
    client = TestClient(app)
    data = {"csrf": csrf(client, "/services/retirement"), "id_number": person.id_number, "name": person.name,
            "input_post_category": "female_50"}
    response = client.post("/services/retirement/apply", data=data, files=[("files", docs[DocType.ID_CARD_FRONT])],
                           follow_redirects=False)
    link = response.headers["location"]
    assert "正在识别" in text_of(client.get(link).text)
    burst(tmp_path, prefix)
    sid = app.state.portal.links.read(link.removeprefix("/status/"))
    assert app.state.portal.archive.load_submission(sid).inputs == {"post_category": "female_50"}
    assert "原 50 周岁退休的岗位" in client.get(link).text


def test_an_api_caller_polls_its_application_by_the_id_it_is_given(tmp_path, reader, faces, prefix):
    app = make_app(tmp_path, reader, redis_url=REDIS_URL, redis_prefix=prefix)
    person = citizen(faces, 37)
    docs = photos(person, (DocType.ID_CARD_FRONT,), seed=9)
    client, key = TestClient(app), {"X-API-Key": API_KEY}
    created = client.post("/api/v1/applications", headers=key,
                          data={"service": "bank_account_change", "id_number": person.id_number, "name": person.name},
                          files=[("files", docs[DocType.ID_CARD_FRONT])])
    assert created.status_code == 201
    body = created.json()
    assert body["result"] is None and body["case"]["status"] == "processing"  # the workers have it
    sid = body["case"]["submission_id"]
    burst(tmp_path, prefix)
    polled = client.get(f"/api/v1/applications/{sid}", headers=key).json()
    assert polled["case"]["submission_id"] == sid
    assert polled["result"]["submission_id"] == sid and polled["result"]["decision"] == "flagged"
