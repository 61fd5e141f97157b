"""Art. 12 / R-MEET-4: an academic year without a held Leading Group plenary is flagged on the
dashboard (and the meeting list) before it ends: the rule, its query, the panel and who sees it.
"""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from infogov.academic_year import AcademicYear
from meetings import services
from meetings.compliance import PlenaryFlag, plenary_flag, plenary_status_on
from meetings.models import Meeting
from meetings.rules import PLENARY_URGENT_DAYS, PlenaryStatus, plenary_status
from members.permissions import body_perms

Status = Meeting.Status
D = dt.date
Y2026 = AcademicYear(2026)  # 2026-09-01 to 2027-08-31


@pytest.fixture
def starts_at() -> dt.datetime:
    """The fixtures' plenary is today, so that it falls in this academic year whatever the day,
    and still ahead (Art. 12: a meeting whose start has passed is not convened): half way from
    now to midnight."""
    now = timezone.localtime()
    midnight = dt.datetime.combine(now.date(), dt.time.max, tzinfo=now.tzinfo)
    return now + (midnight - now) / 2


# --- The rule ------------------------------------------------------------------------------------


def status(*, held=(), scheduled=(), today: dt.date) -> PlenaryStatus:
    return plenary_status(
        year=AcademicYear.of(today), held_dates=held, scheduled_dates=scheduled, today=today
    )


@pytest.mark.parametrize(
    ("held", "scheduled", "today", "expected"),
    [
        # (held, scheduled, days left, flagged, urgent)
        ((), (), D(2026, 9, 1), (False, None, 365, True, False)),
        ((D(2026, 9, 1),), (), D(2026, 9, 1), (True, None, 365, False, False)),
        ((D(2027, 8, 31),), (), D(2027, 8, 31), (True, None, 1, False, False)),
        # A plenary on 31 August belongs to the year before; one on 1 September to the next.
        ((D(2026, 8, 31),), (), D(2026, 9, 1), (False, None, 365, True, False)),
        ((D(2027, 9, 1),), (), D(2027, 8, 31), (False, None, 1, True, True)),
        ((D(2025, 11, 3),), (), D(2026, 11, 29), (False, None, 276, True, False)),
        # Convened: scheduled, not held; the first one from today on is the one shown.
        (
            (),
            (D(2027, 3, 5), D(2027, 1, 8)),
            D(2026, 11, 29),
            (False, D(2027, 1, 8), 276, True, False),
        ),
        ((), (D(2026, 11, 29),), D(2026, 11, 29), (False, D(2026, 11, 29), 276, True, False)),
        # A convened day already past is no plan any more, nor is one in the next year.
        ((), (D(2026, 10, 1),), D(2026, 11, 29), (False, None, 276, True, False)),
        ((), (D(2027, 9, 1),), D(2027, 8, 1), (False, None, 31, True, True)),
        # Urgent from PLENARY_URGENT_DAYS (60) days left, today included, unless one is convened.
        ((), (), D(2027, 7, 2), (False, None, 61, True, False)),
        ((), (), D(2027, 7, 3), (False, None, 60, True, True)),
        ((), (), D(2027, 7, 4), (False, None, 59, True, True)),
        ((), (D(2027, 8, 20),), D(2027, 8, 1), (False, D(2027, 8, 20), 31, True, False)),
        ((D(2026, 12, 1),), (), D(2027, 8, 1), (True, None, 31, False, False)),
    ],
)
def test_plenary_status(held, scheduled, today, expected):
    result = status(held=held, scheduled=scheduled, today=today)

    assert result.year == AcademicYear.of(today)
    assert (result.held, result.scheduled, result.days_left, result.flagged, result.urgent) == (
        expected
    )


def test_the_urgent_threshold_is_sixty_days():
    assert PLENARY_URGENT_DAYS == 60


def test_a_year_that_has_ended_has_no_day_left():
    result = plenary_status(year=Y2026, held_dates=[], scheduled_dates=[], today=D(2027, 9, 1))

    assert (result.days_left, result.flagged, result.urgent) == (0, True, True)


def test_a_year_not_yet_begun_has_all_its_days_left():
    result = plenary_status(year=Y2026, held_dates=[], scheduled_dates=[], today=D(2026, 3, 1))

    assert (result.days_left, result.urgent) == (365, False)


days = st.dates(min_value=D(2024, 1, 1), max_value=D(2029, 12, 31))


