"""Roster pages and the Office's seat forms."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages

from members import services
from members.models import Appointment, BodyUserObjectPermission, Role, Seat, User
from tests.factories import PASSWORD, UserFactory

LG_URL = "/bodies/leading-group/"
LG_NAMES = {
    "孙其信",
    "赵曼",
    "马博虎",
    "李力",
    "阎祖书",
    "陈玉林",
    "霍学喜",
    "韦革宏",
    "王文博",
    "刘卫军",
    "胡信生",
    "张岁平",
    "韩苏建",
    "戴军",
    "刘西平",
    "杨家荣",
}
WG_NAMES = {"赵曼", "马博虎", "李力", "阎祖书", "胡信生", "张岁平", "张晓丽", "王西军", "郭向平"}


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def holders(response) -> list[str]:
    return re.findall(r'<td class="holder"><a href="/people/\d+/">([^<]+)</a>', response.text)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def state() -> tuple:
    return (
        sorted(Seat.objects.values_list("id", "body_id", "role")),
        sorted(Appointment.objects.values_list("id", "seat_id", "person_id", "ended_on")),
        BodyUserObjectPermission.objects.count(),
    )


def held_seat(body, name: str) -> Seat:
    return Appointment.objects.get(seat__body=body, person__full_name=name, ended_on=None).seat


# --- Pages ----------------------------------------------------------------------------------


def test_leading_group_page_lists_its_sixteen_members_in_chinese(client, member):
    client.force_login(member)

    response = client.get(LG_URL)

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
    assert "<h1>信息化工作领导小组</h1>" in response.text
    assert sorted(holders(response)) == sorted(LG_NAMES)
    assert (response.context["seated_count"], response.context["voting_count"]) == (16, 16)


def test_body_pages_count_seated_and_voting_members(client, member):
    in_english(client).force_login(member)

    lg = client.get(LG_URL).text
    office = client.get("/bodies/office/").text

    assert "16 seated members" in lg
    assert "16 voting" in lg
    # Art. 5: the Office director serves, but does not vote.
    assert re.search(r"\b1 seated member(?!s)", office)
    assert "0 voting" in office


def test_work_group_page_lists_its_nine_members(client, member):
    client.force_login(member)

    response = client.get("/bodies/work-group/")

    assert sorted(holders(response)) == sorted(WG_NAMES)
    assert response.context["seated_count"] == 9


def test_expert_panel_page_flags_fewer_than_five_experts(client, expert):
    in_english(client).force_login(expert)

    response = client.get("/bodies/expert-panel/")

    assert holders(response) == ["校外专家"]
    assert (
        '<p class="flag">The Expert Panel has 1 expert; Art. 6 requires 5 to 7.</p>'
        in response.text
    )


def test_expert_panel_flag_goes_once_five_experts_sit(client, roster, member):
    for person in UserFactory.create_batch(5):
        seat = services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)
        services.fill_seat(actor=None, seat=seat, person=person)
    in_english(client).force_login(member)

    panel = client.get("/bodies/expert-panel/")
    dashboard = client.get("/")

    assert len(holders(panel)) == 5
    assert 'class="flag"' not in panel.text
    assert 'class="flag"' not in dashboard.text


def test_dashboard_flags_the_empty_expert_panel(client, office_clerk):
    """To the Office, who fills its seats (a plain member sees no such flag: meetings/test_todo)."""
    in_english(client).force_login(office_clerk)

    response = client.get("/")

    assert (
        '<p class="flag">The Expert Panel has 0 experts; Art. 6 requires 5 to 7.</p>'
        in response.text
    )


def test_dashboard_of_the_leader_lists_seats_and_permissions(client, leader, roster):
    in_english(client).force_login(leader)

    response = client.get("/")

    assert [(a.seat.body, a.seat.role) for a in response.context["my_appointments"]] == [
        (roster.leading_group, Role.LEADER)
    ]
    assert (
        '<a href="/bodies/leading-group/">Informatization Leading Group</a> · Leader'
        in response.text
    )
    labels = [
        "Can convene the body's meetings",
        "Can sign the body's minutes",
        "Can vote in the body's meetings",
    ]
    assert response.context["may_do"] == [(roster.leading_group, labels)]
    for label in labels:
        assert response.text.count(label.replace("'", "&#x27;")) == 1
    assert "Can organise the body&#x27;s meetings" not in response.text


def test_dashboard_of_an_outsider_shows_no_seat(client, outsider, roster):
    in_english(client).force_login(outsider)

    response = client.get("/")

    assert list(response.context["my_appointments"]) == []
    assert response.context["may_do"] == []
    assert "You hold no seat." in response.text


def test_only_the_office_sees_the_seat_forms(client, leader, office_clerk, roster):
    seat = held_seat(roster.leading_group, "阎祖书")

    client.force_login(leader)
    as_leader = client.get(LG_URL).text
    client.force_login(office_clerk)
    as_clerk = client.get(LG_URL).text

    vacate = f'action="/seats/{seat.pk}/vacate/"'
    assert (vacate in as_leader, vacate in as_clerk) == (False, True)
    assert as_leader.count('action="/seats/') == 0
    # R-ORG-4: the leader's and the deputy's seats are an administrator's to keep.
    assert as_clerk.count("/vacate/") == 14
    assert as_clerk.count("由管理员依任命文件记录") == 2


def test_person_page_shows_current_seats(client, member):
    client.force_login(member)
    lili = User.objects.get(full_name="李力")

    response = client.get(lili.get_absolute_url())

    # The seats of bodies, and NETC's head seat (R-ORG-1).
    assert sorted(a.seat.owner.code for a in response.context["current"]) == [
        "leading-group",
        "netc",
        "office",
        "work-group",
    ]
    assert response.context["past"] == []


def test_netc_page_shows_the_office_it_hosts_and_its_ex_officio_seats(client, member):
    client.force_login(member)

    response = client.get("/units/netc/")

    assert [b.code for b in response.context["hosted_bodies"]] == ["office"]
    assert sorted(
        (seat.body.code, [a.person.full_name for a in seat.current_appointments])
        for seat in response.context["ex_officio_seats"]
    ) == [("leading-group", ["李力"]), ("office", ["李力"]), ("work-group", ["李力"])]
    assert [(d.article, d.item) for d in response.context["duties"]] == [(10, 5)]


def test_a_person_logs_in_with_their_password(client, leader):
    response = client.post("/login/", {"login": "sunqixin", "password": PASSWORD})

    assert response["Location"] == "/"
    assert client.get("/").context["user"] == leader


def test_a_wrong_password_does_not_log_in(client, leader):
    response = client.post("/login/", {"login": "sunqixin", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/")["Location"] == "/login/?next=/"


# --- The Office's forms ---------------------------------------------------------------------


def test_office_clerk_fills_and_vacates_a_seat(client, office_clerk, roster, outsider):
    seat = services.add_seat(actor=None, body=roster.work_group, role=Role.MEMBER)
    in_english(client).force_login(office_clerk)

    filled = client.post(
        f"/seats/{seat.pk}/fill/",
        {"person": outsider.pk, "started_on": "2025-09-01", "note": "任命"},
        follow=True,
    )

    assert filled.redirect_chain == [("/bodies/work-group/", 302)]
    assert '<li class="success">Seat filled.</li>' in filled.text
    appointment = Appointment.objects.get(seat=seat)
    assert (appointment.person, str(appointment.started_on), appointment.note) == (
        outsider,
        "2025-09-01",
        "任命",
    )
    assert "访客" in holders(filled)

    vacated = client.post(
        f"/seats/{seat.pk}/vacate/", {"ended_on": "2025-10-01", "confirmed": "on"}, follow=True
    )

    assert '<li class="success">Seat vacated.</li>' in vacated.text
    appointment.refresh_from_db()
    assert str(appointment.ended_on) == "2025-10-01"
    assert BodyUserObjectPermission.objects.filter(user=outsider).count() == 0


def test_office_clerk_adds_a_seat(client, office_clerk, roster):
    in_english(client).force_login(office_clerk)

    response = client.post(
        "/bodies/work-group/seats/add/", {"role": Role.MEMBER, "ex_officio": "图书馆馆长"}
    )

    assert messages_of(response) == [("success", "Seat added.")]
    seat = roster.work_group.seats.order_by("-id").first()
    assert (seat.role, seat.ex_officio, seat.order) == (Role.MEMBER, "图书馆馆长", 10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"started_on": "2025-09-01"}, "Person: This field is required."),
        ({"person": "{outsider}", "started_on": "2025-13-45"}, "From: Enter a valid date."),
        ({"person": "999999", "started_on": "2025-09-01"}, "Person: Select a valid choice."),
    ],
    ids=["missing person", "invalid date", "unknown person"],
)
def test_bad_fill_input_gives_a_message_and_changes_nothing(
    client, office_clerk, roster, outsider, data, message
):
    seat = services.add_seat(actor=None, body=roster.work_group, role=Role.MEMBER)
    in_english(client).force_login(office_clerk)
    before = state()

    response = client.post(
        f"/seats/{seat.pk}/fill/",
        {key: value.format(outsider=outsider.pk) for key, value in data.items()},
    )

    assert response["Location"] == "/bodies/work-group/"
    assert messages_of(response)[0][0] == "error"
    assert messages_of(response)[0][1].startswith(message)
    assert state() == before


def test_filling_a_held_seat_gives_the_roster_error_and_changes_nothing(
    client, office_clerk, roster, outsider
):
    seat = held_seat(roster.leading_group, "阎祖书")
    in_english(client).force_login(office_clerk)
    before = state()

    response = client.post(
        f"/seats/{seat.pk}/fill/", {"person": outsider.pk, "started_on": "2025-09-01"}
    )

    assert messages_of(response) == [("error", "This seat is held by 阎祖书; vacate it first.")]
    assert state() == before


@pytest.mark.parametrize(
    ("ended_on", "message"),
    [
        ("2024-08-31", "An appointment cannot end before it started."),
        ("", "First day no longer held: This field is required."),
    ],
)
def test_bad_vacate_gives_a_message_and_changes_nothing(
    client, office_clerk, roster, ended_on, message
):
    seat = held_seat(roster.leading_group, "阎祖书")
    in_english(client).force_login(office_clerk)
    before = state()

    response = client.post(f"/seats/{seat.pk}/vacate/", {"ended_on": ended_on, "confirmed": "on"})

    assert messages_of(response) == [("error", message)]
    assert state() == before


def test_an_eighth_expert_seat_is_refused_with_the_art_6_message(client, office_clerk, roster):
    for _ in range(7):
        services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)
    in_english(client).force_login(office_clerk)
    before = state()

    response = client.post("/bodies/expert-panel/seats/add/", {"role": Role.EXPERT})

    assert messages_of(response) == [
        ("error", "The Expert Panel already has 7 seats; Art. 6 allows 5 to 7 experts.")
    ]
    assert state() == before


# --- Language -------------------------------------------------------------------------------


def test_switching_to_english_shows_english_body_names(client, member):
    client.force_login(member)
    assert "<h1>信息化工作领导小组</h1>" in client.get(LG_URL).text

    switched = client.post("/i18n/setlang/", {"language": "en", "next": LG_URL})
    response = client.get(LG_URL)

    assert switched["Location"] == LG_URL
    assert '<html lang="en">' in response.text
    assert "<h1>Informatization Leading Group</h1>" in response.text
    assert "<h1>Informatization Work Group</h1>" in client.get("/bodies/work-group/").text
