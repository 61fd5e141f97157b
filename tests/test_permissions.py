"""Every URL × every role → the expected status; a denied request changes nothing.

Permissions come from seats alone (members.permissions): the superuser administers the site
through Django admin, and records the university's appointments to leader and deputy seats
(R-ORG-4), which the Office may not.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from infogov.models import AuditEntry
from members import services
from members.models import (
    Appointment,
    BodyUserObjectPermission,
    Role,
    Seat,
    Unit,
    UnitRole,
    UnitUserObjectPermission,
    User,
)
from tests.factories import UserFactory

ROLES = ["anonymous", "outsider", "member", "deputy", "leader", "expert", "office_clerk", "admin"]
SIGNED_IN = ROLES[1:]
TODAY = "2025-09-01"


def login_redirect(path: str) -> tuple[int, str]:
    return 302, f"/login/?next={path}"


def admin_login_redirect(path: str) -> tuple[int, str]:
    return 302, f"/admin/login/?next={path}"


def page(path):
    """A roster page: open to every signed-in person."""
    return {"anonymous": login_redirect(path)} | dict.fromkeys(SIGNED_IN, (200, None))


def missing(path):
    return {"anonymous": login_redirect(path)} | dict.fromkeys(SIGNED_IN, (404, None))


def seat_change(path, success):
    """Art. 9: only the Office keeps the roster."""
    return (
        {"anonymous": login_redirect(path)}
        | dict.fromkeys(SIGNED_IN, (403, None))
        | {"office_clerk": (302, success)}
    )


def body_seat_change(path, success):
    """Art. 9, R-ORG-4: the Office keeps a body's seats, and an administrator may too (and alone
    keeps the leader's and the deputies', which the service refuses the Office with a
    message)."""
    return seat_change(path, success) | {"admin": (302, success)}


def post_only(path):
    return {"anonymous": login_redirect(path)} | dict.fromkeys(SIGNED_IN, (405, None))


def admin_page(path, admin_status=200):
    return dict.fromkeys(ROLES, admin_login_redirect(path)) | {"admin": (admin_status, None)}


def everyone(status, location=None):
    return dict.fromkeys(ROLES, (status, location))


def signed_in(status, location=None):
    return dict.fromkeys(SIGNED_IN, (status, location))


def anonymous(status, location=None):
    return {"anonymous": (status, location)}


def behind_login(path, signed_in_expected):
    """Anonymous is sent to log in; everyone signed in gets ``signed_in_expected``."""
    return {"anonymous": login_redirect(path)} | dict.fromkeys(SIGNED_IN, signed_in_expected)


LG_URL = "/bodies/leading-group/"
FINANCE_URL = "/units/finance/"

# (url name, method, path; {vacant}, {held}, {leader} are filled in per test, data, expected)
GRID = [
    ("dashboard", "get", "/", None, page("/")),
    (
        "login",
        "get",
        "/login/",
        None,
        {"anonymous": (200, None)} | dict.fromkeys(SIGNED_IN, (302, "/")),
    ),
    ("logout", "post", "/logout/", None, everyone(302, "/login/")),
    (
        "set_language",
        "post",
        "/i18n/setlang/",
        {"language": "en", "next": "/bodies/"},
        everyone(302, "/bodies/"),
    ),
    ("healthz", "get", "/healthz", None, everyone(200)),
    ("members:body_list", "get", "/bodies/", None, page("/bodies/")),
    ("members:body_detail", "get", LG_URL, None, page(LG_URL)),
    ("members:body_detail", "get", "/bodies/work-group/", None, page("/bodies/work-group/")),
    ("members:body_detail", "get", "/bodies/office/", None, page("/bodies/office/")),
    ("members:body_detail", "get", "/bodies/expert-panel/", None, page("/bodies/expert-panel/")),
    ("members:body_detail", "get", "/bodies/no-such-body/", None, missing("/bodies/no-such-body/")),
    ("members:unit_list", "get", "/units/", None, page("/units/")),
    ("members:unit_detail", "get", "/units/netc/", None, page("/units/netc/")),
    ("members:unit_detail", "get", "/units/library/", None, page("/units/library/")),
    ("members:unit_detail", "get", "/units/no-such-unit/", None, missing("/units/no-such-unit/")),
    ("members:person_detail", "get", "/people/{leader}/", None, page("/people/{leader}/")),
    ("members:person_detail", "get", "/people/999999/", None, missing("/people/999999/")),
    # One's own calendar subscription: every signed-in person, for themselves only.
    (
        "members:calendar_token_issue",
        "post",
        "/calendar/token/",
        None,
        behind_login("/calendar/token/", (302, None)),
    ),
    (
        "members:calendar_token_revoke",
        "post",
        "/calendar/token/revoke/",
        None,
        behind_login("/calendar/token/revoke/", (302, None)),
    ),
    (
        "members:seat_add",
        "post",
        "/bodies/leading-group/seats/add/",
        {"role": Role.MEMBER},
        body_seat_change("/bodies/leading-group/seats/add/", LG_URL),
    ),
    (
        "members:seat_add",
        "post",
        "/bodies/no-such-body/seats/add/",
        {"role": Role.MEMBER},
        missing("/bodies/no-such-body/seats/add/"),
    ),
    (
        "members:seat_add",
        "get",
        "/bodies/leading-group/seats/add/",
        None,
        post_only("/bodies/leading-group/seats/add/"),
    ),
    (
        "members:seat_fill",
        "post",
        "/seats/{vacant}/fill/",
        {"person": "{candidate}", "started_on": TODAY},
        body_seat_change("/seats/{vacant}/fill/", LG_URL),
    ),
    (
        "members:seat_fill",
        "post",
        "/seats/999999/fill/",
        {"person": "{candidate}", "started_on": TODAY},
        missing("/seats/999999/fill/"),
    ),
    ("members:seat_fill", "get", "/seats/{vacant}/fill/", None, post_only("/seats/{vacant}/fill/")),
    (
        "members:seat_vacate",
        "post",
        "/seats/{held}/vacate/",
        {"ended_on": TODAY, "confirmed": "on"},
        body_seat_change("/seats/{held}/vacate/", LG_URL),
    ),
    # R-ORG-4: the leader's seat: the Office is refused with a message, the administrator
    # vacates it citing the document; a second leader's seat is refused to both.
    (
        "members:seat_vacate",
        "post",
        "/seats/{leader_seat}/vacate/",
        {
            "ended_on": TODAY,
            "confirmed": "on",
            "document_number": "校任〔2025〕9号",
            "document_date": TODAY,
        },
        body_seat_change("/seats/{leader_seat}/vacate/", LG_URL),
    ),
    (
        "members:seat_add",
        "post",
        "/bodies/work-group/seats/add/",
        {"role": Role.LEADER},
        body_seat_change("/bodies/work-group/seats/add/", "/bodies/work-group/"),
    ),
    (
        "members:seat_vacate",
        "post",
        "/seats/999999/vacate/",
        {"ended_on": TODAY, "confirmed": "on"},
        missing("/seats/999999/vacate/"),
    ),
    (
        "members:seat_vacate",
        "get",
        "/seats/{held}/vacate/",
        None,
        post_only("/seats/{held}/vacate/"),
    ),
    # A unit's seat is not a body's: not found on the bodies' URLs.
    (
        "members:seat_fill",
        "post",
        "/seats/{unit_vacant}/fill/",
        {"person": "{candidate}", "started_on": TODAY},
        missing("/seats/{unit_vacant}/fill/"),
    ),
    (
        "members:seat_vacate",
        "post",
        "/seats/{unit_held}/vacate/",
        {"ended_on": TODAY, "confirmed": "on"},
        missing("/seats/{unit_held}/vacate/"),
    ),
    # Art. 9: the Office keeps the units' seats too.
    (
        "members:unit_seat_add",
        "post",
        "/units/finance/seats/add/",
        {"role": UnitRole.LIAISON},
        seat_change("/units/finance/seats/add/", FINANCE_URL),
    ),
    (
        "members:unit_seat_add",
        "post",
        "/units/no-such-unit/seats/add/",
        {"role": UnitRole.LIAISON},
        missing("/units/no-such-unit/seats/add/"),
    ),
    (
        "members:unit_seat_add",
        "get",
        "/units/finance/seats/add/",
        None,
        post_only("/units/finance/seats/add/"),
    ),
    (
        "members:unit_seat_fill",
        "post",
        "/units/finance/seats/{unit_vacant}/fill/",
        {"person": "{candidate}", "started_on": TODAY},
        seat_change("/units/finance/seats/{unit_vacant}/fill/", FINANCE_URL),
    ),
    (
        "members:unit_seat_fill",
        "post",
        "/units/netc/seats/{unit_vacant}/fill/",
        {"person": "{candidate}", "started_on": TODAY},
        missing("/units/netc/seats/{unit_vacant}/fill/"),
    ),
    (
        "members:unit_seat_fill",
        "post",
        "/units/finance/seats/{vacant}/fill/",
        {"person": "{candidate}", "started_on": TODAY},
        missing("/units/finance/seats/{vacant}/fill/"),
    ),
    (
        "members:unit_seat_fill",
        "get",
        "/units/finance/seats/{unit_vacant}/fill/",
        None,
        post_only("/units/finance/seats/{unit_vacant}/fill/"),
    ),
    (
        "members:unit_seat_vacate",
        "post",
        "/units/netc/seats/{unit_held}/vacate/",
        {"ended_on": TODAY, "confirmed": "on"},
        seat_change("/units/netc/seats/{unit_held}/vacate/", "/units/netc/"),
    ),
    (
        "members:unit_seat_vacate",
        "post",
        "/units/netc/seats/999999/vacate/",
        {"ended_on": TODAY, "confirmed": "on"},
        missing("/units/netc/seats/999999/vacate/"),
    ),
    (
        "members:unit_seat_vacate",
        "get",
        "/units/netc/seats/{unit_held}/vacate/",
        None,
        post_only("/units/netc/seats/{unit_held}/vacate/"),
    ),
    # Signing in (django-allauth): the account pages, then two-factor authentication.
    (
        "account_login",
        "get",
        "/login/",
        None,
        {"anonymous": (200, None)} | dict.fromkeys(SIGNED_IN, (302, "/")),
    ),
    ("account_logout", "get", "/logout/", None, signed_in(200) | anonymous(302, "/login/")),
    ("account_inactive", "get", "/inactive/", None, everyone(200)),
    # Nobody signs up: the page says so.
    ("account_signup", "get", "/signup/", None, signed_in(302, "/") | anonymous(200)),
    ("account_reauthenticate", "get", "/reauthenticate/", None, page("/reauthenticate/")),
    (
        "account_request_reauthentication_code",
        "get",
        "/reauthenticate/code/",
        None,
        behind_login("/reauthenticate/code/", (302, "/reauthenticate/")),
    ),
    (
        "account_confirm_reauthentication_code",
        "get",
        "/reauthenticate/code/confirm/",
        None,
        behind_login("/reauthenticate/code/confirm/", (302, "/reauthenticate/code/")),
    ),
    ("account_email", "get", "/email/", None, page("/email/")),
    ("account_email_verification_sent", "get", "/confirm-email/", None, everyone(200)),
    ("account_confirm_email", "get", "/confirm-email/no-such-key/", None, everyone(200)),
    ("account_change_password", "get", "/password/change/", None, page("/password/change/")),
    (
        "account_set_password",
        "get",
        "/password/set/",
        None,
        behind_login("/password/set/", (302, "/password/change/")),
    ),
    ("account_reset_password", "get", "/password/reset/", None, everyone(200)),
    ("account_reset_password_done", "get", "/password/reset/done/", None, everyone(200)),
    # A wrong key: the page says the link is not valid.
    ("account_reset_password_from_key", "get", "/password/reset/key/1-no/", None, everyone(200)),
    (
        "account_reset_password_from_key_done",
        "get",
        "/password/reset/key/done/",
        None,
        everyone(200),
    ),
    (
        "account_confirm_login_code",
        "get",
        "/login/code/confirm/",
        None,
        signed_in(302, "/") | anonymous(302, "/login/"),
    ),
    ("mfa_index", "get", "/2fa/", None, page("/2fa/")),
    (
        "mfa_authenticate",
        "get",
        "/2fa/authenticate/",
        None,
        signed_in(302, "/") | anonymous(302, "/login/"),
    ),
    # force_login gave no password: setting up asks for it first.
    (
        "mfa_activate_totp",
        "get",
        "/2fa/totp/activate/",
        None,
        signed_in(302, "/reauthenticate/?next=%2F2fa%2Ftotp%2Factivate%2F")
        | anonymous(302, "/login/?next=%2F2fa%2Ftotp%2Factivate%2F"),
    ),
    # Nobody here has an authenticator yet: nothing to confirm with, remove or show.
    (
        "mfa_reauthenticate",
        "get",
        "/2fa/reauthenticate/",
        None,
        behind_login("/2fa/reauthenticate/", (302, "/reauthenticate/")),
    ),
    (
        "mfa_deactivate_totp",
        "get",
        "/2fa/totp/deactivate/",
        None,
        behind_login("/2fa/totp/deactivate/", (404, None)),
    ),
    (
        "mfa_view_recovery_codes",
        "get",
        "/2fa/recovery-codes/",
        None,
        behind_login("/2fa/recovery-codes/", (404, None)),
    ),
    (
        "mfa_download_recovery_codes",
        "get",
        "/2fa/recovery-codes/download/",
        None,
        behind_login("/2fa/recovery-codes/download/", (404, None)),
    ),
    (
        "mfa_generate_recovery_codes",
        "get",
        "/2fa/recovery-codes/generate/",
        None,
        signed_in(302, "/reauthenticate/?next=%2F2fa%2Frecovery-codes%2Fgenerate%2F")
        | anonymous(302, "/login/?next=%2F2fa%2Frecovery-codes%2Fgenerate%2F"),
    ),
    ("admin:index", "get", "/admin/", None, admin_page("/admin/")),
    *[
        (
            f"admin:{app}_{model}_changelist",
            "get",
            f"/admin/{app}/{model}/",
            None,
            admin_page(f"/admin/{app}/{model}/"),
        )
        for app, model in [
            ("members", "user"),
            ("members", "unit"),
            ("members", "body"),
            ("members", "seat"),
            ("members", "appointment"),
            ("infogov", "auditentry"),
            ("auth", "group"),
            # Sign-in lockouts: an administrator lifts one by deleting its access attempt.
            ("axes", "accessattempt"),
            ("axes", "accesslog"),
            ("axes", "accessfailurelog"),
            ("mfa", "authenticator"),
            ("account", "emailaddress"),
        ]
    ],
    (
        "admin:members_appointment_add",
        "get",
        "/admin/members/appointment/add/",
        None,
        admin_page("/admin/members/appointment/add/"),
    ),
    # The audit trail is append-only, for the superuser too.
    (
        "admin:infogov_auditentry_add",
        "get",
        "/admin/infogov/auditentry/add/",
        None,
        admin_page("/admin/infogov/auditentry/add/", admin_status=403),
    ),
]

CASES = [
    pytest.param(name, method, path, data, role, *expected[role], id=f"{method} {path} {role}")
    for name, method, path, data, expected in GRID
    for role in ROLES
]


@dataclass(frozen=True)
class World:
    vacant: Seat
    held: Seat
    unit_vacant: Seat
    unit_held: Seat
    candidate: User
    leader: User
    leader_seat: Seat

    def fill(self, text: str) -> str:
        return text.format(
            vacant=self.vacant.pk,
            held=self.held.pk,
            unit_vacant=self.unit_vacant.pk,
            unit_held=self.unit_held.pk,
            candidate=self.candidate.pk,
            leader=self.leader.pk,
            leader_seat=self.leader_seat.pk,
        )


@pytest.fixture
def world(roster) -> World:
    return World(
        vacant=services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER),
        held=Appointment.objects.get(
            seat__body=roster.leading_group, person__full_name="阎祖书"
        ).seat,
        unit_vacant=services.add_seat(
            actor=None, unit=Unit.objects.get(code="finance"), role=UnitRole.LIAISON
        ),
        unit_held=Seat.objects.get(unit__code="netc", role=UnitRole.HEAD),  # 李力's
        candidate=UserFactory(full_name="候选人"),
        leader=User.objects.get(full_name="孙其信"),
        leader_seat=Seat.objects.get(body=roster.leading_group, role=Role.LEADER),
    )


def snapshot() -> dict[str, int]:
    return {
        "seats": Seat.objects.count(),
        "appointments": Appointment.objects.count(),
        "open appointments": Appointment.objects.filter(ended_on__isnull=True).count(),
        "permissions": BodyUserObjectPermission.objects.count(),
        "unit permissions": UnitUserObjectPermission.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# What a person's step on their own account changes, whoever they are.
OWN_CHANGES = {"members:calendar_token_issue": {"audit": 1}, "members:calendar_token_revoke": {}}

# What a successful POST of the Office changes.
SUCCESS_CHANGES = {
    "members:seat_add": {"seats": 1, "audit": 1},
    "members:seat_fill": {"appointments": 1, "open appointments": 1, "permissions": 1, "audit": 1},
    "members:seat_vacate": {"open appointments": -1, "permissions": -1, "audit": 1},
    "members:unit_seat_add": {"seats": 1, "audit": 1},
    "members:unit_seat_fill": {
        "appointments": 1,
        "open appointments": 1,
        "unit permissions": 1,
        "audit": 1,
    },
    # 李力 no longer acts for NETC nor heads it.
    "members:unit_seat_vacate": {"open appointments": -1, "unit permissions": -2, "audit": 1},
}
# Who changes what on the rows where that is not SUCCESS_CHANGES for the Office and the
# administrator: nobody but the administrator vacates the leader (convene, sign, vote go), and
# nobody adds a second leader's seat.
ROW_CHANGES = {
    "/seats/{leader_seat}/vacate/": {
        "admin": {"open appointments": -1, "permissions": -3, "audit": 1}
    },
    "/bodies/work-group/seats/add/": {},
}
SEAT_KEEPERS = {"office_clerk", "admin"}


@pytest.mark.parametrize(("name", "method", "path", "data", "role", "status", "location"), CASES)
def test_permission_grid(request, client, world, name, method, path, data, role, status, location):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = world.fill(path)
    body = {key: world.fill(str(value)) for key, value in (data or {}).items()}
    before = snapshot()

    response = getattr(client, method)(url, body) if method == "post" else client.get(url)

    assert response.status_code == status
    if location is not None:
        assert response["Location"] == world.fill(location)
    after = snapshot()
    changed = {key: after[key] - before[key] for key in after if after[key] != before[key]}
    if path in ROW_CHANGES:
        assert changed == ROW_CHANGES[path].get(role, {})
    elif role in SEAT_KEEPERS and name in SUCCESS_CHANGES and status == 302:
        assert changed == SUCCESS_CHANGES[name]
    elif role != "anonymous" and name in OWN_CHANGES:
        assert changed == OWN_CHANGES[name]
    else:
        assert changed == {}


def _url_names(patterns, namespace="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin's own pages are sampled above
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_the_grid_covers_every_named_url():
    # The meetings, projects and followup pages have their own grids (tests/meetings/
    # test_meeting_permissions.py, tests/projects/test_project_permissions.py,
    # tests/followup/test_followup_permissions.py).
    own_grids = ("meetings:", "projects:", "followup:")
    names = {n for n in _url_names(get_resolver().url_patterns) if not n.startswith(own_grids)}
    assert names == {name for name, *_ in GRID if not name.startswith("admin:")}


# With INFOGOV_REQUIRE_MFA on (production), whom members.rules.requires_second_factor names and
# who has no authenticator yet may open the two-factor pages and sign out, and nothing else.
MUST_ENROL = {"leader", "deputy", "office_clerk", "admin"}
ENROL_PAGE = "/2fa/totp/activate/"
MFA_GRID = [
    ("/", lambda role: (302, f"{ENROL_PAGE}?next=/") if role in MUST_ENROL else (200, None)),
    (
        "/password/change/",
        lambda role: (
            (302, f"{ENROL_PAGE}?next=/password/change/") if role in MUST_ENROL else (200, None)
        ),
    ),
    ("/2fa/", lambda role: (200, None)),
    ("/logout/", lambda role: (200, None)),
]


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize(("path", "expected"), MFA_GRID, ids=[path for path, _ in MFA_GRID])
def test_second_factor_grid(request, client, require_second_factor, world, path, expected, role):
    client.force_login(request.getfixturevalue(role))
    before = snapshot()

    response = client.get(path)

    status, location = expected(role)
    assert response.status_code == status
    if location is not None:
        assert response["Location"] == location
    assert snapshot() == before
