"""Every POST form endpoint, as every role, with input from hypothesis: never a 500, and a
refused request changes nothing (the row counts of the portal's tables, the audit chain's
head). A request counts as accepted only when it answers 302 with a success message.

The world is the meeting grid's (tests/meetings/test_meeting_permissions.py) plus a few seats;
each request runs in a savepoint rolled back afterwards, so every example meets the same world.
A few examples per endpoint and role keep it under a minute.
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infogov.models import AuditEntry
from members import services as roster_services
from members.models import Role, Seat, Unit, UnitRole

# The meetings grid's world and its fixtures, shared rather than copied.
from tests.meetings.conftest import bare_draft, convened, draft, starts_at  # noqa: F401
from tests.meetings.test_meeting_permissions import GRID as MEETING_GRID
from tests.meetings.test_meeting_permissions import world  # noqa: F401

ROLES = ["anonymous", "outsider", "member", "deputy", "leader", "office_clerk", "expert", "admin"]
EXAMPLES = 2  # per endpoint and role: ~40 endpoints x 8 roles
COUNTED_APPS = ("members", "meetings", "infogov", "guardian")
# What a refusal itself records, on purpose: a quorum gate that failed, with its numbers
# (R-MEET-2), and a signature refused for a wrong password (R-MIN-3). Nothing else.
REFUSAL_RECORDS = {"meetings.QuorumCheck"}
REFUSAL_ACTIONS = {"minutes.sign_refused"}


@dataclass
class Seats:
    vacant: Seat
    held: Seat
    leader: Seat
    unit_vacant: Seat
    unit_held: Seat


@pytest.fixture
def seats(roster) -> Seats:
    return Seats(
        vacant=roster_services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER),
        held=Seat.objects.get(body=roster.leading_group, appointments__person__username="yanzushu"),
        leader=Seat.objects.get(body=roster.leading_group, role=Role.LEADER),
        unit_vacant=roster_services.add_seat(
            actor=None, unit=Unit.objects.get(code="finance"), role=UnitRole.LIAISON
        ),
        unit_held=Seat.objects.get(unit__code="netc", role=UnitRole.HEAD),
    )


# (name, url from the world and the seats, valid data from them): the roster's and the
# account's POST endpoints; the meetings' come from their grid.
OTHER_POSTS = [
    ("seat add", lambda w, s: "/bodies/leading-group/seats/add/", lambda w, s: {"role": "member"}),
    (
        "seat fill",
        lambda w, s: f"/seats/{s.vacant.pk}/fill/",
        lambda w, s: {"person": w.outsider.pk, "started_on": "2025-09-01"},
    ),
    (
        "seat vacate",
        lambda w, s: f"/seats/{s.held.pk}/vacate/",
        lambda w, s: {"ended_on": "2025-09-01"},
    ),
    (
        "leader vacate",
        lambda w, s: f"/seats/{s.leader.pk}/vacate/",
        lambda w, s: {
            "ended_on": "2025-09-01",
            "document_number": "校任〔2025〕1号",
            "document_date": "2025-08-30",
        },
    ),
    (
        "unit seat add",
        lambda w, s: "/units/finance/seats/add/",
        lambda w, s: {"role": "unit_liaison"},
    ),
    (
        "unit seat fill",
        lambda w, s: f"/units/finance/seats/{s.unit_vacant.pk}/fill/",
        lambda w, s: {"person": w.outsider.pk, "started_on": "2025-09-01"},
    ),
    (
        "unit seat vacate",
        lambda w, s: f"/units/netc/seats/{s.unit_held.pk}/vacate/",
        lambda w, s: {"ended_on": "2025-09-01"},
    ),
    ("login", lambda w, s: "/login/", lambda w, s: {"login": "yanzushu", "password": "x"}),
    (
        "password change",
        lambda w, s: "/password/change/",
        lambda w, s: {"oldpassword": "x", "password1": "y", "password2": "y"},
    ),
    ("password reset", lambda w, s: "/password/reset/", lambda w, s: {"email": "a@example.org"}),
    ("set language", lambda w, s: "/i18n/setlang/", lambda w, s: {"language": "en"}),
    ("calendar token issue", lambda w, s: "/calendar/token/", lambda w, s: {}),
    ("calendar token revoke", lambda w, s: "/calendar/token/revoke/", lambda w, s: {}),
]
ENDPOINTS = [
    (name, (lambda u: lambda w, s: u(w))(url), (lambda d: lambda w, s: d(w))(data))
    for name, method, url, data, _statuses in MEETING_GRID
    if method == "POST"
] + OTHER_POSTS

FIELDS = [
    "body", "kind", "title", "starts_at", "ends_at", "location", "reason", "person", "note",
    "response", "text", "method", "basis", "threshold", "choice", "motion", "forward_to",
    "outcome", "narrative", "comments", "password", "role", "ex_officio", "started_on",
    "ended_on", "document_number", "document_date", "is_major", "presenter_unit", "file",
]  # fmt: skip
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "0001-01-01",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "2026-02-30",
        "9223372036854775808",
        "-1",
        "标题\r\nBcc: all@example.org",
        "\u202e反转\u202c",
        "x" * 5000,
        "\x00",
        "leader",
        "deputy",
        "approved",
        "presidents_office",
        "yes",
        "secret",
        "two_thirds",
        "cast",
    ]
)
VALUES = st.one_of(
    NASTY_TEXT,
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
)


def counts() -> dict[str, object]:
    """Row counts of the portal's tables, and the last audit entry's id."""
    found: dict[str, object] = {
        model._meta.label: model._default_manager.count()
        for label in COUNTED_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label not in REFUSAL_RECORDS | {AuditEntry._meta.label}
    }
    found["audit head"] = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    return found


def _changes(before: dict, after: dict) -> list[str]:
    changed = sorted(k for k in after if k != "audit head" and after[k] != before[k])
    if after["audit head"] != before["audit head"]:
        since = before["audit head"]
        actions = set(AuditEntry.objects.filter(id__gt=since).values_list("action", flat=True))
        changed += sorted(actions - REFUSAL_ACTIONS)
    return changed


def _post(client, person, url: str, data: dict) -> tuple[int, bool, list[str]]:
    """POST as ``person`` in a savepoint rolled back afterwards; return the status, whether it
    was accepted (302 with a success message) and what changed."""
    client.cookies.clear()
    with transaction.atomic():
        if person is not None:
            client.force_login(person)
        before = counts()
        response = client.post(url, data)
        changed = _changes(before, counts())
        levels = {m.level_tag for m in get_messages(response.wsgi_request)}
        transaction.set_rollback(True)
    accepted = response.status_code == 302 and "success" in levels and "error" not in levels
    return response.status_code, accepted, changed


def _fuzz(client, person, role: str, name: str, url: str, valid: dict, problems: list) -> None:
    """Run EXAMPLES hypothesis examples against one endpoint as one person."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        keep=st.sets(st.sampled_from(sorted(valid) or ["-"])),
        extra=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=4),
    )
    def check(keep, extra):
        data = {k: v for k, v in valid.items() if k in keep} | extra
        if "file" in data and not hasattr(data["file"], "read"):
            data["file"] = ContentFile(str(data["file"]).encode(), name="f.txt")
        status, accepted, changed = _post(client, person, url, data)
        if status >= 500:
            problems.append(f"{name} as {role}: {status} for {data!r}")
        elif changed and not accepted:
            problems.append(f"{name} as {role}: refused ({status}) but changed {changed} {data!r}")

    check()


