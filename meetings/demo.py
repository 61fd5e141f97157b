"""Demo meetings for `make run` only; a production install never runs this.

Everything is done through meetings.services, as the people would do it in the portal:
the Office drafts, the leader convenes, the Office checks members in, members vote; then the
Office writes the plenary's minutes and the leader signs them with the demo password, so that
issued, signed minutes (demo CA: not legally reliable) can be downloaded and verified. Needs
the roster and the demo logins (`manage.py load_demo`) first.
"""

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from unittest import mock

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from infogov.academic_year import AcademicYear
from meetings import services
from meetings.ballots import keys
from meetings.ballots.crypto import InvalidBallotData
from meetings.minutes import services as minutes_services
from meetings.minutes import signing
from meetings.minutes.models import Minutes
from meetings.models import Decision, Meeting, Motion
from meetings.rules import Basis, Threshold
from members.demo import DEMO_PASSWORD
from members.models import Appointment, Body, Unit, User

PLENARY_TITLE = "信息化工作领导小组全体会议（{year}）"
SPECIAL_TITLE = "信息化工作领导小组专题会：智慧校园数据治理"
# Members checked in by the Office before the special meeting: ten of the sixteen, not the
# demo logins, so that the eleventh (quorum for 16, Art. 12) is whoever tries it first.
SPECIAL_PRESENT = [
    "mabohu",
    "lili",
    "chenyulin",
    "huoxuexi",
    "weigehong",
    "wangwenbo",
    "liuweijun",
    "huxinsheng",
    "zhangsuiping",
    "hansujian",
]
DEMO_LOGINS = ["sunqixin", "zhaoman", "yanzushu", "demo-clerk", "demo-liaison"]
# The plenary's minutes: the Office's narrative (headings 一、 （一）, see MinutesDocument) and
# the units they are sent to (Art. 16); demo-liaison of Finance can then read them.
PLENARY_NARRATIVE = """\
会议听取了网络与教育技术中心关于年度信息化建设项目立项建议和《校园网络安全管理办法（修订稿）》的汇报，经认真讨论，形成如下纪要。
一、关于年度信息化建设项目立项建议
会议原则同意工作组提出的年度信息化建设项目立项建议，报校长办公会审定。
（一）项目经费预算由计划财务处会同网络与教育技术中心核定，按程序纳入年度预算。
（二）国资管理处负责项目的招标采购与验收，网络与教育技术中心负责建设与督办。
二、关于《校园网络安全管理办法（修订稿）》
会议通过《校园网络安全管理办法（修订稿）》，由网络与教育技术中心印发实施，各单位认真贯彻落实。
"""
PLENARY_DISTRIBUTION = ["netc", "finance", "state-assets"]
# Tasks run inline for the demo whatever the configured backend: `make run` starts no worker,
# and the demo promises minutes already issued.
INLINE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class DemoError(Exception):
    pass


def demo_meetings_exist() -> bool:
    """Demo meetings are the ones the demo Office clerk drafted."""
    return Meeting.objects.filter(created_by__username="demo-clerk").exists()


def load_demo_meetings() -> list[str]:
    """Create a closed plenary with its minutes issued and signed, and a convened special
    meeting; return what was made.

    Idempotent: returns an empty list, changing nothing, once demo meetings exist.
    """
    with transaction.atomic():
        if demo_meetings_exist():
            return []
        people = {p.username: p for p in User.objects.filter(username__in=DEMO_LOGINS)}
        missing = sorted(set(DEMO_LOGINS) - set(people))
        if missing:
            raise DemoError(f"Missing demo logins {', '.join(missing)}: run `manage.py load_demo`.")
        leading_group = Body.objects.get(kind=Body.Kind.LEADING_GROUP)
        plenary, minutes = _closed_plenary(leading_group, people)
        special = _convened_special(leading_group, people)
    # Signed after the meetings are committed, as in the portal: the signing task reads them.
    return [*plenary, *_sign_minutes(minutes, people["sunqixin"]), *special]


