"""Accessibility: every page of the portal, as every demo role, at 1280 and 375 px wide, passes
axe-core's WCAG 2.1 A and AA rules (axe-playwright-python ships axe-core; nothing is fetched).

One browser, one page per role: each page is loaded once and checked at both widths (the
viewport is resized in place), so the whole grid runs in one test over one demo load.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page

from meetings.demo import load_demo_meetings
from meetings.minutes.models import IssuedMinutes, Minutes
from meetings.models import Meeting, Motion
from members import demo, services
from members.models import User
from tests.e2e.pages import log_in
from tests.meetings.minutes_helpers import use_fake_signing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = ({"width": 1280, "height": 800}, {"width": 375, "height": 740})
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # passes are not sent back: a much smaller answer
}
ROLES = [
    "sunqixin",  # leader
    "zhaoman",  # deputy
    "yanzushu",  # member
    "demo-clerk",  # the Office
    "demo-expert",
    "demo-liaison",
    "demo-outsider",
    "demo-admin",
]
ANONYMOUS_PAGES = ["/login/", "/verify/", "/password/reset/", "/no-such-page/"]


def signed_in_pages() -> list[str]:
    """Every page of the demo that a role may open (a page it may not see is its 404 page,
    which must pass too)."""
    plenary = Meeting.objects.get(kind=Meeting.Kind.LG_PLENARY)
    special = Meeting.objects.get(kind=Meeting.Kind.LG_SPECIAL)
    return [
        "/",
        reverse("meetings:meeting_list"),
        special.get_absolute_url(),
        plenary.get_absolute_url(),
        Motion.objects.filter(item__meeting=plenary).order_by("id").first().get_absolute_url(),
        Motion.objects.filter(item__meeting=special).order_by("id").first().get_absolute_url(),
        Minutes.objects.get(meeting=plenary).get_absolute_url(),
        IssuedMinutes.objects.get().get_absolute_url(),
        reverse("meetings:notification_list"),
        reverse("members:body_list"),
        reverse("members:body_detail", args=["leading-group"]),
        reverse("members:body_detail", args=["office"]),
        reverse("members:unit_list"),
        reverse("members:unit_detail", args=["finance"]),
        "/verify/",
        "/password/change/",
        "/no-such-page/",
    ]


def violations(axe: Axe, page: Page, who: str, path: str) -> list[str]:
    """axe's findings on the loaded page at each width: injected once, run per width."""
    found = []
    page.evaluate(axe.axe_script)
    for size in WIDTHS:
        page.set_viewport_size(size)
        response = page.evaluate("options => axe.run(document, options)", WCAG)
        for violation in response["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:3]
            found.append(f"{who} {path} @{size['width']}: {violation['id']} {targets}")
        # WCAG 1.4.10 (reflow): nothing wider than the screen, file inputs included.
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > size["width"]:
            found.append(f"{who} {path} @{size['width']}: scrolls sideways ({width} px)")
    return found


def test_every_page_for_every_role_at_both_widths_passes_axe(open_page, monkeypatch):
    # pyHanko signs inside asyncio.run(), which cannot run beside Playwright's event loop in
    # this thread: the demo's minutes are signed by the stand-in (the pages are the same).
    use_fake_signing(monkeypatch)
    services.load_roster()
    demo.load_demo()
    load_demo_meetings()
    pages = signed_in_pages()
    axe = Axe()
    found: list[str] = []

    page = open_page()
    for path in ANONYMOUS_PAGES:
        page.goto(path)
        found += violations(axe, page, "anonymous", path)
    for username in ROLES:
        page = open_page()
        log_in(page, username)
        person = User.objects.get(username=username)
        for path in [*pages, person.get_absolute_url()]:
            page.goto(path)
            found += violations(axe, page, username, path)

    assert found == [], "\n".join(found)
