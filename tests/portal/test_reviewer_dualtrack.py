"""The reviewer console files each decision in the citizen's archive beside the machine's, so
`onewindow report agreement` sees the portal's decisions and the CLI's alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pipeline.dualtrack import agreement
from portal_kit import add_staff, apply, blank_photo, csrf, login, make_app
from schemas.archive import EventKind

ID = "110102197510212421"


@pytest.fixture(scope="module")
def app(tmp_path_factory, reader):
    app = make_app(tmp_path_factory.mktemp("reviewer-dualtrack"), reader)
    add_staff(app, "rita", "reviewer")
    return app


def flagged(app) -> str:
    link = apply(TestClient(app), ID, "测试", [("photo.jpg", blank_photo())]).headers["location"]
    return app.state.portal.links.read(link.removeprefix("/status/"))


def decide(app, sid: str, **data):
    client = TestClient(app)
    login(client, "rita")
    token = csrf(client, f"/console/cases/{sid}")
    return client.post(f"/console/cases/{sid}/decide", data={"csrf": token, **data}, follow_redirects=False)


def test_console_decisions_land_in_the_archive(app):
    archive = app.state.portal.archive
    asked, approved = flagged(app), flagged(app)
    assert decide(app, asked, action="request", item="new_bank_card", reason="请补充银行卡").status_code == 303
    assert decide(app, approved, action="approve").status_code == 303

    reviews = {e.submission_id: e.review for e in archive.history(ID, actor="test")
               if e.kind is EventKind.REVIEW_DECISION}
    assert set(reviews) == {asked, approved}
    assert (reviews[asked].decision, reviews[asked].requested_item, reviews[asked].note,
            reviews[asked].reviewer, reviews[asked].revision) == ("requested_item", "new_bank_card", "请补充银行卡",
                                                                 "rita", "0")
    assert reviews[approved].machine_decision == "flagged" and reviews[approved].machine_codes

    report = agreement(archive)
    tally = report.services["bank_account_change"]
    assert (tally.reviewed, tally.agree, tally.false_alarms) == (2, 1, 1)
