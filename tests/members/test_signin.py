"""Signing in: the second-factor rule and its gate, signing in with a code, lockout, password
change and reset, and how long a session lasts."""

import datetime as dt
import re

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from members import rules, services
from members.models import Appointment, Role, Seat, User
from tests.factories import PASSWORD
from tests.mfa import code_for, has_authenticator, set_up_authenticator, wrong_code_for

ENROL = "/2fa/totp/activate/"
SECRET = re.compile(r'id="authenticator_secret"[^>]* value="([A-Z2-7]+)"')
BANNER = "演示设置：本站未强制双重身份验证"
LOCKED = "登录失败次数过多：此用户名在本地址已被锁定 15 分钟。请稍后再试，或请系统管理员解锁。"


def sign_in(client: Client, person: User) -> None:
    """Sign in with the password on the login page (allauth records it, as a browser's)."""
    response = client.post("/login/", {"login": person.username, "password": PASSWORD})
    assert response.status_code == 302


# --- Who must use a second factor -----------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "is_staff", "expected"),
    [
        (set(), False, False),
        (set(), True, True),
        ({Role.LEADER}, False, True),
        ({Role.DEPUTY}, False, True),
        ({Role.OFFICE_DIRECTOR}, False, True),
        ({Role.OFFICE_STAFF}, False, True),
        ({Role.MEMBER}, False, False),
        ({Role.EXPERT}, False, False),
        ({Role.MEMBER, Role.EXPERT}, False, False),
        ({Role.MEMBER, Role.DEPUTY}, False, True),
        ({Role.MEMBER}, True, True),
    ],
)
def test_who_must_use_a_second_factor(roles, is_staff, expected):
    assert rules.requires_second_factor(roles=roles, is_staff=is_staff) is expected


@given(st.sets(st.sampled_from(list(Role))), st.sets(st.sampled_from(list(Role))), st.booleans())
def test_more_seats_never_lift_the_second_factor(roles, more, is_staff):
    before = rules.requires_second_factor(roles=roles, is_staff=is_staff)
    after = rules.requires_second_factor(roles=roles | more, is_staff=is_staff)
    assert after >= before
    assert rules.requires_second_factor(roles=roles, is_staff=True)
    voting_only = {role for role in roles if role in (Role.MEMBER, Role.EXPERT)}
    assert not rules.requires_second_factor(roles=voting_only, is_staff=False)


# --- The gate: set one up before anything else ----------------------------------------------


@pytest.mark.parametrize("role", ["leader", "deputy", "office_clerk", "admin"])
def test_whom_the_rule_names_is_sent_to_set_up_a_second_factor_first(
    request, client, require_second_factor, role
):
    sign_in(client, request.getfixturevalue(role))

    response = client.get("/bodies/")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=/bodies/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "您的职务要求双重身份验证" in page.text


@pytest.mark.parametrize("role", ["member", "expert", "outsider"])
def test_members_experts_and_outsiders_are_not_sent_to_set_one_up(
    request, client, require_second_factor, role
):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/bodies/").status_code == 200


def test_nothing_else_can_be_done_before_the_second_factor(
    client, require_second_factor, office_clerk, roster
):
    client.force_login(office_clerk)
    seats = Seat.objects.count()

    response = client.post("/bodies/work-group/seats/add/", {"role": Role.MEMBER})

    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)
    assert Seat.objects.count() == seats


def test_with_an_authenticator_the_leader_works_and_the_gate_costs_no_query(
    client, require_second_factor, leader, settings
):
    set_up_authenticator(leader)
    client.force_login(leader)
    assert client.get("/bodies/").status_code == 200  # the gate looks once

    settings.INFOGOV_REQUIRE_MFA = False
    with CaptureQueriesContext(connection) as without_gate:
        client.get("/bodies/")
    settings.INFOGOV_REQUIRE_MFA = True
    with CaptureQueriesContext(connection) as with_gate:
        assert client.get("/bodies/").status_code == 200

    assert len(with_gate) == len(without_gate)


def test_a_new_leader_seat_is_noticed_within_the_session(client, require_second_factor, roster):
    person = User.objects.get(full_name="阎祖书")  # a plain member
    client.force_login(person)
    assert client.get("/bodies/").status_code == 200

    seat = services.add_seat(actor=None, body=roster.office, role=Role.OFFICE_STAFF)
    services.fill_seat(actor=None, seat=seat, person=person, started_on=dt.date(2024, 9, 1))

    assert client.get("/bodies/")["Location"] == f"{ENROL}?next=/bodies/"


def test_a_vacated_seat_no_longer_asks_for_one(client, require_second_factor, deputy, roster):
    client.force_login(deputy)
    assert client.get("/bodies/").status_code == 302
    for appointment in Appointment.objects.current().filter(
        person=deputy, seat__role__in=rules.SECOND_FACTOR_ROLES
    ):
        services.vacate_seat(actor=None, seat=appointment.seat, ended_on=timezone.localdate())

    assert client.get("/bodies/").status_code == 200


