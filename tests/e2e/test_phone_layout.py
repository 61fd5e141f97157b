"""At 375 × 740 (a phone) the header is one line with a menu that opens without JavaScript,
nothing is wider than the screen, and badges do not wrap."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.e2e.pages import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_the_header_folds_into_a_menu_on_a_phone(demo_logins, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(reverse("login"))
        page.locator("#id_username").fill("demo-clerk")
        page.locator("#id_password").fill("infogov-demo")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(live_server.url + "/")

        # One line, not three (was 37 % of the screen): brand, menu and language side by side.
        header = page.locator("header.top").bounding_box()
        assert header["height"] < 0.12 * PHONE["height"]
        rows = {
            round(page.locator(f"header.top {part}").bounding_box()["y"] / 10)
            for part in (".brand", "details.menu > summary", "form.lang button")
        }
        assert len(rows) == 1, rows
        nav_link = page.locator("header.top nav a[href='/meetings/']")
        expect(nav_link).to_be_hidden()
        page.locator("header.top details.menu > summary").click()  # no JavaScript: <details>
        expect(nav_link).to_be_visible()
        nav_link.click()
        page.wait_for_url(live_server.url + "/meetings/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_wide_screens_show_the_links_and_nothing_overflows_a_phone(open_page, demo_logins):
    wide = open_page()
    log_in(wide, "demo-clerk")
    expect(wide.locator("header.top details.menu > summary")).to_be_hidden()
    expect(wide.locator("header.top nav a[href='/meetings/']")).to_be_visible()

    phone = open_page(**PHONE)
    log_in(phone, "demo-clerk")
    for path in ("/", "/meetings/", "/bodies/leading-group/", "/units/finance/"):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        for badge in phone.locator(".badge").all():
            box = badge.bounding_box()
            if box:
                assert box["height"] < 30, (path, badge.inner_text())  # one line
    assert Meeting.objects.count() == 0
