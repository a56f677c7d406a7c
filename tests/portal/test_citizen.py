"""A citizen through the portal on real specimens and the real OCR: the service list from the
catalog, an application with a gap, the gap named with what to do, a re-upload of only that item
into the same application, acceptance; a later application reuses the documents on record."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from schemas.documents import DocType
from portal_kit import SERVICE, apply, citizen, csrf, make_app, photos, text_of


@pytest.fixture(scope="module")
def client(tmp_path_factory, reader):
    return TestClient(make_app(tmp_path_factory.mktemp("citizen"), reader))


def test_the_service_list_comes_from_the_catalog_with_what_each_needs(client):
    page = text_of(client.get("/").text)
    assert "待遇领取银行账户变更" in page and "本人新的银行卡" in page
    form = text_of(client.get(f"/services/{SERVICE}").text)
    assert "用于领取待遇的本人名下银行卡正面" in form  # the material's hint, in plain words


def test_apply_see_the_gap_reupload_only_it_and_be_accepted_then_reuse_on_record(client, faces):
    person = citizen(faces, 11)
    docs = photos(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD))
    response = apply(client, person.id_number, person.name,
                     [docs[DocType.ID_CARD_FRONT], docs[DocType.ID_CARD_BACK]])
    assert response.status_code == 303
    link = response.headers["location"]
    assert link.startswith("/status/") and person.id_number not in link

    status = client.get(link)
    page = text_of(status.text)
    assert "请补充材料" in page and "缺少本人新的银行卡" in page
    assert person.id_number not in status.text                      # masked on the page
    assert person.id_number[:6] + "********" + person.id_number[14:] in page
    assert person.name in page                                      # what was read is shown

    response = client.post(f"{link}/upload", data={"csrf": csrf(client, link)},
                           files=[("files", docs[DocType.BANK_CARD])], follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == link
    page = text_of(client.get(link).text)
    assert "已通过预审" in page and "缺少" not in page
    assert "银行卡" in page and "居民身份证人像面" in page           # the earlier items still stand

    again = apply(client, person.id_number, person.name, [docs[DocType.BANK_CARD]])
    page = text_of(client.get(again.headers["location"]).text)
    assert "已通过预审" in page
    assert "居民身份证人像面：档案中已有" in page and "居民身份证国徽面：档案中已有" in page


def test_an_expired_id_card_is_shown_with_its_region_cropped_from_the_upload(client, faces):
    person = citizen(faces, 12, birth_date="1975-07-09", valid_from="2005-03-01")
    docs = photos(person, (DocType.ID_CARD_BACK,), seed=3)
    link = apply(client, person.id_number, person.name, [docs[DocType.ID_CARD_BACK]]).headers["location"]
    status = client.get(link)
    assert "居民身份证已于2025-03-01过期" in text_of(status.text)
    images = re.findall(r'src="([^"]+/findings/\d+\.jpg)"', status.text)
    assert images
    crop = client.get(images[0])
    assert crop.status_code == 200 and crop.headers["content-type"] == "image/jpeg"
    assert crop.content[:3] == b"\xff\xd8\xff"


def test_a_verification_only_service_says_how_to_do_it_instead_of_asking_for_uploads(client):
    page = client.get("/services/pension_certification")
    assert page.status_code == 200 and 'href="/verify"' in page.text
    assert "视频通话" in text_of(page.text) and 'name="files"' not in page.text


def test_a_bad_id_number_is_refused_at_the_form_before_anything_is_read(client):
    response = apply(client, "110101199003071234", "张三", [("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)])
    assert response.status_code == 400
    assert "身份证号码有误" in text_of(response.text)
