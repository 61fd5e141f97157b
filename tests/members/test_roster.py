"""R-ORG-3: a fresh install loads exactly the annex of the regulation."""

from django.apps import apps
from django.core.management import call_command

from infogov.models import AuditEntry
from members import demo, permissions, services
from members.models import Appointment, Body, Duty, Role, Seat, Unit, UnitRole, User
from tests.conftest import ROSTER_DAY

# Written out from the regulation (DOMAIN.md, Art. 3 and the annex), not from members.roster.
ANNEX_LG_MEMBERS = {
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
ANNEX_WG_MEMBERS = {"阎祖书", "胡信生", "张岁平", "张晓丽", "王西军", "郭向平"}
ANNEX_PEOPLE = {"孙其信", "赵曼"} | ANNEX_LG_MEMBERS | ANNEX_WG_MEMBERS
ART3_UNITS = {
    "党委校长办公室",
    "网络与教育技术中心",
    "宣传部",
    "教务处",
    "研究生院",
    "科学技术发展研究院",
    "学生处",
    "人事处",
    "计划财务处",
    "国资管理处",
    "基建规划处",
    "后勤处",
    "保卫处",
    "图书馆",
}


def seated(body: Body) -> set[tuple[str, str]]:
    return set(Appointment.objects.seated_in(body).values_list("seat__role", "person__full_name"))


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_roster_has_nineteen_distinct_people(roster):
    names = list(User.objects.values_list("full_name", flat=True))

    assert len(ANNEX_PEOPLE) == 19
    assert sorted(names) == sorted(ANNEX_PEOPLE)


def test_roster_has_the_fourteen_member_units_of_art_3(roster):
    units = Unit.objects.all()

    assert {unit.name for unit in units} == ART3_UNITS
    assert [unit.is_member_unit for unit in units] == [True] * 14


def test_roster_sets_up_four_bodies_under_the_leading_group(roster):
    bodies = {body.kind: body for body in Body.objects.select_related("parent", "host_unit")}

    assert set(bodies) == set(Body.Kind.values)
    assert bodies[Body.Kind.LEADING_GROUP].parent is None
    assert bodies[Body.Kind.WORK_GROUP].parent == roster.leading_group
    assert bodies[Body.Kind.OFFICE].parent == roster.leading_group
    assert bodies[Body.Kind.EXPERT_PANEL].parent == roster.leading_group
    # Art. 5: the Office sits in NETC.
    assert bodies[Body.Kind.OFFICE].host_unit.name == "网络与教育技术中心"
    assert [b.host_unit for k, b in bodies.items() if k != Body.Kind.OFFICE] == [None] * 3


def test_leading_group_seats_leader_deputy_and_fourteen_members(roster):
    lg = seated(roster.leading_group)

    assert len(lg) == 16
    assert lg == {(Role.LEADER, "孙其信"), (Role.DEPUTY, "赵曼")} | {
        (Role.MEMBER, name) for name in ANNEX_LG_MEMBERS
    }


def test_work_group_seats_leader_two_deputies_and_six_members(roster):
    wg = seated(roster.work_group)

    assert len(wg) == 9
    assert wg == {
        (Role.LEADER, "赵曼"),
        (Role.DEPUTY, "马博虎"),
        (Role.DEPUTY, "李力"),
    } | {(Role.MEMBER, name) for name in ANNEX_WG_MEMBERS}


def test_office_director_is_the_netc_director(roster):
    assert seated(roster.office) == {(Role.OFFICE_DIRECTOR, "李力")}


def test_expert_panel_starts_empty(roster):
    assert roster.expert_panel.seats.count() == 0
    assert seated(roster.expert_panel) == set()


def test_roster_appointments_start_on_the_day_given(roster):
    assert set(Appointment.objects.values_list("started_on", "ended_on")) == {(ROSTER_DAY, None)}
    # The bodies' 26, and the heads of NETC and of the Party & President's Office.
    assert Appointment.objects.count() == 16 + 9 + 1 + 2


def test_every_member_unit_has_one_head_seat_and_no_liaison_seat(roster):
    seats = list(Seat.objects.filter(unit__isnull=False).values_list("unit__name", "role"))

    assert sorted(seats) == sorted((name, UnitRole.HEAD) for name in ART3_UNITS)


def test_unit_heads_are_seated_only_where_the_annex_names_them(roster):
    heads = {
        unit.code: [a.person.full_name for a in Appointment.objects.seated_in_unit(unit)]
        for unit in Unit.objects.all()
    }

    assert {code: names for code, names in heads.items() if names} == {
        "president-office": ["马博虎"],
        "netc": ["李力"],
    }
    assert len(heads) == 14


def test_no_name_keeps_the_annex_alignment_padding(roster):
    names = User.objects.values_list("full_name", flat=True)

    assert [name for name in names if "".join(name.split()) != name] == []


def test_units_are_left_empty_where_the_annex_does_not_say(roster):
    units = dict(User.objects.values_list("full_name", "unit__code"))

    assert {name: code for name, code in units.items() if code} == {
        "马博虎": "president-office",
        "李力": "netc",
    }
    assert [units[name] for name in ANNEX_PEOPLE - {"马博虎", "李力"}] == [None] * 17


def test_bodies_carry_their_duties_of_art_7_8_9_and_11(roster):
    duties = {
        body.code: list(body.duties.values_list("article", "item")) for body in Body.objects.all()
    }

    assert duties == {
        "leading-group": [(7, item) for item in range(1, 6)],
        "work-group": [(8, item) for item in range(1, 7)],
        "office": [(9, item) for item in range(1, 4)],
        "expert-panel": [(11, item) for item in range(1, 5)],
    }


def test_units_of_art_10_carry_their_five_duties(roster):
    duties = set(
        Duty.objects.filter(unit__isnull=False).values_list("unit__name", "article", "item")
    )

    assert duties == {
        ("党委校长办公室", 10, 1),
        ("宣传部", 10, 2),
        ("计划财务处", 10, 3),
        ("国资管理处", 10, 4),
        ("网络与教育技术中心", 10, 5),
    }


def test_loading_the_roster_twice_changes_nothing(roster):
    before = table_counts()
    audit_before = list(AuditEntry.objects.values_list("pk", flat=True))

    result = services.load_roster(on=ROSTER_DAY)

    assert not result
    assert result.created == []
    assert table_counts() == before
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == audit_before


def test_load_roster_command_reports_a_second_run_as_nothing_changed(fresh_install, capsys):
    call_command("load_roster")
    first = capsys.readouterr().out
    call_command("load_roster")
    second = capsys.readouterr().out

    # 14 units, 5 unit duties, 4 bodies, 18 body duties, 19 people, 26 seats and 26
    # appointments in bodies, 14 unit head seats and 2 appointments to them
    assert first == "Roster loaded: 128 records created.\n"
    assert second == "Roster already loaded: nothing changed.\n"


def test_load_roster_does_not_reseat_a_seat_the_office_vacated(roster):
    seat = Appointment.objects.get(seat__body=roster.leading_group, person__full_name="阎祖书").seat
    services.vacate_seat(actor=None, seat=seat, ended_on=ROSTER_DAY.replace(year=2025))

    result = services.load_roster(on=ROSTER_DAY)

    assert not result
    assert seat.appointments.count() == 1
    assert Appointment.objects.seated_in(roster.leading_group).count() == 15


def test_load_roster_records_one_audit_entry_with_its_actor(fresh_install, admin):
    services.load_roster(actor=admin, on=ROSTER_DAY)

    loaded = AuditEntry.objects.get(action="roster.loaded")
    assert (loaded.actor, loaded.object_type, loaded.object_repr) == (
        admin,
        "members.Body",
        "信息化工作领导小组",
    )
    assert len(loaded.after["created"]) == 128
    assert AuditEntry.objects.filter(action="seat.filled", actor=admin).count() == 28


def test_load_roster_alone_gives_no_one_a_usable_password(roster):
    assert [u.has_usable_password() for u in User.objects.all()] == [False] * 19


def test_load_demo_creates_the_demo_logins(roster):
    rows = demo.load_demo()

    named = [(username, role) for username, role, _name, _unit in demo.DEMO_ACCOUNTS]
    assert [(username, role) for username, role, _name in rows[:8]] == named
    # Every other seated member of the Leading Group and the Work Group signs in too: all 19
    # annex people, so that a named vote can reach the 9 yes votes of 16 it needs.
    assert {role for _username, role, _name in rows[8:]} == {"member"}
    logins = User.objects.filter(username__in=[row[0] for row in rows])
    assert [u.check_password(demo.DEMO_PASSWORD) for u in logins] == [True] * (8 + 16)
    assert not User.objects.exclude(username__in=[row[0] for row in rows]).exists()
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "demo-admin"
    ]
    assert seated(roster.office) == {
        (Role.OFFICE_DIRECTOR, "李力"),
        (Role.OFFICE_STAFF, "演示·办公室秘书"),
    }
    assert seated(roster.expert_panel) == {(Role.EXPERT, "演示·校外专家")}
    # The demo opens annex people without changing who sits in the Leading Group.
    assert len(seated(roster.leading_group)) == 16
    finance = Unit.objects.get(code="finance")
    assert set(
        Appointment.objects.seated_in_unit(finance).values_list("seat__role", "person__username")
    ) == {(UnitRole.LIAISON, "demo-liaison")}
    liaison = User.objects.get(username="demo-liaison")
    assert permissions.units_acting_for(liaison) == {finance.pk}
    assert permissions.may_act_for_duty(liaison, "funding") is True
    assert permissions.may_act_for_duty(liaison, "tender") is False


def test_load_demo_is_idempotent(roster):
    demo.load_demo()
    before = table_counts()
    passwords = dict(User.objects.values_list("username", "password"))

    demo.load_demo()

    assert table_counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords


def test_load_demo_command_prints_the_logins(fresh_install, capsys):
    """The first step of `make run`, on a new install: it loads the roster, then the demo."""
    call_command("load_demo")

    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Demo logins (password: infogov-demo):"
    assert "  office clerk  demo-clerk      演示·办公室秘书" in out.splitlines()
    assert Seat.objects.filter(appointments__person__username="demo-clerk").count() == 1