@pytest.mark.parametrize("role", ROLES)
def test_no_post_gives_a_500_and_a_refused_one_changes_nothing(request, client, world, seats, role):  # noqa: F811
    person = None if role == "anonymous" else request.getfixturevalue(role)
    problems: list[str] = []

    for name, url_of, data_of in ENDPOINTS:
        _fuzz(client, person, role, name, url_of(world, seats), data_of(world, seats), problems)

    assert problems == []


def test_every_post_endpoint_is_fuzzed():
    from tests.test_permissions import GRID as ROSTER_GRID

    names = {name for name, *_ in ENDPOINTS}
    assert len(ENDPOINTS) == len(names)
    posted_roster = {
        name for name, method, path, *_ in ROSTER_GRID if method == "post" and "999999" not in path
    }
    # logout posts no form data; every other roster and account POST is fuzzed here.
    assert posted_roster - {"logout"} <= {
        "set_language",
        "members:seat_add",
        "members:seat_fill",
        "members:seat_vacate",
        "members:unit_seat_add",
        "members:unit_seat_fill",
        "members:unit_seat_vacate",
        "members:calendar_token_issue",
        "members:calendar_token_revoke",
    }
    assert len([r for r in MEETING_GRID if r[1] == "POST"]) == len(ENDPOINTS) - len(OTHER_POSTS)
