"""In a real browser (Debian's Chromium, headless) against a real uvicorn on loopback: a citizen
applies from a phone with photos of their documents, sees the gap, re-uploads it and is accepted;
a reviewer logs in, opens a flagged case with its gap beside the crop, and approves it; the
admin's metrics count both.

Each page is photographed at phone and desktop width into a tmp folder, or into
$ONEWINDOW_SCREENSHOTS when set (docs/portal.md shows the committed set)."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright

from portal_kit import PASSWORD, add_staff, citizen, make_app, photos
from schemas.documents import DocType

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

@pytest.fixture(scope="module")
def server(tmp_path_factory, reader):
    app = make_app(tmp_path_factory.mktemp("browser"), reader)
    add_staff(app, "rita", "reviewer")
    add_staff(app, "adam", "admin")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("ONEWINDOW_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, folder: Path, name: str) -> None:
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def write(folder: Path, files: dict) -> dict:
    paths = {}
    for doc_type, (name, data) in files.items():
        paths[doc_type] = folder / name
        paths[doc_type].write_bytes(data)
    return paths


def test_a_citizen_applies_on_a_phone_sees_the_gap_reuploads_and_is_accepted(server, browser, faces, tmp_path, shots):
    base, _ = server
    person = citizen(faces, 21)
    files = write(tmp_path, photos(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD), seed=5))
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page.goto(base + "/")
    shoot(page, shots, "01-services")
    page.get_by_role("link", name="开始办理").first.click()
    page.get_by_label("申请人姓名").fill(person.name)
    page.get_by_label("申请人身份证号码").fill(person.id_number)
    page.get_by_label("材料照片或 PDF").set_input_files([files[DocType.ID_CARD_FRONT], files[DocType.ID_CARD_BACK]])
    shoot(page, shots, "02-apply")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/status/**")
    expect(page.locator("#status")).to_have_text("请补充材料")
    expect(page.locator("#gaps")).to_contain_text("缺少本人新的银行卡")
    assert person.id_number not in page.content()
    shoot(page, shots, "03-status-gap")
    link = page.url
    page.get_by_label("选择要补交的照片或 PDF").set_input_files(files[DocType.BANK_CARD])
    page.get_by_role("button", name="上传").click()
    page.wait_for_url(link)
    expect(page.locator("#status")).to_have_text("已通过预审")
    shoot(page, shots, "04-status-accepted")
    page.close()


def test_a_reviewer_opens_a_flagged_case_sees_the_gap_beside_its_crop_and_approves(server, browser, faces, tmp_path, shots):
    base, app = server
    person = citizen(faces, 22, birth_date="1975-07-09", valid_from="2005-03-01")  # expired 2025-03-01
    files = write(tmp_path, photos(person, (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD), seed=6))
    citizen_page = browser.new_page(viewport=PHONE, locale="zh-CN")
    citizen_page.goto(base + "/services/bank_account_change")
    citizen_page.get_by_label("申请人姓名").fill(person.name)
    citizen_page.get_by_label("申请人身份证号码").fill(person.id_number)
    citizen_page.get_by_label("材料照片或 PDF").set_input_files(list(files.values()))
    citizen_page.get_by_role("button", name="提交申请").click()
    citizen_page.wait_for_url("**/status/**")
    expect(citizen_page.locator("#gaps")).to_contain_text("居民身份证已于2025-03-01过期")
    link = citizen_page.url

    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    page.goto(base + "/console")
    page.wait_for_url("**/console/login")
    shoot(page, shots, "05-login")
    page.get_by_label("用户名").fill("rita")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/console")
    shoot(page, shots, "06-queue")
    page.locator("table.queue a").first.click()
    expect(page.locator(".gap-row").first).to_contain_text("过期")
    crop = page.locator(".gap-row img.crop").first
    expect(crop).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=crop.element_handle())
    assert person.id_number not in page.content()
    shoot(page, shots, "07-case")
    page.locator("#claim").click()
    page.locator("#approve").click()
    page.wait_for_url(base + "/console")
    case = app.state.portal.store.case(app.state.portal.links.read(link.rsplit("/", 1)[1]))
    assert (case.machine_decision, case.reviewer_decision) == ("flagged", "approved")
    citizen_page.goto(link)
    expect(citizen_page.locator("#status")).to_have_text("审核通过")
    shoot(citizen_page, shots, "08-status-approved")

    admin = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    admin.goto(base + "/console/login")
    admin.get_by_label("用户名").fill("adam")
    admin.get_by_label("密码").fill(PASSWORD)
    admin.get_by_role("button", name="登录").click()
    admin.wait_for_url(base + "/console")
    admin.goto(base + "/admin")
    expect(admin.locator("#m-total")).to_have_text("2")
    shoot(admin, shots, "09-admin-metrics")