@given(held=st.lists(days, max_size=5), scheduled=st.lists(days, max_size=5), today=days)
def test_a_year_is_flagged_exactly_when_no_plenary_was_held_in_it(held, scheduled, today):
    year = AcademicYear.of(today)

    result = plenary_status(year=year, held_dates=held, scheduled_dates=scheduled, today=today)

    in_year = [day for day in held if year.starts_on <= day <= year.ends_on]
    assert result.flagged is (in_year == [])
    assert result.days_left == (year.ends_on - today).days + 1
    assert 1 <= result.days_left <= 366
    if result.scheduled is not None:
        assert today <= result.scheduled <= year.ends_on
        assert result.scheduled == min(d for d in scheduled if today <= d <= year.ends_on)
    assert result.urgent is (
        result.flagged and result.scheduled is None and result.days_left <= PLENARY_URGENT_DAYS
    )


# --- The query -----------------------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def plenary(roster, office_clerk, leader, check_in_first):
    """Return a helper: a meeting of the Leading Group at ``when``, brought to ``status`` by the
    services, as the Office and the leader would."""

    def plenary(when: dt.datetime, status: str, kind: str = Meeting.Kind.LG_PLENARY) -> Meeting:
        meeting = services.draft_meeting(
            actor=office_clerk,
            body=roster.leading_group,
            kind=kind,
            title="全体会议",
            starts_at=when,
            location="会议室",
        )
        if status == Status.POSTPONED:
            return services.postpone_meeting(actor=office_clerk, meeting=meeting, reason="改期")
        if status != Status.DRAFT:
            services.add_agenda_item(actor=leader, meeting=meeting, title="审议事项")
            # Convened on the record a week before it starts (Art. 12: never after).
            convened_on = max(when - dt.timedelta(days=7), local(2024, 9, 1, 0))
            meeting = services.convene_meeting(actor=leader, meeting=meeting, now=convened_on)
        if status == Status.CANCELLED:
            return services.cancel_meeting(actor=office_clerk, meeting=meeting, reason="取消")
        if status in (Status.IN_SESSION, Status.CLOSED):
            check_in_first(meeting, 16)
            meeting = services.open_meeting(actor=office_clerk, meeting=meeting)
        if status == Status.CLOSED:
            meeting = services.close_meeting(actor=office_clerk, meeting=meeting)
        assert meeting.status == status
        return meeting

    return plenary


TODAY = D(2026, 6, 1)  # in 2025—2026, which runs from 2025-09-01 to 2026-08-31


@pytest.mark.parametrize(
    ("when", "status", "kind", "held", "scheduled"),
    [
        # 00:30 on 1 September in Beijing is still 31 August in UTC: the local day counts.
        (local(2025, 9, 1, 0, 30), Status.CLOSED, "lg_plenary", True, None),
        (local(2025, 8, 31, 23, 30), Status.CLOSED, "lg_plenary", False, None),
        (local(2026, 5, 20, 9), Status.IN_SESSION, "lg_plenary", True, None),
        (local(2026, 8, 31, 23, 30), Status.CLOSED, "lg_plenary", True, None),
        (local(2026, 6, 10, 9), Status.CONVENED, "lg_plenary", False, D(2026, 6, 10)),
        (local(2026, 9, 1, 0, 30), Status.CONVENED, "lg_plenary", False, None),
        (local(2026, 6, 10, 9), Status.DRAFT, "lg_plenary", False, None),
        (local(2026, 6, 10, 9), Status.POSTPONED, "lg_plenary", False, None),
        (local(2026, 6, 10, 9), Status.CANCELLED, "lg_plenary", False, None),
        # A special meeting of the Leading Group is not its plenary.
        (local(2026, 5, 20, 9), Status.CLOSED, "lg_special", False, None),
    ],
)
def test_only_a_plenary_held_in_the_year_counts(
    plenary, django_assert_num_queries, when, status, kind, held, scheduled
):
    plenary(when, status, kind)

    with django_assert_num_queries(1):
        result = plenary_status_on(TODAY)

    assert (result.year, result.held, result.scheduled) == (AcademicYear(2025), held, scheduled)


def test_a_plenary_of_the_year_before_does_not_count(plenary):
    plenary(local(2025, 6, 1, 9), Status.CLOSED)

    assert plenary_status_on(D(2025, 8, 31)).held is True
    assert plenary_status_on(D(2025, 9, 1)).held is False


def test_the_flag_takes_at_most_two_queries_and_none_for_others(
    office_clerk, member, outsider, django_assert_num_queries
):
    for person in (office_clerk, member, outsider):
        body_perms(person)  # read once per request, by the dashboard already

    with django_assert_num_queries(2):
        flag = plenary_flag(office_clerk, TODAY)
    with django_assert_num_queries(0):
        assert plenary_flag(member, TODAY) is None
        assert plenary_flag(outsider, TODAY) is None

    assert flag == PlenaryFlag(status=plenary_status_on(TODAY), can_draft=True)