def test_without_enforcement_nobody_is_sent_and_every_page_says_so(client, leader):
    client.force_login(leader)

    response = client.get("/bodies/")

    assert response.status_code == 200
    assert BANNER in response.text
    assert BANNER in Client().get("/login/").text


def test_with_enforcement_no_page_says_it_is_off(client, require_second_factor, member):
    client.force_login(member)

    assert BANNER not in client.get("/bodies/").text
    assert BANNER not in Client().get("/login/").text


def test_setting_up_the_app_lets_the_leader_in(client, require_second_factor, leader):
    sign_in(client, leader)
    secret = SECRET.search(client.get(ENROL).text)[1]

    response = client.post(ENROL, {"code": code_for(secret)})

    assert response["Location"] == "/2fa/recovery-codes/"
    assert has_authenticator(leader)
    codes = client.get("/2fa/recovery-codes/")
    assert codes.status_code == 200
    assert len(re.findall(r"\b\d{8}\b", codes.text)) == 10
    assert client.get("/bodies/").status_code == 200


def test_a_wrong_code_sets_up_nothing(client, require_second_factor, leader):
    sign_in(client, leader)
    secret = SECRET.search(client.get(ENROL).text)[1]

    response = client.post(ENROL, {"code": wrong_code_for(secret)})

    assert response.status_code == 200
    assert "验证码不正确" in response.text
    assert not has_authenticator(leader)
    assert client.get("/bodies/").status_code == 302


def test_whom_the_rule_names_cannot_remove_the_app_while_it_is_required(
    client, require_second_factor, leader
):
    secret = set_up_authenticator(leader)
    sign_in(client, leader)
    client.post("/2fa/authenticate/", {"code": code_for(secret)})
    client.post("/reauthenticate/", {"password": PASSWORD})

    response = client.post("/2fa/totp/deactivate/")

    assert response.status_code == 200
    assert "您不能停用两步验证" in response.text
    assert has_authenticator(leader)


def test_a_member_may_remove_the_app(client, require_second_factor, member):
    secret = set_up_authenticator(member)
    sign_in(client, member)
    client.post("/2fa/authenticate/", {"code": code_for(secret)})
    client.post("/reauthenticate/", {"password": PASSWORD})

    response = client.post("/2fa/totp/deactivate/")

    assert response["Location"] == "/2fa/"
    assert not has_authenticator(member)


def test_removing_the_app_asks_for_the_password_again_even_just_after_sign_in(client, member):
    secret = set_up_authenticator(member)
    sign_in(client, member)
    client.post("/2fa/authenticate/", {"code": code_for(secret)})

    response = client.post("/2fa/totp/deactivate/")

    assert response["Location"] == "/reauthenticate/?next=%2F2fa%2Ftotp%2Fdeactivate%2F"
    assert has_authenticator(member)


def test_the_secret_is_not_stored_in_the_clear(leader):
    secret = set_up_authenticator(leader)

    stored = Authenticator.objects.get(user=leader, type=Authenticator.Type.TOTP).data["secret"]

    assert secret not in stored
    assert (
        Authenticator.objects.get(user=leader, type="totp").wrap().validate_code(code_for(secret))
    )


# --- Signing in with a code -----------------------------------------------------------------


def test_with_an_authenticator_the_password_alone_does_not_sign_in(client, leader):
    set_up_authenticator(leader)

    response = client.post("/login/", {"login": "sunqixin", "password": PASSWORD})

    assert response["Location"] == "/2fa/authenticate/"
    assert client.get("/")["Location"] == "/login/?next=/"


def test_password_and_code_sign_in(client, leader):
    secret = set_up_authenticator(leader)
    client.post("/login/", {"login": "sunqixin", "password": PASSWORD})

    response = client.post("/2fa/authenticate/", {"code": code_for(secret)})

    assert response["Location"] == "/"
    assert client.get("/").context["user"] == leader


def test_a_wrong_code_does_not_sign_in(client, leader):
    secret = set_up_authenticator(leader)
    client.post("/login/", {"login": "sunqixin", "password": PASSWORD})

    response = client.post("/2fa/authenticate/", {"code": wrong_code_for(secret)})

    assert response.status_code == 200
    assert "验证码不正确" in response.text
    assert client.get("/")["Location"] == "/login/?next=/"


def test_a_code_is_accepted_once(client, leader):
    secret = set_up_authenticator(leader)
    code = code_for(secret)
    client.post("/login/", {"login": "sunqixin", "password": PASSWORD})
    client.post("/2fa/authenticate/", {"code": code})
    client.post("/logout/")
    other = Client()
    other.post("/login/", {"login": "sunqixin", "password": PASSWORD})

    response = other.post("/2fa/authenticate/", {"code": code})

    assert response.status_code == 200
    assert other.get("/")["Location"] == "/login/?next=/"


