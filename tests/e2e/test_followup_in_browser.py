"""End to end: the Office opens follow-up items from a decision, Finance's liaison
acknowledges and reports on a 375 px phone, the Office closes one and returns the other."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from followup.models import Item
from followup.rules import ItemStatus
from meetings import services as meeting_services
from meetings.models import AgendaItem, Decision, Meeting
from members.models import Body, Unit, User
from tests.e2e.pages import log_in, press

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
TITLES = ["落实智慧校园建设经费", "编制经费使用计划"]


def a_decision() -> Decision:
    clerk = User.objects.get(username="demo-clerk")
    meeting = meeting_services.draft_meeting(
        actor=clerk,
        body=Body.objects.get(kind=Body.Kind.LEADING_GROUP),
        kind=Meeting.Kind.LG_SPECIAL,
        title="专题会：智慧校园",
        starts_at=timezone.now(),
        location="行政楼",
    )
    item = AgendaItem.objects.create(meeting=meeting, order=1, title="智慧校园建设方案")
    return Decision.objects.create(item=item, text="同意智慧校园建设方案，由计财处落实经费。")


def no_horizontal_overflow(page: Page) -> None:
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )


def open_item_from_decision(page: Page, decision: Decision, title: str) -> str:
    page.goto(reverse("followup:decision_list"))
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('followup:item_new')}?decision={decision.pk}']").click()
    expect(page.locator("#id_title")).to_have_value(decision.text)
    page.locator("#id_title").fill(title)
    page.locator("#id_lead_unit").select_option(str(Unit.objects.get(code="finance").pk))
    page.locator("#id_responsible").select_option(str(User.objects.get(username="demo-liaison").pk))
    due = timezone.localdate() + dt.timedelta(days=30)
    page.locator("#id_due_date").fill(due.isoformat())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/followup/items/\d+/$"))
    url = page.url
    path = url[url.index("/followup/") :]
    press(page, f"{path}assign/")
    expect(page.locator("span.status[data-status]")).to_have_text("已交办")
    return path


def test_office_assigns_liaison_reports_from_a_phone_office_closes_and_returns(
    demo_logins, open_page
) -> None:
    decision = a_decision()
    office = open_page(**DESKTOP)
    log_in(office, "demo-clerk")
    paths = [open_item_from_decision(office, decision, title) for title in TITLES]

    phone = open_page(**PHONE)
    log_in(phone, "demo-liaison")
    phone.goto(reverse("followup:item_list"))
    expect(phone.locator("tr.item-row")).to_have_count(2)
    no_horizontal_overflow(phone)
    for path, percent in zip(paths, ("100", "90"), strict=True):
        phone.goto(path)
        no_horizontal_overflow(phone)
        press(phone, f"{path}acknowledge/")
        phone.locator("form[action$='/report/'] textarea[name=text]").fill("经费已纳入预算。")
        phone.locator("form[action$='/report/'] input[name=percent]").fill(percent)
        press(phone, f"{path}report/")
        expect(phone.locator("ol.timeline li.event-progress")).to_have_count(1)
        phone.locator("#id_completion_text").fill("经费已到位，申请办结。")
        press(phone, f"{path}request-completion/")
        expect(phone.locator("span.status[data-status]")).to_have_text("申请办结")
        # The liaison never closes their own unit's item.
        expect(phone.locator(f"form[action='{path}close/']")).to_have_count(0)
        no_horizontal_overflow(phone)

    office.goto(paths[0])
    press(office, f"{paths[0]}close/")
    expect(office.locator("span.status[data-status]")).to_have_text("已办结")
    office.goto(paths[1])
    office.locator("#id_return_reason").fill("缺少支出凭证，请补充。")
    press(office, f"{paths[1]}return/")
    expect(office.locator("span.status[data-status]")).to_have_text("已退办")

    statuses = dict(Item.objects.values_list("title", "status"))
    assert statuses == {TITLES[0]: ItemStatus.CLOSED, TITLES[1]: ItemStatus.RETURNED}
    phone.goto(paths[1])
    expect(phone.locator("ol.timeline")).to_contain_text("缺少支出凭证")
