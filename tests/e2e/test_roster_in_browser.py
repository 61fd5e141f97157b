"""End to end: people log in and work with the roster in a real browser (Debian's Chromium)."""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
LEADING_GROUP = "信息化工作领导小组"
# The 14 members of the annex after the leader and the deputy, in its order.
ANNEX_MEMBERS = {
    "马博虎", "李力", "阎祖书", "陈玉林", "霍学喜", "韦革宏", "王文博",
    "刘卫军", "胡信生", "张岁平", "韩苏建", "戴军", "刘西平", "杨家荣",
}  # fmt: skip


def log_in(page: Page, username: str) -> None:
    """Open the portal signed out, get sent to the login page, and sign in."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def panel_flag(*, seated: int) -> re.Pattern[str]:
    """The Expert Panel flag's numbers in order, in any language: seated, then 5 to 7."""
    return re.compile(rf"(?<!\d){seated}(?!\d).*(?<!\d)5(?!\d)\D+(?<!\d)7(?!\d)")


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_leader_logs_in_and_opens_the_leading_group(demo_logins, open_page) -> None:
    page = open_page(**DESKTOP)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_visible()

    page.locator("#id_username").fill("sunqixin")
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("main h1")).to_contain_text("孙其信")

    page.locator("main").get_by_role("link", name=LEADING_GROUP, exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/bodies/leading-group/$"))
    expect(page.locator("main h1")).to_have_text(LEADING_GROUP)

    holders = page.locator("tr.seat td.holder a")
    expect(holders).to_have_count(16)
    names = holders.all_inner_texts()
    assert len(names) == len(set(names)) == 16
    assert set(names) == {"孙其信", "赵曼", *ANNEX_MEMBERS}
    expect(page.locator("tr.seat[data-role=leader] td.holder")).to_have_text("孙其信")

    # The leader may not manage seats: no fill, vacate or add forms.
    expect(page.locator("#seats form")).to_have_count(0)


def test_office_clerk_fills_a_seat_on_a_phone(demo_logins, open_page) -> None:
    page = open_page(**PHONE)
    log_in(page, "demo-clerk")

    page.goto("/bodies/expert-panel/")
    expect(page.locator("main h1")).to_have_text("信息化工作专家组")
    # Art. 6: five to seven experts; the demo panel has one.
    flag = page.locator("main p.flag")
    expect(flag).to_be_visible()
    expect(flag).to_have_text(panel_flag(seated=1))
    experts = page.locator("tr.seat[data-role=expert]")
    expect(experts).to_have_count(1)

    add_form = page.locator("form[action$='/bodies/expert-panel/seats/add/']")
    add_form.locator("select[name=role]").select_option("expert")
    with page.expect_navigation():
        add_form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/bodies/expert-panel/$"))
    expect(page.locator(".messages li.success")).to_be_visible()
    expect(experts).to_have_count(2)

    vacant = experts.filter(has=page.locator("form[action$='/fill/']"))
    expect(vacant).to_have_count(1)
    # The date picker starts on today, in ISO whatever the language (else it is blank).
    expect(vacant.locator("input[name=started_on]")).to_have_value(timezone.localdate().isoformat())
    vacant.locator("select[name=person]").select_option(label="霍学喜")
    with page.expect_navigation():
        vacant.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/bodies/expert-panel/$"))
    expect(page.locator(".messages li.success")).to_be_visible()
    holders = page.locator("tr.seat[data-role=expert] td.holder a")
    expect(holders).to_have_count(2)
    assert set(holders.all_inner_texts()) == {"演示·校外专家", "霍学喜"}
    expect(flag).to_have_text(panel_flag(seated=2))

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_leading_group_page_fits_a_phone_and_a_desktop(demo_logins, open_page, tmp_path) -> None:
    """The seats table stacks on a phone and nothing scrolls sideways; screenshots of both
    go to $E2E_SCREENSHOT_DIR (or the test's tmp dir) for a human to look at."""
    shots = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)
    for viewport in (PHONE, DESKTOP):
        page = open_page(**viewport)
        log_in(page, "sunqixin")
        page.goto("/bodies/leading-group/")
        expect(page.locator("tr.seat td.holder a")).to_have_count(16)
        assert horizontal_overflow(page) == 0, viewport
        header_display = page.locator("#seats table thead").evaluate(
            "el => getComputedStyle(el).display"
        )
        cell_display = page.locator("tr.seat td.holder").first.evaluate(
            "el => getComputedStyle(el).display"
        )
        # On a phone the header is hidden, so the cells that would be bare carry its words.
        unit_label = page.locator("tr.seat td[data-label]").first.evaluate(
            "el => getComputedStyle(el, '::before').content"
        )
        if viewport is PHONE:
            assert (header_display, cell_display) == ("none", "block")
            assert unit_label != "none"
        else:
            assert (header_display, cell_display) == ("table-header-group", "table-cell")
            assert unit_label == "none"
        page.screenshot(path=shots / f"e2e-lg-{viewport['width']}.png", full_page=True)
