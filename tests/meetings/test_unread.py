"""The header's unread count is never shown stale: convening, a notification saved anywhere, and
reading them all show at the next page, and the page that marks them read already shows none."""

import re

from django.urls import reverse

from meetings import services
from meetings.models import Notification

COUNT = re.compile(r'<span class="count" title="[^"]*">(\d+)</span>')


def shown(client, url: str = "/") -> int:
    found = COUNT.search(client.get(url).content.decode())
    return int(found[1]) if found else 0


def test_convening_shows_at_the_next_page(client, draft, leader, member):
    client.force_login(member)
    assert shown(client) == 0

    services.convene_meeting(actor=leader, meeting=draft)

    assert shown(client) == 1


def test_a_notification_saved_elsewhere_shows_too(client, roster, member):
    client.force_login(member)
    assert shown(client) == 0

    Notification.objects.create(recipient=member, text="管理员补发的通知")

    assert shown(client) == 1


def test_the_page_that_reads_them_shows_none(client, draft, leader, member):
    services.convene_meeting(actor=leader, meeting=draft)
    client.force_login(member)
    assert shown(client) == 1

    assert shown(client, reverse("meetings:notification_list")) == 0
    assert shown(client) == 0