def _past_start(body: Body, now: dt.datetime | None = None) -> dt.datetime:
    """Three weeks ago at 09:00, or as late as the present members have all been seated.

    R-MEET-3: convening snapshots who is seated on the meeting's date, and a roster loaded
    today has no one seated before today. Then the plenary starts three hours ago, or, early
    in the day, halfway between midnight (when it is convened: the demo's clock goes back no
    further) and now, so that it is convened before it starts and held before now. (Only in
    the first two minutes after midnight is there no such moment.)
    """
    now = timezone.localtime(now)
    seated_since = Appointment.objects.seated_in(body).voting().aggregate(d=Max("started_on"))["d"]
    day = max(now.date() - dt.timedelta(days=21), seated_since or now.date())
    if day < now.date():
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    midnight = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))
    start = max(midnight + (now - midnight) / 2, now - dt.timedelta(hours=3))
    return start.replace(second=0, microsecond=0)


@contextlib.contextmanager
def _clock(earliest: dt.datetime) -> Iterator[Callable[[dt.datetime], None]]:
    """Yield ``set_to(at)``: from then on the services stamp times from ``at`` onwards (but not
    before ``earliest`` nor after the real now).

    The past plenary is made today, but its check-in times, quorum log, votes and audit entries
    must show the day it was held, as if the Office had used the portal then; the services read
    the time from ``timezone.now()``, so the demo moves that clock (never beyond the real now).
    """
    real_now = timezone.now
    offset = dt.timedelta(0)

    def now() -> dt.datetime:
        return real_now() + offset

    def set_to(at: dt.datetime) -> None:
        nonlocal offset
        at = max(at, earliest)
        offset = min(at, real_now() - dt.timedelta(minutes=1)) - real_now()

    with mock.patch.object(timezone, "now", now):
        yield set_to


def _material(item, clerk: User, name: str, text: str) -> None:
    services.add_material(actor=clerk, item=item, upload=ContentFile(text.encode(), name=name))


def _check_in(meeting: Meeting, clerk: User, usernames: list[str]) -> None:
    for member in meeting.expected_members.filter(person__username__in=usernames):
        services.check_in(actor=clerk, member=member, by_office=True)


def _vote(motion: Motion, choices: dict[str, str]) -> None:
    voters = {p.username: p for p in User.objects.filter(username__in=choices)}
    for username, choice in choices.items():
        services.cast_vote(voter=voters[username], motion=motion, choice=choice)


def _closed_plenary(body: Body, people: dict[str, User]) -> tuple[list[str], Minutes]:
    starts_at = _past_start(body)
    # Nobody was seated before the roster's day: the demo's clock does not go back beyond it.
    seated_since = Appointment.objects.seated_in(body).voting().aggregate(d=Max("started_on"))["d"]
    earliest = dt.datetime.combine(seated_since or starts_at.date(), dt.time(0, 0))
    with _clock(timezone.make_aware(earliest)) as set_clock:
        return _hold_plenary(body, people, starts_at, set_clock)


