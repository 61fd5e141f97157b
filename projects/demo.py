"""Demo project cycle for `make run` only (`manage.py load_demo_projects`, after load_demo and
load_demo_meetings): this year's call with proposals at every stage, reviews by the demo
expert, and one project approved through a demo Leading Group meeting's vote.

Everything goes through the services, as people would do it; the fictional people's names
say they are demo accounts.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from meetings import services as meeting_services
from meetings.demo import _past_start
from meetings.models import Meeting
from members import services as member_services
from members.demo import DEMO_PASSWORD
from members.models import Appointment, Body, Role, Seat, Unit, UnitRole, User
from projects import services
from projects.models import Acceptance, Call

# (username, full name, unit code, seat: "liaison" of its unit or "expert")
DEMO_PEOPLE = [
    ("demo-library", "演示·图书馆联络员", "library", "liaison"),
    ("demo-assets", "演示·国资处联络员", "state-assets", "liaison"),
    ("demo-netc", "演示·网教中心联络员", "netc", "liaison"),
    ("demo-expert2", "演示·校外专家乙", None, "expert"),
    ("demo-expert3", "演示·校外专家丙", None, "expert"),
]
MEETING_TITLE = "信息化工作领导小组专题会：年度信息化项目立项"


class DemoError(Exception):
    pass


def _people() -> dict[str, User]:
    units = {unit.code: unit for unit in Unit.objects.all()}
    panel = Body.objects.get(kind=Body.Kind.EXPERT_PANEL)
    for username, full_name, unit_code, seat_kind in DEMO_PEOPLE:
        person, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "unit": units.get(unit_code), "title": "演示账号"},
        )
        if created:
            person.set_password(DEMO_PASSWORD)
            person.save()
        if seat_kind == "expert":
            owner, role = {"body": panel}, Role.EXPERT
        else:
            owner, role = {"unit": units[unit_code]}, UnitRole.LIAISON
        if not Seat.objects.filter(**owner, appointments__person=person).exists():
            seat = member_services.add_seat(actor=None, role=role, **owner)
            member_services.fill_seat(actor=None, seat=seat, person=person, note="演示数据")
    return {p.username: p for p in User.objects.filter(username__startswith="demo-")} | {
        p.username: p for p in User.objects.filter(username__in=["sunqixin", "zhaoman"])
    }


def _proposal(call, person, title, category, level, lines, **text):
    proposal = services.create_proposal(
        actor=person,
        call=call,
        unit=person.unit,
        title=title,
        category=category,
        security_level=level,
        need=text.get("need", "现有系统难以满足师生需求。"),
        objectives=text.get("objectives", "建成稳定、安全、好用的服务。"),
        content=text.get("content", "需求调研、系统建设、数据对接、上线运行。"),
        schedule=text.get("schedule", "上半年完成建设，下半年上线运行。"),
        funding_source="学校信息化专项经费",
    )
    for budget_category, item, quantity, price_yuan in lines:
        services.add_budget_line(
            actor=person,
            proposal=proposal,
            category=budget_category,
            item=item,
            quantity=quantity,
            unit_price_fen=price_yuan * 100,
        )
    return proposal


def _review(proposal, clerk, experts, scores, *, submit=True):
    services.submit_proposal(actor=proposal.created_by, proposal=proposal)
    assignments = services.assign_experts(actor=clerk, proposal=proposal, experts=experts)
    if not submit:
        return proposal
    for assignment, total in zip(assignments, scores, strict=True):
        services.declare_interest(actor=assignment.expert, assignment=assignment, conflict=False)
        services.submit_sheet(
            actor=assignment.expert, assignment=assignment, opinion="方案可行，建议立项。", **total
        )
    return services.close_review(actor=clerk, proposal=proposal)


def _sheet(base: int) -> dict[str, int]:
    return {
        "necessity": base,
        "feasibility": base - 1,
        "technical": base,
        "budget": base - 1,
        "results": base,
    }


def _approve_by_vote(call: Call, people: dict[str, User]) -> Meeting:
    """A demo special meeting of the Leading Group, earlier today, that approves by vote."""
    clerk, leader = people["demo-clerk"], people["sunqixin"]
    body = Body.objects.get(kind=Body.Kind.LEADING_GROUP)
    starts_at = _past_start(body)
    meeting = meeting_services.draft_meeting(
        actor=clerk,
        body=body,
        kind=Meeting.Kind.LG_SPECIAL,
        title=MEETING_TITLE,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        location="行政楼第二会议室",
    )
    request = services.put_on_agenda(actor=people["zhaoman"], call=call, meeting=meeting)
    # Art. 12: convened before it was held (on the record: a day before, or the roster's day).
    seated_since = Appointment.objects.seated_in(body).voting().aggregate(d=Max("started_on"))["d"]
    convened = starts_at - dt.timedelta(days=1)
    if seated_since is not None:
        roster_day = timezone.make_aware(dt.datetime.combine(seated_since, dt.time(0, 0)))
        convened = max(convened, roster_day)
    if convened >= starts_at:
        convened = starts_at - dt.timedelta(minutes=1)
    meeting_services.convene_meeting(actor=leader, meeting=meeting, now=convened)
    for member in meeting.expected_members.all():
        meeting_services.check_in(actor=clerk, member=member, by_office=True)
    meeting_services.open_meeting(actor=leader, meeting=meeting)
    motion = meeting_services.create_motion(
        actor=leader, item=request.item, text="同意工作组提出的年度信息化项目立项建议及经费预算"
    )
    meeting_services.open_vote(actor=leader, motion=motion)
    voters = sorted(
        (m.person for m in meeting.expected_members.select_related("person")),
        key=lambda p: p.pk == leader.pk,  # the chair states a view last (R-VOTE-5)
    )
    for voter in voters:
        meeting_services.cast_vote(voter=voter, motion=motion, choice="yes")
    motion = meeting_services.close_vote(actor=leader, motion=motion)
    meeting_services.record_decision(
        actor=clerk, item=request.item, text="同意立项建议及经费预算。", motion=motion
    )
    return meeting_services.close_meeting(actor=leader, meeting=meeting)


@transaction.atomic
def load_demo_projects() -> list[str]:
    """Create the demo cycle; idempotent: an empty list, changing nothing, once it exists."""
    today = timezone.localdate()
    if Call.objects.filter(year=today.year).exists():
        return []
    if not User.objects.filter(username="demo-clerk").exists():
        raise DemoError("Run `manage.py load_demo` first.")
    people = _people()
    clerk, liaison, library = people["demo-clerk"], people["demo-liaison"], people["demo-library"]
    netc = people["demo-netc"]
    experts = [people["demo-expert"], people["demo-expert2"], people["demo-expert3"]]
    call = services.open_call(
        actor=clerk,
        year=today.year,
        title=f"{today.year}年度信息化建设项目征集",
        guidelines="围绕智慧校园建设，优先支持数据共享、网络安全和教学科研服务类项目。",
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=14),
        envelope_fen=3_000_000_00,
        topup_opens_on=today + dt.timedelta(days=60),
        topup_closes_on=today + dt.timedelta(days=75),
        topup_cap_fen=500_000_00,
    )
    core = _proposal(
        call,
        netc,
        "校园网核心交换升级",
        "infrastructure",
        3,
        [("设备", "核心交换机", 2, 380_000), ("服务", "集成实施", 1, 120_000)],
    )
    _review(core, clerk, experts, [_sheet(9), _sheet(9), _sheet(8)])
    services.recommend(
        actor=people["zhaoman"],
        proposal=core,
        rank=1,
        recommended_fen=800_000_00,
        reason="集成实施费用按市场价压缩",
    )
    _approve_by_vote(call, people)

    core.refresh_from_db()
    services.record_allocation(
        actor=liaison, proposal=core, amount_fen=400_000_00, allocated_on=today, note="首笔拨付"
    )
    assets = people["demo-assets"]
    services.record_tender(
        actor=assets,
        proposal=core,
        method="open",
        tendered_on=today,
        winner="演示网络科技有限公司",
        contract_fen=780_000_00,
    )
    services.add_milestone(
        actor=netc, proposal=core, title="设备到货", due_on=today + dt.timedelta(days=30)
    )
    services.record_acceptance(
        actor=assets,
        proposal=core,
        stage=Acceptance.Stage.FIRST,
        accepted_on=today,
        passed=True,
        note="到货验收合格",
    )

    data = _proposal(
        call,
        library,
        "馆藏数据治理与共享",
        "data",
        2,
        [("软件", "数据治理平台", 1, 260_000), ("服务", "数据清洗", 1, 60_000)],
    )
    _review(data, clerk, experts, [_sheet(8), _sheet(7), _sheet(9)])
    services.recommend(
        actor=people["zhaoman"],
        proposal=data,
        rank=2,
        recommended_fen=280_000_00,
        reason="数据清洗服务由馆内自行承担一部分",
    )
    kiosks = _proposal(
        call, library, "自助借还设备更新", "other", 1, [("设备", "自助借还机", 4, 45_000)]
    )
    _review(kiosks, clerk, experts, [_sheet(5), _sheet(6), _sheet(5)])
    services.reject(actor=people["zhaoman"], proposal=kiosks, reason="现有设备仍在保修期内")

    budget = _proposal(
        call, liaison, "预算管理系统升级", "application", 2, [("软件", "预算管理系统", 1, 350_000)]
    )
    _review(budget, clerk, experts, [], submit=False)  # waits for the demo expert
    reimbursement = _proposal(
        call, liaison, "财务报销一站式服务", "application", 2, [("软件", "报销平台", 1, 200_000)]
    )
    services.submit_proposal(actor=liaison, proposal=reimbursement)
    search = _proposal(
        call, library, "数字资源统一检索", "application", 1, [("软件", "检索系统", 1, 150_000)]
    )
    services.submit_proposal(actor=library, proposal=search)
    services.return_proposal(actor=clerk, proposal=search, reason="请补充与现有系统的对接方案。")
    _proposal(
        call, library, "图书馆智慧空间管理平台", "teaching", 2, [("软件", "空间预约", 1, 90_000)]
    )
    return [
        f"Call {call.title} (call {call.pk}): 7 proposals, from draft to first acceptance",
        f"  {core.title}: approved by the vote of {MEETING_TITLE}, funded, tendered, accepted",
        f"  {budget.title}: waits for demo-expert's review",
    ]
