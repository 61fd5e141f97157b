"""What the browser tests do on a page: sign in as a demo login, press a step's button."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from members import demo


def log_in(page: Page, username: str) -> None:
    """Sign in on the login page as the demo login ``username``."""
    page.goto(reverse("login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def press(page: Page, action: str) -> None:
    """Press the button of the form that posts to ``action``, ticking its "I confirm" box if it
    has one (an irreversible step); the step must succeed."""
    form = page.locator(f"form[action='{action}']")
    confirm = form.locator("input[name=confirmed]")
    if confirm.count():
        confirm.check()
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()  # the form's default button
    expect(page.locator(".messages li.error")).to_have_count(0)
    expect(page.locator(".messages li.success")).to_be_visible()


def room_code_url(office: Page, meeting_pk: int) -> str:
    """The check-in URL the room's screen shows now (what its QR code encodes), read in a tab
    of its own of the Office's browser, so that the Office's page stays as it is."""
    screen = office.context.new_page()
    screen.goto(reverse("meetings:room_screen", args=[meeting_pk]))
    url = screen.locator("#room-code").get_attribute("data-check-in-url")
    screen.close()
    assert url
    return url


def scan_and_check_in(phone: Page, url: str) -> None:
    """Open the scanned code's URL on a signed-in phone and check in."""
    phone.goto(url)
    with phone.expect_navigation():
        phone.locator("#check-in-scan form button[type=submit]").click()
    expect(phone.locator(".messages li.success")).to_be_visible()