def _hold_plenary(
    body: Body,
    people: dict[str, User],
    starts_at: dt.datetime,
    set_clock: Callable[[dt.datetime], None],
) -> tuple[list[str], Minutes]:
    """The plenary, each step at the time it would have been taken on the meeting's day."""
    clerk, leader = people["demo-clerk"], people["sunqixin"]
    set_clock(starts_at - dt.timedelta(days=7))  # drafted and convened a week before
    year = AcademicYear.of(timezone.localdate(starts_at))
    netc = Unit.objects.filter(code="netc").first()
    meeting = services.draft_meeting(
        actor=clerk,
        body=body,
        kind=Meeting.Kind.LG_PLENARY,
        title=PLENARY_TITLE.format(year=year),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        location="行政楼第一会议室",
    )
    projects = services.add_agenda_item(
        actor=clerk,
        meeting=meeting,
        title="审议年度信息化建设项目立项建议",
        description="工作组提出的年度重大信息化项目及经费预算建议。",
        presenter_unit=netc,
        is_major=True,
    )
    _material(projects, clerk, "立项建议汇总表.txt", "年度信息化建设项目立项建议（演示材料）\n")
    security = services.add_agenda_item(
        actor=clerk,
        meeting=meeting,
        title="审议《校园网络安全管理办法（修订稿）》",
        presenter_unit=netc,
        is_major=True,
    )
    services.convene_meeting(actor=leader, meeting=meeting)  # a week before (the clock)
    set_clock(starts_at - dt.timedelta(days=2))
    for username, reason in [("daijun", "出差"), ("liuxiping", "因公外出")]:
        member = meeting.expected_members.get(person__username=username)
        services.answer_attendance(actor=clerk, member=member, response="leave", reason=reason)
    set_clock(starts_at - dt.timedelta(minutes=20))
    services.set_check_in_open(actor=clerk, meeting=meeting, is_open=True)
    present = list(
        meeting.expected_members.exclude(person__username__in=["daijun", "liuxiping"])
        .order_by("order")
        .values_list("person__username", flat=True)
    )
    _check_in(meeting, clerk, present)
    set_clock(starts_at)
    services.open_meeting(actor=leader, meeting=meeting)

    # Art. 13 / R-VOTE-5: the chair states a view last.
    voters = [u for u in present if u != "sunqixin"] + ["sunqixin"]
    named = services.create_motion(
        actor=leader, item=projects, text="同意年度信息化建设项目立项建议，报校长办公会审定"
    )
    set_clock(starts_at + dt.timedelta(minutes=35))
    services.open_vote(actor=leader, motion=named)
    _vote(
        named, {u: "no" if i == 0 else "abstain" if i == 1 else "yes" for i, u in enumerate(voters)}
    )
    named = services.close_vote(actor=leader, motion=named)
    services.record_decision(
        actor=clerk,
        item=projects,
        text="原则同意年度信息化建设项目立项建议，报校长办公会审定。",
        motion=named,
        forward_to=Decision.Forward.PRESIDENTS_OFFICE,
    )
    secret = services.create_motion(
        actor=leader,
        item=security,
        text="通过《校园网络安全管理办法（修订稿）》",
        method=Motion.Method.SECRET,
        basis=Basis.EXPECTED,
        threshold=Threshold.TWO_THIRDS,
    )
    # Two present members as scrutineers (监票人); they count with the demo password.
    scrutineers = [p for p in User.objects.filter(username__in=voters) if p.username != "sunqixin"]
    scrutineers = [p for p in scrutineers if p.check_password(DEMO_PASSWORD)][:2]
    for person in scrutineers:  # a ballot key that opens with the demo password
        try:
            keys.secret_key(person, DEMO_PASSWORD)
        except InvalidBallotData:
            keys.make_key(person, DEMO_PASSWORD)
    set_clock(starts_at + dt.timedelta(minutes=70))
    services.open_vote(actor=leader, motion=secret, scrutineers=scrutineers)
    _vote(
        secret,
        {u: "no" if i == 2 else "abstain" if i == 3 else "yes" for i, u in enumerate(voters)},
    )
    secret = services.close_vote(actor=leader, motion=secret)
    for person in scrutineers:
        secret = services.count_secret(actor=person, motion=secret, password=DEMO_PASSWORD)
    services.record_decision(
        actor=clerk,
        item=security,
        text="通过《校园网络安全管理办法（修订稿）》，由网教中心印发实施。",
        motion=secret,
    )
    set_clock(starts_at + dt.timedelta(minutes=115))
    services.close_meeting(actor=leader, meeting=meeting)

    # Art. 15: the Office writes the narrative and submits the minutes to the leader.
    set_clock(starts_at + dt.timedelta(days=1, hours=1))
    minutes = minutes_services.edit_minutes(
        actor=clerk,
        minutes=meeting.minutes.get(),
        title=f"{meeting.title}纪要",
        narrative=PLENARY_NARRATIVE,
        distribution=Unit.objects.filter(code__in=PLENARY_DISTRIBUTION),
    )
    minutes = minutes_services.submit_minutes(actor=clerk, minutes=minutes)
    return [
        f"Closed {meeting.get_kind_display()}: {meeting.title}, "
        f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M} (meeting {meeting.pk})",
        f"  {len(present)} of 16 present, 2 on leave",
        f"  named vote: {named.yes} yes, {named.no} no, {named.abstain} abstain, "
        f"{named.required} needed → {'passed' if named.passed else 'not passed'}; "
        "decision forwarded to 校长办公会",
        f"  secret ballot (two-thirds): {secret.yes} yes, {secret.no} no, {secret.abstain} "
        f"abstain, {secret.required} needed → {'passed' if secret.passed else 'not passed'}",
    ], minutes


