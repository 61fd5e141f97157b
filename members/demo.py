"""Demo logins for `make run` only; a production install never runs this.

The leader, deputy and member logins open annex people (孙其信, 赵曼, 阎祖书) so that the
Leading Group of the annex can be tried end to end without changing who sits in it, and every
other seated member of the Leading Group and the Work Group gets the demo password too (a
named vote needs 9 of 16); the other roles are fictional people whose names say they are demo
accounts.
"""

from typing import Any

from django.db import transaction

from members import services
from members.models import Body, Role, Seat, Unit, UnitRole, User

DEMO_PASSWORD = "infogov-demo"

# (username, role label, full name or None for an annex person, unit code)
DEMO_ACCOUNTS = [
    ("sunqixin", "leader", None, None),
    ("zhaoman", "deputy", None, None),
    ("yanzushu", "member", None, None),
    ("demo-clerk", "office clerk", "演示·办公室秘书", "netc"),
    ("demo-expert", "expert", "演示·校外专家", None),
    ("demo-liaison", "unit liaison", "演示·计财处联络员", "finance"),
    ("demo-outsider", "outsider", "演示·访客", None),
    ("demo-admin", "admin", "演示·系统管理员", "netc"),
]


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo logins and their seats; idempotent. Returns (username, role, name)."""
    units = {unit.code: unit for unit in Unit.objects.all()}
    rows = []
    for username, role, full_name, unit_code in DEMO_ACCOUNTS:
        if full_name is None:
            person = User.objects.get(username=username)  # loaded by load_roster
        else:
            person, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "unit": units.get(unit_code) if unit_code else None,
                    "title": "演示账号",
                },
            )
        if role == "admin" and not person.is_superuser:
            person.is_staff = person.is_superuser = True
        if not person.check_password(DEMO_PASSWORD):
            person.set_password(DEMO_PASSWORD)
        person.save()
        rows.append((username, role, person.full_name))

    # Every seated member of the Leading Group and the Work Group signs in too, so that the
    # demo can pass a named vote that needs 9 yes votes of 16 from the members' own phones.
    named = {username for username, *_ in DEMO_ACCOUNTS}
    members = (
        User.objects.filter(
            appointments__ended_on__isnull=True,
            appointments__seat__body__kind__in=[Body.Kind.LEADING_GROUP, Body.Kind.WORK_GROUP],
        )
        .exclude(username__in=named)
        .distinct()
        .order_by("username")
    )
    for person in members:
        if not person.check_password(DEMO_PASSWORD):
            person.set_password(DEMO_PASSWORD)
            person.save(update_fields=["password"])
        rows.append((person.username, "member", person.full_name))

    office = Body.objects.get(kind=Body.Kind.OFFICE)
    panel = Body.objects.get(kind=Body.Kind.EXPERT_PANEL)
    # (whose seat: {"body": ...} or {"unit": ...}, role, username)
    demo_seats: list[tuple[dict[str, Any], str, str]] = [
        ({"body": office}, Role.OFFICE_STAFF, "demo-clerk"),
        ({"body": panel}, Role.EXPERT, "demo-expert"),
        # A unit's liaison: acknowledges and reports for Finance (Art. 10).
        ({"unit": units["finance"]}, UnitRole.LIAISON, "demo-liaison"),
    ]
    for owner, role, username in demo_seats:
        person = User.objects.get(username=username)
        seats = Seat.objects.filter(**owner)
        if not seats.filter(appointments__person=person).exists():
            seat = seats.filter(role=role, appointments__isnull=True).first() or services.add_seat(
                actor=None, role=role, **owner
            )
            services.fill_seat(actor=None, seat=seat, person=person, note="演示数据")
    return rows
