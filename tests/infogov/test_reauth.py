"""infogov.reauth: signing minutes and counting a ballot need a recent second factor."""

import time

import pytest
from django.test import Client

from infogov.reauth import has_recent_second_factor
from tests.factories import PASSWORD
from tests.infogov import reauth_urls
from tests.mfa import code_for, set_up_authenticator, wrong_code_for

pytestmark = pytest.mark.urls("tests.infogov.reauth_urls")
CONFIRM = "/2fa/reauthenticate/"


@pytest.fixture(autouse=True)
def _no_steps_yet():
    reauth_urls.steps_taken.clear()


def sign_in_with_code(client: Client, person, secret: str, *, step: int = 0) -> None:
    client.post("/login/", {"login": person.username, "password": PASSWORD})
    response = client.post("/2fa/authenticate/", {"code": code_for(secret, step=step)})
    assert response["Location"] == "/"


def test_a_code_given_at_sign_in_is_recent(client, require_second_factor, leader):
    secret = set_up_authenticator(leader)
    sign_in_with_code(client, leader, secret)

    response = client.post("/guarded/")

    assert response.content == b"guarded step done"
    assert reauth_urls.steps_taken == [leader.pk]


def test_a_code_older_than_the_limit_is_not_recent(client, require_second_factor, leader, settings):
    secret = set_up_authenticator(leader)
    sign_in_with_code(client, leader, secret)
    settings.INFOGOV_SECOND_FACTOR_MAX_AGE = 0

    response = client.post("/guarded/", HTTP_REFERER="http://testserver/meetings/")

    assert response.status_code == 302
    assert response["Location"] == f"{CONFIRM}?next=/meetings/"
    assert reauth_urls.steps_taken == []


def test_a_fresh_code_lets_the_step_through_again(client, require_second_factor, leader, settings):
    secret = set_up_authenticator(leader)
    sign_in_with_code(client, leader, secret)
    settings.INFOGOV_SECOND_FACTOR_MAX_AGE = 1
    time.sleep(1.1)
    assert client.get("/guarded/")["Location"] == f"{CONFIRM}?next=/guarded/"

    confirmed = client.post(f"{CONFIRM}?next=/guarded/", {"code": code_for(secret, step=1)})

    assert confirmed["Location"] == "/guarded/"
    assert client.post("/guarded/").content == b"guarded step done"
    assert reauth_urls.steps_taken == [leader.pk]


def test_a_wrong_code_confirms_nothing(client, require_second_factor, leader, settings):
    secret = set_up_authenticator(leader)
    sign_in_with_code(client, leader, secret)
    settings.INFOGOV_SECOND_FACTOR_MAX_AGE = 0

    response = client.post(f"{CONFIRM}?next=/guarded/", {"code": wrong_code_for(secret)})

    assert response.status_code == 200
    assert "验证码不正确" in response.text
    assert client.post("/guarded/").status_code == 302
    assert reauth_urls.steps_taken == []


def test_the_password_alone_is_not_a_second_factor(client, require_second_factor, leader):
    set_up_authenticator(leader)
    client.force_login(leader)
    client.post("/reauthenticate/", {"password": PASSWORD})

    response = client.post("/guarded/")

    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM)
    assert reauth_urls.steps_taken == []


def test_without_an_authenticator_the_step_sends_to_set_one_up(
    client, require_second_factor, member
):
    client.force_login(member)

    response = client.get("/guarded/")

    assert response["Location"] == "/2fa/totp/activate/?next=/guarded/"
    assert reauth_urls.steps_taken == []


def test_an_htmx_post_is_sent_to_the_code_page_by_htmx(client, require_second_factor, leader):
    set_up_authenticator(leader)
    client.force_login(leader)

    response = client.post("/guarded/", HTTP_HX_REQUEST="true", HTTP_REFERER="http://evil.example/")

    assert response["HX-Redirect"] == f"{CONFIRM}?next=/"
    assert reauth_urls.steps_taken == []


def test_the_demo_asks_only_who_has_an_authenticator(client, leader, deputy):
    set_up_authenticator(leader)
    client.force_login(deputy)
    assert client.post("/guarded/").content == b"guarded step done"

    client.force_login(leader)
    assert client.post("/guarded/").status_code == 302
    assert reauth_urls.steps_taken == [deputy.pk]


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.post("/guarded/")["Location"] == "/login/?next=/guarded/"


def test_has_recent_second_factor_reads_the_session(rf, client, leader):
    secret = set_up_authenticator(leader)
    sign_in_with_code(client, leader, secret)
    request = rf.get("/")
    request.user = leader
    request.session = client.session

    assert has_recent_second_factor(request)
    assert has_recent_second_factor(request, max_age=3600)
    assert not has_recent_second_factor(request, max_age=0)
