"""End to end: a leader sets up an authenticator app and signs in with its code; no page breaks
the Content-Security-Policy.

The codes are computed from the secret the set-up page shows, as the app would. With
INFOGOV_REQUIRE_MFA on, 孙其信 is sent to set up the app right after his password, then signs
out, signs in with password and code and reaches the dashboard and a step that needs a recent
second factor (tests/infogov/reauth_urls.py's test view); a sign-in with a wrong code is then
refused. Every page of the tour below is watched for securitypolicyviolation events.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import Page, expect

from meetings.demo import load_demo_meetings
from meetings.models import IssuedMinutes, Meeting, Minutes, Motion
from members import demo, services
from members.models import User
from tests.mfa import code_for, has_authenticator, wrong_code_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
# Reports every CSP violation of each page, from before its first script, to the test.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${location.pathname}: ${event.violatedDirective} ${event.blockedURI} ${event.lineNumber}`
  );
});
"""


@pytest.fixture
def demo_logins() -> None:
    services.load_roster()
    demo.load_demo()


def demo_meetings_loaded() -> None:
    try:
        load_demo_meetings()
    finally:
        connections.close_all()


def watched(page: Page) -> list[str]:
    """Collect the CSP violations of every page ``page`` opens (the events, and Chromium's
    console reports) into the list returned."""
    seen: list[str] = []
    page.expose_function("reportCspViolation", lambda text: seen.append(text))
    page.add_init_script(WATCH_CSP)
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def password_step(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.urls("tests.infogov.reauth_urls")
def test_leader_sets_up_the_app_and_signs_in_with_a_code(
    demo_logins, open_page, require_second_factor
) -> None:
    page = open_page(**DESKTOP)
    seen = watched(page)
    leader = User.objects.get(username="sunqixin")

    password_step(page, "sunqixin")
    expect(page).to_have_url(re.compile(r"/2fa/totp/activate/\?next=/$"))
    expect(page.locator("main h1")).to_have_text("激活身份验证器应用")
    # Nothing else opens before the app is set up.
    page.goto("/meetings/")
    expect(page).to_have_url(re.compile(r"/2fa/totp/activate/\?next=/meetings/$"))
    expect(page.locator("img.qr")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()  # each visit makes a new one

    page.locator("#id_code").fill(code_for(secret))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/2fa/recovery-codes/$"))
    assert has_authenticator(leader)

    with page.expect_navigation():
        page.locator("header form[action='/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/login/$"))

    # The next period's code: the one used to set up may not be given twice.
    password_step(page, "sunqixin")
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/$"))
    page.locator("#id_code").fill(code_for(secret, step=1))
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("main h1")).to_contain_text("孙其信")
    expect(page.locator(".banner.no-second-factor")).to_have_count(0)

    page.goto("/guarded/")
    expect(page.locator("body")).to_have_text("guarded page")

    with page.expect_navigation():
        page.goto("/")
        page.locator("header form[action='/logout/'] button").click()
    password_step(page, "sunqixin")
    page.locator("#id_code").fill(wrong_code_for(secret))
    page.get_by_role("button", name="登录").click()
    expect(page.locator("main")).to_contain_text("验证码不正确")
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/$"))
    page.goto("/bodies/")
    expect(page).not_to_have_url(re.compile(r"/bodies/$"))
    expect(page.locator("header nav")).to_have_count(0)  # not signed in

    assert seen == []


def test_no_page_breaks_the_content_security_policy(demo_logins, open_page) -> None:
    # The demo's minutes are signed by pyHanko, which runs its own event loop: not in this
    # thread, where Playwright's runs.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(demo_meetings_loaded).result()
    meeting = Meeting.objects.order_by("-starts_at").first()  # the special meeting, polling
    motion = Motion.objects.first()
    minutes = Minutes.objects.first()
    issued = IssuedMinutes.objects.first()
    admin = User.objects.get(username="demo-admin")
    page = open_page(**DESKTOP)
    seen = watched(page)

    password_step(page, "sunqixin")
    for path in [
        "/",
        "/bodies/",
        "/bodies/leading-group/",
        "/units/",
        "/meetings/",
        meeting.get_absolute_url(),
        motion.get_absolute_url(),
        f"/minutes/{minutes.pk}/",
        f"/issued/{issued.pk}/",
        "/notifications/",
        "/2fa/",
        "/password/change/",
        "/email/",
    ]:
        page.goto(path)
        assert page.locator("main").count() == 1, path
    page.goto(meeting.get_absolute_url())
    page.wait_for_timeout(3500)  # htmx polls the quorum panel every 3 s
    page.locator("header form[action='/logout/'] button").click()

    for path in ["/login/", "/password/reset/", "/verify/"]:
        page.goto(path)
    password_step(page, admin.username)
    for path in ["/admin/", "/admin/axes/accessattempt/", "/admin/members/user/"]:
        page.goto(path)
        expect(page.locator("body")).not_to_be_empty()

    assert seen == []