# --- Lockout (django-axes) ------------------------------------------------------------------


def _guess(client: Client, password: str, **extra):
    return client.post("/login/", {"login": "sunqixin", "password": password}, **extra)


def test_thirty_wrong_passwords_in_a_row_lock_the_username_out(client, leader):
    responses = [_guess(client, f"guess-{n}") for n in range(30)]

    assert [r.status_code for r in responses] == [200] * 4 + [429] * 26
    assert all(LOCKED in r.text for r in responses[4:])
    assert 'id="id_username"' in responses[-1].text  # the login page, not a bare 403
    assert client.get("/")["Location"] == "/login/?next=/"


def test_a_locked_out_username_is_refused_with_the_right_password(client, leader):
    for n in range(5):
        _guess(client, f"guess-{n}")

    locked = _guess(client, PASSWORD)

    assert locked.status_code == 429
    assert LOCKED in locked.text
    assert client.get("/")["Location"] == "/login/?next=/"


def test_the_lockout_is_for_this_username_from_this_address(client, leader, deputy):
    for n in range(5):
        _guess(client, f"guess-{n}")

    from_elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert _guess(from_elsewhere, PASSWORD)["Location"] == "/"
    someone_else = client.post("/login/", {"login": "zhaoman", "password": PASSWORD})
    assert someone_else["Location"] == "/"


def test_the_lockout_ends_after_the_cool_off(client, leader):
    for n in range(5):
        _guess(client, f"guess-{n}")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )

    assert _guess(client, PASSWORD)["Location"] == "/"


def test_an_administrator_unlocks_from_admin(client, leader, admin):
    for n in range(5):
        _guess(client, f"guess-{n}")
    (attempt,) = AccessAttempt.objects.all()
    office = Client()
    office.force_login(admin)

    listed = office.get("/admin/axes/accessattempt/")
    office.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert "sunqixin" in listed.text
    assert "登录失败记录" in listed.text
    assert _guess(client, PASSWORD)["Location"] == "/"


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, leader):
    for n in range(10):
        _guess(client, f"guess-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert _guess(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_a_trusted_proxy_the_lockout_is_keyed_by_the_client(client, leader, settings):
    settings.INFOGOV_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(5):
        _guess(client, f"guess-{n}", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)

    assert _guess(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == (
        429
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    other = Client()
    assert _guess(other, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)["Location"] == "/"


def test_a_right_password_clears_the_failures(client, leader):
    for n in range(4):
        _guess(client, f"guess-{n}")
    _guess(client, PASSWORD)
    client.post("/logout/")

    assert [_guess(client, f"again-{n}").status_code for n in range(4)] == [200] * 4


# --- Password change and reset; how long sessions last --------------------------------------


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(client, leader):
    phone = Client()
    phone.force_login(leader)
    client.force_login(leader)
    new = "Xinxihua-2026-mima"

    response = client.post(
        "/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )

    assert response.status_code == 302
    assert client.get("/bodies/").status_code == 200
    assert phone.get("/bodies/")["Location"] == "/login/?next=/bodies/"
    leader.refresh_from_db()
    assert leader.check_password(new)


def test_a_wrong_old_password_changes_nothing(client, leader):
    client.force_login(leader)

    response = client.post(
        "/password/change/", {"oldpassword": "wrong", "password1": "x" * 12, "password2": "x" * 12}
    )

    assert response.status_code == 200
    leader.refresh_from_db()
    assert leader.check_password(PASSWORD)


def test_a_forgotten_password_is_reset_by_mail_in_chinese(client, leader):
    leader.email = "sunqixin@example.edu"
    leader.save(update_fields=["email"])

    sent = client.post("/password/reset/", {"email": "sunqixin@example.edu"})

    assert sent["Location"] == "/password/reset/done/"
    (message,) = mail.outbox
    assert message.to == ["sunqixin@example.edu"]
    assert message.subject == "[信息化工作领导小组] 密码重置邮件"
    assert "重置" in message.body
    link = re.search(r"http://testserver(/password/reset/key/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    new = "Xinxihua-2026-mima"
    done = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done["Location"] == "/password/reset/key/done/"
    leader.refresh_from_db()
    assert leader.check_password(new)


def test_no_mail_goes_to_an_address_nobody_has(client, leader):
    response = client.post("/password/reset/", {"email": "stranger@example.org"})

    assert response["Location"] == "/password/reset/done/"
    assert mail.outbox == []


def test_a_session_ends_after_a_working_day(client, leader):
    client.post("/login/", {"login": "sunqixin", "password": PASSWORD})

    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    assert client.session.get_expiry_age() == 10 * 3600


def test_nobody_signs_up(client, db):
    response = client.post(
        "/signup/", {"username": "intruder", "password1": "x" * 12, "password2": "x" * 12}
    )

    assert response.status_code == 200
    assert not User.objects.filter(username="intruder").exists()
