"""End to end: the annual project cycle in a real browser (Debian's Chromium). The Office opens
a call; the Library's liaison proposes from a phone; the Office assigns three experts; the demo
expert declares and scores on a phone; the Work Group recommends and puts the recommendation on
a Leading Group meeting's agenda; the leader puts it to the vote and closes it; Finance funds;
State Assets records the tender and the first acceptance. Pages are read by their structure
(form actions, ids, field names) and by the numbers they show.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings import services as meeting_services
from meetings.models import Meeting, Motion
from members.models import Body, User
from projects import demo as projects_demo
from projects import services
from projects.models import Assignment, Call, Proposal
from projects.rules import ProposalStatus as S
from tests.e2e.pages import log_in, press

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
TITLE = "图书馆座位预约系统（端到端）"


def overflow(page: Page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def fill(page: Page, action: str, values: dict[str, str]) -> None:
    form = page.locator(f"form[action='{action}']")
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)


@pytest.fixture
def people(demo_logins) -> dict[str, User]:
    return projects_demo._people()


@pytest.fixture
def lg_meeting(people) -> Meeting:
    """A Leading Group special meeting in session, everybody checked in by the Office."""
    clerk, leader = people["demo-clerk"], people["sunqixin"]
    meeting = meeting_services.draft_meeting(
        actor=clerk,
        body=Body.objects.get(kind=Body.Kind.LEADING_GROUP),
        kind=Meeting.Kind.LG_SPECIAL,
        title="项目立项专题会（端到端）",
        starts_at=timezone.now() + dt.timedelta(minutes=30),
        location="行政楼第二会议室",
    )
    # Art. 12: convened with an agenda; the recommendation joins it as its own item.
    meeting_services.add_agenda_item(actor=clerk, meeting=meeting, title="通报信息化工作进展")
    meeting_services.convene_meeting(actor=leader, meeting=meeting)
    for member in meeting.expected_members.all():
        meeting_services.check_in(actor=clerk, member=member, by_office=True)
    return meeting_services.open_meeting(actor=leader, meeting=meeting)


def test_the_whole_cycle_from_call_to_acceptance(open_page, people, lg_meeting) -> None:
    today = timezone.localdate()

    # --- The Office (the Work Group's secretariat) opens this year's call.
    clerk = open_page(**DESKTOP)
    log_in(clerk, "demo-clerk")
    clerk.goto(reverse("projects:call_new"))
    form = clerk.locator("main form")
    for name, value in {
        "year": str(today.year),
        "title": f"{today.year}年度信息化项目征集（端到端）",
        "opens_on": (today - dt.timedelta(days=1)).isoformat(),
        "closes_on": (today + dt.timedelta(days=20)).isoformat(),
        "envelope_fen": "1000000",
    }.items():
        form.locator(f"[name={name}]").fill(value)
    with clerk.expect_navigation():
        form.locator("button[type=submit]").click()
    call = Call.objects.get(year=today.year)
    expect(clerk).to_have_url(re.compile(rf"/projects/calls/{call.pk}/$"))

    # --- The Library's liaison proposes on a phone: a draft, a budget line, submit.
    unit = open_page(**PHONE)
    log_in(unit, "demo-library")
    unit.goto(reverse("projects:call_detail", args=[call.pk]))
    with unit.expect_navigation():
        unit.locator(f"a[href='{reverse('projects:proposal_new', args=[call.pk])}']").click()
    form = unit.locator("main form")
    form.locator("[name=title]").fill(TITLE)
    form.locator("[name=category]").select_option("application")
    form.locator("[name=need]").fill("座位紧张，需要预约。")
    form.locator("[name=security_level]").fill("2")
    with unit.expect_navigation():
        form.locator("button[type=submit]").click()
    proposal = Proposal.objects.get(title=TITLE)
    assert overflow(unit) <= 0
    line = reverse("projects:budget_line_add", args=[proposal.pk])
    unit.locator("details", has=unit.locator(f"form[action='{line}']")).locator("summary").click()
    fill(unit, line, {"category": "设备", "item": "预约终端", "quantity": "4",
                      "unit_price_fen": "12345.67"})  # fmt: skip
    press(unit, line)
    expect(unit.locator("#budget-total")).to_have_text("¥49,382.68")
    press(unit, reverse("projects:proposal_submit", args=[proposal.pk]))
    expect(unit.locator("#proposal-status")).to_have_text("已提交")
    assert overflow(unit) <= 0

    # --- The Office assigns three experts (none of the Library: 回避).
    clerk.goto(proposal.get_absolute_url())
    assign = reverse("projects:experts_assign", args=[proposal.pk])
    for username in ("demo-expert", "demo-expert2", "demo-expert3"):
        pk = people[username].pk
        clerk.locator(f"form[action='{assign}'] input[value='{pk}']").check()
    press(clerk, assign)
    expect(clerk.locator("#proposal-status")).to_have_text("专家论证中")

    # --- The demo expert declares no conflict and scores, on a phone.
    expert = open_page(**PHONE)
    log_in(expert, "demo-expert")
    mine = Assignment.objects.get(proposal=proposal, expert=people["demo-expert"])
    expert.goto(mine.get_absolute_url())
    declare = reverse("projects:assignment_declare", args=[mine.pk])
    expert.locator(f"form[action='{declare}'] input[value='0']").check()
    press(expert, declare)
    sheet = reverse("projects:assignment_submit", args=[mine.pk])
    fill(expert, sheet, {"necessity": "9", "feasibility": "8", "technical": "8", "budget": "7",
                         "results": "8", "opinion": "需求明确，方案可行。"})  # fmt: skip
    press(expert, sheet)
    expect(expert.locator("#sheet-total")).to_have_text("81")
    assert overflow(expert) <= 0
    for username in ("demo-expert2", "demo-expert3"):  # the other two, by their services
        other = Assignment.objects.get(proposal=proposal, expert=people[username])
        services.declare_interest(actor=other.expert, assignment=other, conflict=False)
        services.submit_sheet(
            actor=other.expert, assignment=other, opinion="同意",
            necessity=8, feasibility=8, technical=8, budget=8, results=8,
        )  # fmt: skip

    # --- The Office closes the review; the Work Group recommends and goes to the Leading Group.
    clerk.goto(proposal.get_absolute_url())
    press(clerk, reverse("projects:review_close", args=[proposal.pk]))
    expect(clerk.locator("#review-score")).to_have_text("80.3")
    recommend = reverse("projects:proposal_recommend", args=[proposal.pk])
    fill(clerk, recommend, {"rank": "1", "recommended_fen": "45000", "reason": "终端数量压缩"})
    press(clerk, recommend)
    clerk.goto(call.get_absolute_url())
    agenda = reverse("projects:call_agenda", args=[call.pk])
    clerk.locator(f"form[action='{agenda}'] [name=meeting]").select_option(str(lg_meeting.pk))
    press(clerk, agenda)
    item = proposal.request_line.request.item

    # --- The leader puts the item to the vote; the members vote; the leader closes it.
    leader = open_page(**DESKTOP)
    log_in(leader, "sunqixin")
    leader.goto(lg_meeting.get_absolute_url())
    action = reverse("meetings:motion_add", args=[item.pk])
    form = leader.locator(f"form[action='{action}']")
    leader.locator(f"#item-{item.pk} details", has=form).locator("summary").click()
    form.locator("[name=text]").fill("同意年度信息化项目立项建议")
    press(leader, action)
    motion = Motion.objects.get(item=item)
    leader.goto(motion.get_absolute_url())
    press(leader, reverse("meetings:motion_open", args=[motion.pk]))
    chair = people["sunqixin"]
    for member in lg_meeting.expected_members.select_related("person"):
        if member.person != chair:
            meeting_services.cast_vote(voter=member.person, motion=motion, choice="yes")
    meeting_services.cast_vote(voter=chair, motion=motion, choice="yes")
    leader.goto(motion.get_absolute_url())
    press(leader, reverse("meetings:motion_close", args=[motion.pk]))
    leader.goto(proposal.get_absolute_url())
    expect(leader.locator("#proposal-status")).to_have_text("已批准")
    expect(leader.locator("#approved-amount")).to_contain_text("¥45,000.00")

    # --- Finance funds; State Assets tenders and accepts.
    finance = open_page(**DESKTOP)
    log_in(finance, "demo-liaison")
    finance.goto(proposal.get_absolute_url())
    fund = reverse("projects:allocation_add", args=[proposal.pk])
    fill(finance, fund, {"amount_fen": "45000", "allocated_on": today.isoformat()})
    press(finance, fund)
    # Finance does not tender: State Assets does (Art. 10 (4)).
    tender = reverse("projects:tender_record", args=[proposal.pk])
    expect(finance.locator(f"form[action='{tender}']")).to_have_count(0)

    assets = open_page(**DESKTOP)
    log_in(assets, "demo-assets")
    assets.goto(proposal.get_absolute_url())
    assets.locator(f"form[action='{tender}'] [name=method]").select_option("open")
    fill(assets, tender, {"tendered_on": today.isoformat(), "winner": "演示科技有限公司",
                          "contract_fen": "44800"})  # fmt: skip
    press(assets, tender)
    expect(assets.locator("#proposal-status")).to_have_text("已签合同")
    acceptance = reverse("projects:acceptance_record", args=[proposal.pk])
    assets.locator(f"form[action='{acceptance}'] [name=stage]").select_option("first")
    fill(assets, acceptance, {"accepted_on": today.isoformat()})
    assets.locator(f"form[action='{acceptance}'] [name=passed]").check()
    press(assets, acceptance)
    expect(assets.locator("#proposal-status")).to_have_text("初验通过")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.approved_fen) == (S.FIRST_ACCEPTED, 45_000_00)
    assert proposal.tender.contract_fen == 44_800_00
    assert proposal.allocations.get().amount_fen == 45_000_00
