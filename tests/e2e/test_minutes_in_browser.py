"""End to end: the minutes of a closed meeting, from the Office's draft to the public check.

The Office writes and submits the minutes of a Leading Group meeting held (through the
services) before the browser starts; the leader signs them with the password, first mistyped;
the signed PDF is downloaded, matches the issued record, and the public verification page, with
no sign-in, finds it valid and a copy with one byte changed not valid. Signing runs inline
(tests/conftest.py: the immediate task backend, keys in a temporary folder). Pages are read by
their structure (URLs, form actions, ids, classes), not by their sentences.
"""

import datetime as dt
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings import services as meetings
from meetings.minutes.models import IssuedMinutes, Minutes
from meetings.models import Meeting
from members import demo, services
from members.models import Body, User
from tests.e2e.pages import log_in, press
from tests.meetings.minutes_helpers import first_item, hold_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
TITLE = "信息化工作领导小组专题会议（纪要端到端测试）"
NARRATIVE = "会议听取了立项建议和经费预算的汇报。\n一、关于立项建议\n原则同意，报校长办公会。"


@pytest.fixture
def closed_meeting() -> Meeting:
    """The annex and the demo logins, and a Leading Group meeting held to its close: convened
    by 孙其信, 12 of 16 checked in, a named vote and a secret ballot with decisions."""
    services.load_roster()
    demo.load_demo()
    clerk = User.objects.get(username="demo-clerk")
    leader = User.objects.get(username="sunqixin")
    starts = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    meeting = meetings.draft_meeting(
        actor=clerk,
        body=Body.objects.get(kind=Body.Kind.LEADING_GROUP),
        kind=Meeting.Kind.LG_SPECIAL,
        title=TITLE,
        starts_at=starts,
        location="行政楼第三会议室",
    )
    first_item(meeting, clerk=clerk)
    meeting = meetings.convene_meeting(actor=leader, meeting=meeting)
    assert meeting.expected_members.count() == 16
    return hold_meeting(meeting, clerk=clerk, leader=leader, present=12)


def status(page: Page, state: str) -> None:
    expect(page.locator("main .minutes-head .status")).to_have_class(
        re.compile(rf"\bstatus-minutes-{state}\b")
    )


def check_file(page: Page, path) -> str:
    """Upload ``path`` on the public verification page; return the verdict's class."""
    page.goto(reverse("meetings:verify"))
    page.locator("#upload input[type=file][name=file]").set_input_files(path)
    with page.expect_navigation():
        page.locator("#upload button[type=submit]").click()
    verdict = page.locator("#result .verdict")
    expect(verdict).to_have_count(1)
    return verdict.get_attribute("class")


