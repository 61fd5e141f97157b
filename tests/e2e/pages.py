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
    """Press the button of the form that posts to ``action``; the step must succeed."""
    with page.expect_navigation():
        page.locator(f"form[action='{action}'] button[type=submit]").click()
    expect(page.locator(".messages li.error")).to_have_count(0)
    expect(page.locator(".messages li.success")).to_be_visible()