# --- The dashboard and the meeting list ---------------------------------------------------------


def flag_html(response) -> str:
    """The plenary flag in a page, or "" if it is not there."""
    text = response.content.decode()
    start = text.find('<div class="flag" id="plenary-flag"')
    return "" if start < 0 else text[start : text.index("</div>", start)]


def flag_in_chinese() -> str:
    today = timezone.localdate()
    year = AcademicYear.of(today)
    left = (year.ends_on - today).days + 1
    return f"{year}尚未召开领导小组全体会议（距学年结束还有 {left} 天）"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("leader", True),
        ("deputy", True),
        ("office_clerk", True),
        ("member", False),
        ("expert", False),
        ("outsider", False),
        ("admin", False),
    ],
)
def test_the_dashboard_flags_the_year_for_those_who_convene_or_organise(
    request, client, roster, who, sees
):
    client.force_login(request.getfixturevalue(who))

    response = client.get("/")

    assert response.status_code == 200
    assert (flag_in_chinese() in flag_html(response)) is sees
    assert ('id="plenary-flag"' in response.text) is sees


def test_the_flag_links_the_office_to_drafting_and_the_leader_to_the_list(
    client, office_clerk, leader
):
    client.force_login(office_clerk)
    office = flag_html(client.get("/"))
    client.force_login(leader)
    chair = flag_html(client.get("/"))

    new, listing = reverse("meetings:meeting_new"), reverse("meetings:meeting_list")
    assert f'href="{new}"' in office and f'href="{listing}"' in office
    assert f'href="{new}"' not in chair and f'href="{listing}"' in chair


def test_a_convened_plenary_is_shown_as_scheduled(client, convened, leader):
    client.force_login(leader)

    flag = flag_html(client.get("/"))

    assert flag_in_chinese() in flag
    assert f"已定于 {timezone.localdate():%Y-%m-%d} 召开。" in flag


@pytest.mark.parametrize("closed", [False, True])
def test_the_flag_goes_once_a_plenary_is_held(client, in_session, leader, office_clerk, closed):
    if closed:
        services.close_meeting(actor=office_clerk, meeting=in_session)
    for person in (leader, office_clerk):
        client.force_login(person)

        assert flag_html(client.get("/")) == ""
        assert flag_html(client.get(reverse("meetings:meeting_list"))) == ""


def test_the_meeting_list_shows_the_flag_to_the_office_only_without_links(
    client, office_clerk, member
):
    listing = reverse("meetings:meeting_list")
    client.force_login(office_clerk)
    office = flag_html(client.get(listing))
    client.force_login(member)
    plain = flag_html(client.get(listing))

    assert flag_in_chinese() in office
    assert "href=" not in office
    assert plain == ""


def render_flag(today: dt.date, scheduled=()) -> str:
    flag = PlenaryFlag(status=status(scheduled=scheduled, today=today), can_draft=True)
    return render_to_string(
        "meetings/_plenary_flag.html", {"plenary_flag": flag, "plenary_links": True}
    )


def test_an_urgent_flag_says_that_none_is_convened():
    with translation.override("zh-hans"):
        urgent = render_flag(D(2027, 8, 31))
        calm = render_flag(D(2027, 7, 2))

    assert "2026—2027学年尚未召开领导小组全体会议（距学年结束还有 1 天）。" in urgent
    assert 'data-urgent="true"' in urgent
    assert "尚未召集会议，而第12条要求每学年至少召开一次全体会议。" in urgent
    assert 'data-urgent="false"' in calm
    assert "第12条" not in calm


def test_the_flag_in_english(english):
    one = render_flag(D(2027, 8, 31), scheduled=[D(2027, 8, 31)])
    many = render_flag(D(2027, 8, 30))

    assert (
        "Academic year 2026—2027 has not held a Leading Group plenary meeting yet "
        "(1 day left in the year). It is scheduled for 2027-08-31." in " ".join(one.split())
    )
    assert "(2 days left in the year)" in many
    assert "None is convened" in many


# --- The hook ------------------------------------------------------------------------------------


def test_members_does_not_import_meetings():
    """ARCHITECTURE.md: meetings → members, never back; the flag reaches the dashboard through
    members.panels, which meetings registers into."""
    members = Path(settings.BASE_DIR) / "members"
    imported = set()
    for path in members.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)

    assert "meetings" not in imported
    assert "projects" not in imported