def _sign_minutes(minutes: Minutes, leader: User) -> list[str]:
    """Art. 15: the leader signs with the password again (R-MIN-3); the task runs inline."""
    signing.create_demo_ca()
    try:
        with override_settings(TASKS=INLINE_TASKS):
            minutes_services.request_signature(
                actor=leader, minutes=minutes, password=DEMO_PASSWORD
            )
    except services.MeetingError as error:
        return [f"  minutes submitted to {leader.full_name}, not signed: {error}"]
    minutes.refresh_from_db()
    issued = minutes.issued.defer("pdf").first()
    if issued is None:  # signing_failed put them back before the leader, saying why
        return [f"  minutes submitted to {leader.full_name}; signing failed: {minutes.comments}"]
    return [
        f"  minutes issued as {issued.number}, signed by {leader.full_name} "
        f"(demo CA — not legally reliable), sent to {issued.distributions.count()} units "
        f"(issued {issued.pk}, {issued.get_absolute_url()})",
    ]


def _convened_special(body: Body, people: dict[str, User]) -> list[str]:
    clerk, leader = people["demo-clerk"], people["sunqixin"]
    now = timezone.localtime()
    starts_at = (now + dt.timedelta(minutes=40)).replace(second=0, microsecond=0)
    starts_at -= dt.timedelta(minutes=starts_at.minute % 5)
    netc = Unit.objects.filter(code="netc").first()
    finance = Unit.objects.filter(code="finance").first()
    meeting = services.draft_meeting(
        actor=clerk,
        body=body,
        kind=Meeting.Kind.LG_SPECIAL,
        title=SPECIAL_TITLE,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        location="行政楼第三会议室",
    )
    platform = services.add_agenda_item(
        actor=clerk,
        meeting=meeting,
        title="审议智慧校园数据中台建设方案",
        description="网教中心汇报数据中台建设方案，专家组论证意见附后。",
        presenter_unit=netc,
        is_major=True,
    )
    _material(platform, clerk, "数据中台建设方案.txt", "智慧校园数据中台建设方案（演示材料）\n")
    budget = services.add_agenda_item(
        actor=clerk,
        meeting=meeting,
        title="审议信息化项目经费预算调整",
        presenter_unit=finance,
        is_major=True,
    )
    services.invite_attendee(
        actor=clerk, meeting=meeting, person=people["demo-liaison"], note="计财处联络员"
    )
    services.convene_meeting(actor=leader, meeting=meeting)
    services.create_motion(actor=leader, item=platform, text="同意智慧校园数据中台建设方案")
    services.create_motion(
        actor=leader,
        item=budget,
        text="同意信息化项目经费预算调整方案",
        method=Motion.Method.SECRET,
    )
    member = meeting.expected_members.get(person__username="yangjiarong")
    services.answer_attendance(actor=clerk, member=member, response="leave", reason="外出开会")
    services.set_check_in_open(actor=clerk, meeting=meeting, is_open=True)
    _check_in(meeting, clerk, SPECIAL_PRESENT)
    numbers = services.attendance(meeting)
    return [
        f"Convened {meeting.get_kind_display()}: {meeting.title}, "
        f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M} (meeting {meeting.pk})",
        f"  check-in open; {numbers.present} of {numbers.expected} checked in by the Office, "
        f"{numbers.needed} needed: the next to check in (sunqixin, zhaoman or yanzushu) "
        "makes it quorate",
        "  a named and a secret motion wait to be opened once the leader opens the meeting",
        "  demo-liaison is invited as a non-voting attendee (列席)",
    ]
