"""The top bar (templates/_top_bar.html): nobody sees another person's bar, a change shows at
once, and its forms carry the page's own CSRF token and address."""

import re

from django.test import Client
from django.urls import reverse

from meetings.models import Notification

NAV = re.compile(r'<header class="top">.*?</header>', re.S)


def bar(response) -> str:
    return NAV.search(response.content.decode()).group(0)


def token_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html).group(1)


def test_each_person_sees_their_own_bar(client, roster, leader, member):
    client.force_login(leader)
    first = bar(client.get("/"))
    client.force_login(member)
    second = bar(client.get("/"))

    assert "孙其信" in first and "阎祖书" not in first
    assert "阎祖书" in second and "孙其信" not in second
    assert reverse("members:person_detail", args=[member.pk]) in second


def test_the_unread_count_and_a_new_name_show_at_once(client, roster, member):
    client.force_login(member)
    assert 'class="count"' not in bar(client.get("/"))

    Notification.objects.create(recipient=member, text="会议通知")
    Notification.objects.create(recipient=member, text="会议变更")
    member.full_name = "阎祖书（新）"
    member.save()
    client.force_login(member)
    shown = bar(client.get("/"))

    assert '<span class="count" title="未读">2</span>' in shown
    assert "阎祖书（新）" in shown


def test_the_forms_carry_a_working_token_and_the_page_to_return_to(roster, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    shown = bar(client.get(reverse("members:body_list") + "?a=1&b=2"))

    assert 'name="next" value="/bodies/?a=1&amp;b=2"' in shown
    switched = client.post(
        reverse("set_language"),
        {"language": "en", "next": "/", "csrfmiddlewaretoken": token_of(shown)},
    )
    assert switched.status_code == 302
    assert ">Log out</button>" in bar(client.get("/"))
    logged_out = client.post(reverse("logout"), {"csrfmiddlewaretoken": token_of(shown)})
    assert logged_out.status_code == 302
    assert client.get("/").status_code == 302  # signed out


def test_a_visitor_gets_the_language_switch_only(client, db):
    shown = bar(client.get(reverse("login")))

    assert "<nav>" not in shown
    assert 'value="en"' in shown
    assert token_of(shown)
