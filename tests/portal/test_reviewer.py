"""The reviewer's work on flagged applications: the queue and its filters, claim / release,
ask the citizen for one item (their status page shows it; their re-upload returns the case),
reject only with a reason, approve; the machine's decision and the reviewer's are both kept."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from portal_kit import add_staff, apply, blank_photo, csrf, login, make_app, text_of

ID = "110102197510212421"


@pytest.fixture(scope="module")
def app(tmp_path_factory, reader):
    app = make_app(tmp_path_factory.mktemp("reviewer"), reader)
    for name in ("rita", "ruth"):
        add_staff(app, name, "reviewer")
    add_staff(app, "adam", "admin")
    return app


def flagged(app) -> tuple[TestClient, str, str]:
    citizen = TestClient(app)
    link = apply(citizen, ID, "测试", [("photo.jpg", blank_photo())]).headers["location"]
    return citizen, link, app.state.portal.links.read(link.removeprefix("/status/"))


def staff(app, name: str) -> TestClient:
    client = TestClient(app)
    login(client, name)
    return client


def act(client: TestClient, sid: str, path: str, **data):
    token = csrf(client, f"/console/cases/{sid}")
    return client.post(f"/console/cases/{sid}/{path}", data={"csrf": token, **data}, follow_redirects=False)


def test_the_queue_filters_by_service_finding_and_age(app):
    _, _, sid = flagged(app)
    rita = staff(app, "rita")
    assert sid in rita.get("/console?service=bank_account_change").text
    assert sid in rita.get("/console?code=unreadable_document").text
    assert sid not in rita.get("/console?code=expired_document").text
    assert sid not in rita.get("/console?age=24").text


def test_a_claimed_case_cannot_be_decided_by_another_reviewer_until_released(app):
    _, _, sid = flagged(app)
    rita, ruth = staff(app, "rita"), staff(app, "ruth")
    assert act(rita, sid, "claim").status_code == 303
    assert app.state.portal.store.case(sid).claimed_by == "rita"
    assert act(ruth, sid, "claim").status_code == 409
    assert act(ruth, sid, "decide", action="approve").status_code == 409
    assert act(ruth, sid, "claim", release="1").status_code == 403
    assert act(rita, sid, "claim", release="1").status_code == 303
    assert act(ruth, sid, "decide", action="approve").status_code == 303


def test_ask_for_an_item_the_citizen_sees_it_and_their_reupload_returns_the_case(app):
    citizen, link, sid = flagged(app)
    rita = staff(app, "rita")
    response = act(rita, sid, "decide", action="request", item="new_bank_card", reason="银行卡照片请拍正面")
    assert response.status_code == 303
    page = text_of(citizen.get(link).text)
    assert "工作人员请您补充一项材料" in page and "本人新的银行卡" in page and "银行卡照片请拍正面" in page
    citizen.post(f"{link}/upload", data={"csrf": csrf(citizen, link)}, files=[("files", ("b.jpg", blank_photo(3)))])
    case = app.state.portal.store.case(sid)
    assert case.status == "pending" and case.revision == 1 and case.reworks == 1
    assert sid in rita.get("/console?status=pending").text


def test_reject_needs_a_reason_and_both_decisions_are_kept(app):
    citizen, link, sid = flagged(app)
    rita = staff(app, "rita")
    assert act(rita, sid, "decide", action="reject", reason=" ").status_code == 400
    assert act(rita, sid, "decide", action="reject", reason="材料不是本人的").status_code == 303
    case = app.state.portal.store.case(sid)
    assert (case.machine_decision, case.reviewer_decision, case.reviewer) == ("flagged", "rejected", "rita")
    assert app.state.portal.archive.load_submission(sid, actor="test").decision == "flagged"
    page = text_of(citizen.get(link).text)
    assert "申请未通过" in page and "材料不是本人的" in page
    assert act(rita, sid, "decide", action="approve").status_code == 409      # closed stays closed
    token = csrf(citizen, "/services/bank_account_change")  # a closed case's page offers no form
    refused = citizen.post(f"{link}/upload", data={"csrf": token},
                           files=[("files", ("b.jpg", blank_photo(4)))])
    assert refused.status_code == 409


def test_approval_closes_the_case_and_shows_in_the_metrics(app):
    citizen, link, sid = flagged(app)
    assert act(staff(app, "rita"), sid, "decide", action="approve").status_code == 303
    assert "审核通过" in text_of(citizen.get(link).text)
    admin = staff(app, "adam")
    page = text_of(admin.get("/admin").text)
    assert "审核员工作量" in page and "rita" in page
    assert "机器与人工一致率" in page
