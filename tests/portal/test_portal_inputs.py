"""The catalog's application inputs on the citizen form (retirement's post category, the
deceased's ID number for survivor benefits): asked in plain words, checked, passed to the
pipeline's intake with the files, kept through a re-upload, shown on the status and case pages
(an ID number masked), and taken by the API as `input_<id>` fields."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from portal_kit import API_KEY, add_staff, blank_photo, citizen, csrf, login, make_app, photos, text_of
from schemas.documents import DocType


@pytest.fixture(scope="module")
def app(tmp_path_factory, reader):
    return make_app(tmp_path_factory.mktemp("inputs"), reader)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as client:
        yield client


def post(client, service: str, person, files, **inputs):
    data = {"csrf": csrf(client, f"/services/{service}"), "id_number": person.id_number, "name": person.name}
    data.update({f"input_{k}": v for k, v in inputs.items()})
    return client.post(f"/services/{service}/apply", data=data, files=[("files", f) for f in files],
                       follow_redirects=False)


def test_the_form_asks_each_declared_input_in_plain_words(client):
    form = client.get("/services/retirement").text
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', form)
    assert options == [("", "男职工，不用选"), ("female_50", "原 50 周岁退休的岗位（一般为工人岗位）"),
                       ("female_55", "原 55 周岁退休的岗位（一般为管理、专业技术岗位）")]
    assert "岗位类别" in text_of(form)
    survivors = client.get("/services/survivor_benefits").text
    assert 'name="input_insured"' in survivors and "逝者（参保人）的身份证号码" in text_of(survivors)
    assert 'name="input_' not in client.get("/services/bank_account_change").text


def test_a_value_the_service_does_not_take_is_refused_and_what_was_typed_stays(client, faces):
    person = citizen(faces, 31)
    response = post(client, "retirement", person, [("a.jpg", blank_photo())], post_category="female_60")
    assert response.status_code == 400 and "请从列表中选择" in text_of(response.text)
    assert person.name in response.text
    bad = post(client, "survivor_benefits", person, [("a.jpg", blank_photo())], insured="110101199003071234")
    assert bad.status_code == 400 and "身份证号码”有误" in text_of(bad.text)


def test_the_post_category_goes_with_the_application_through_a_reupload_to_the_reviewer(app, client, faces):
    person = citizen(faces, 32, sex="女", birth_date="1971-02-03")
    docs = photos(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK), seed=3)
    response = post(client, "retirement", person, [docs[DocType.ID_CARD_FRONT]], post_category="female_55")
    assert response.status_code == 303, text_of(response.text)
    link = response.headers["location"]
    portal = app.state.portal
    submission_id = portal.links.read(link.rsplit("/", 1)[1])
    assert portal.archive.load_submission(submission_id).inputs == {"post_category": "female_55"}
    status = client.get(link)
    assert "原 55 周岁退休的岗位" in status.text

    token = re.search(r'name="csrf" value="([^"]+)"', status.text).group(1)
    again = client.post(f"{link}/upload", data={"csrf": token}, files=[("files", docs[DocType.ID_CARD_BACK])],
                        follow_redirects=False)
    assert again.status_code == 303
    assert portal.archive.load_submission(submission_id).inputs == {"post_category": "female_55"}

    add_staff(app, "rosa", "reviewer")
    with TestClient(app) as staff:
        login(staff, "rosa")
        case = staff.get(f"/console/cases/{submission_id}")
        assert "原 55 周岁退休的岗位" in re.search(r'<p id="inputs">(.*?)</p>', case.text).group(1)


def test_an_id_number_input_is_normalized_kept_and_masked(app, client, faces):
    person, deceased = citizen(faces, 33), citizen(faces, 34)
    docs = photos(person, (DocType.ID_CARD_FRONT,), seed=4)
    typed = deceased.id_number.lower()
    response = post(client, "survivor_benefits", person, [docs[DocType.ID_CARD_FRONT]], insured=typed)
    assert response.status_code == 303, text_of(response.text)
    submission_id = app.state.portal.links.read(response.headers["location"].rsplit("/", 1)[1])
    assert app.state.portal.archive.load_submission(submission_id).inputs == {"insured": deceased.id_number}
    status = client.get(response.headers["location"]).text
    shown = re.search(r'<p id="inputs">(.*?)</p>', status).group(1)
    assert deceased.id_number not in status and deceased.id_number[:6] in shown and "*" in shown


def test_the_api_takes_inputs_as_fields(app, client, faces):
    person = citizen(faces, 35)
    docs = photos(person, (DocType.ID_CARD_FRONT,), seed=5)
    files = [("files", docs[DocType.ID_CARD_FRONT])]
    headers = {"X-API-Key": API_KEY}
    data = {"service": "retirement", "id_number": person.id_number, "name": person.name}
    refused = client.post("/api/v1/applications", data={**data, "input_post_category": "x"}, files=files,
                          headers=headers)
    assert refused.status_code == 422
    made = client.post("/api/v1/applications", data={**data, "input_post_category": "female_50"}, files=files,
                       headers=headers)
    assert made.status_code == 201
    assert made.json()["result"]["inputs"] == {"post_category": "female_50"}