def test_office_drafts_leader_signs_pdf_downloads_and_verifies_publicly(
    closed_meeting, open_page, tmp_path
) -> None:
    minutes = closed_meeting.minutes.get()
    assert minutes.status == Minutes.Status.DRAFT
    minutes_url = reverse("meetings:minutes_detail", args=[minutes.pk])
    sign_url = reverse("meetings:minutes_sign", args=[minutes.pk])
    number = f"信息化纪要〔{timezone.localdate().year}〕1号"

    # --- The Office writes the narrative, saves it and submits the draft to the leader.
    clerk = open_page(**DESKTOP)
    log_in(clerk, "demo-clerk")
    clerk.goto(minutes_url)
    status(clerk, "draft")
    clerk.locator("#edit textarea[name=narrative]").fill(NARRATIVE)
    press(clerk, reverse("meetings:minutes_edit", args=[minutes.pk]))
    expect(clerk).to_have_url(re.compile(rf"{re.escape(minutes_url)}$"))
    expect(clerk.locator("#edit textarea[name=narrative]")).to_have_value(NARRATIVE)
    expect(clerk.locator("#document .narrative")).to_contain_text("原则同意，报校长办公会。")
    # 报送组长 is a button of the edit form (issue 13): it saves the text, then submits.
    with clerk.expect_navigation():
        clerk.locator("#edit button[name=submit]").click()
    status(clerk, "submitted")
    expect(clerk.locator("#edit")).to_have_count(0)
    expect(clerk.locator(f"form[action='{sign_url}']")).to_have_count(0)

    # --- The leader mistypes the password: refused, nothing is issued.
    leader = open_page(**DESKTOP)
    log_in(leader, "sunqixin")
    leader.goto(minutes_url)
    status(leader, "submitted")
    sign = leader.locator(f"#sign form[action='{sign_url}']")
    sign.locator("input[name=password]").fill("not-the-password")
    with leader.expect_navigation():
        sign.locator("button[type=submit]").click()
    expect(leader.locator(".messages li.error")).to_be_visible()
    status(leader, "submitted")
    expect(leader.locator("#signing-progress")).to_have_count(0)
    assert not IssuedMinutes.objects.exists()

    # --- Then signs with it: numbered, rendered and signed inline; the page shows the document.
    sign.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    with leader.expect_navigation():
        sign.locator("button[type=submit]").click()
    expect(leader.locator(".messages li.error")).to_have_count(0)
    progress = leader.locator("#signing-progress.issued")
    expect(progress).to_be_visible(timeout=30_000)
    expect(progress.locator("h2")).to_contain_text(number)
    status(leader, "issued")
    issued = IssuedMinutes.objects.get(minutes=minutes)
    assert issued.number == number

    # --- The signed PDF, through the download link: exactly the bytes on record.
    with leader.expect_download() as info:
        progress.locator(f"a[href='{reverse('meetings:issued_pdf', args=[issued.pk])}']").click()
    signed = tmp_path / "signed.pdf"
    info.value.save_as(signed)
    data = signed.read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == issued.pdf_sha256

    # --- Anyone, not signed in, checks the file on the public page: valid.
    public = open_page(**DESKTOP)
    assert re.search(r"\bpassed\b", check_file(public, signed))
    expect(public).to_have_url(re.compile(rf"{re.escape(reverse('meetings:verify'))}$"))
    expect(public.locator("#result")).to_contain_text(number)
    expect(public.locator(f"header form[action='{reverse('logout')}']")).to_have_count(0)

    # --- A copy with one byte changed inside the file: not valid.
    changed = bytearray(data)
    middle = len(changed) // 2
    changed[middle] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(changed))
    assert re.search(r"\bfailed\b", check_file(public, tampered))
    expect(public.locator("#result .verdict.passed")).to_have_count(0)


def test_leader_enrols_the_app_signs_in_with_a_code_and_signs_minutes(
    closed_meeting, open_page, require_second_factor
) -> None:
    """With INFOGOV_REQUIRE_MFA on: 孙其信 sets up his authenticator app when first asked, signs
    in again with password and code, and signs the minutes, which need a recent code."""
    from meetings.minutes import services as minutes_services
    from tests.mfa import code_for, has_authenticator

    clerk = User.objects.get(username="demo-clerk")
    minutes = minutes_services.submit_minutes(
        actor=clerk,
        minutes=minutes_services.edit_minutes(
            actor=clerk, minutes=closed_meeting.minutes.get(), title=TITLE, narrative=NARRATIVE
        ),
    )
    minutes_url = reverse("meetings:minutes_detail", args=[minutes.pk])
    sign_url = reverse("meetings:minutes_sign", args=[minutes.pk])
    leader = User.objects.get(username="sunqixin")
    page = open_page(**DESKTOP)

    # --- After the password, nothing opens before the app is set up.
    page.goto(reverse("login"))
    page.locator("#id_username").fill("sunqixin")
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/2fa/totp/activate/"))
    page.goto(minutes_url)
    expect(page).to_have_url(re.compile(r"/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(code_for(secret))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/2fa/recovery-codes/$"))
    assert has_authenticator(leader)

    # --- Signs out, and in again with the password and the next period's code.
    with page.expect_navigation():
        page.locator("header form[action='/logout/'] button").click()
    page.goto(reverse("login"))
    page.locator("#id_username").fill("sunqixin")
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/2fa/authenticate/$"))
    page.locator("#id_code").fill(code_for(secret, step=1))
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    expect(page).to_have_url(re.compile(r"/$"))

    # --- Signs the minutes: the code just given is recent, so the password is all it asks.
    page.goto(minutes_url)
    status(page, "submitted")
    sign = page.locator(f"#sign form[action='{sign_url}']")
    sign.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    # Signing runs inline here, with the first demo key made on the way: give it time.
    with page.expect_navigation(timeout=90_000):
        sign.locator("button[type=submit]").click(timeout=90_000)
    expect(page.locator(".messages li.error")).to_have_count(0)
    progress = page.locator("#signing-progress.issued")
    expect(progress).to_be_visible(timeout=30_000)
    status(page, "issued")
    issued = IssuedMinutes.objects.get(minutes=minutes)
    assert issued.signer == leader
