"""A meeting's bad input: dates outside 2000-2100 and line breaks where a mail subject is made
are refused with a message, nothing stored; bidi controls never reach the minutes."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from infogov.models import AuditEntry
from meetings import services
from meetings.minutes import documents
from meetings.models import Meeting
from meetings.services.errors import MeetingError
from tests.meetings.minutes_helpers import hold_meeting


def _counts():
    return Meeting.objects.count(), AuditEntry.objects.count()


def _draft_post(client, roster, **changes):
    data = {
        "body": roster.leading_group.pk,
        "kind": Meeting.Kind.LG_SPECIAL,
        "title": "专题会",
        "starts_at": "2026-12-10T09:00",
        "location": "行政楼第一会议室",
    } | changes
    return client.post(reverse("meetings:meeting_new"), data)


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00", "1999-12-31T09:00", "2101-01-01T09:00"])
def test_a_meeting_outside_2000_to_2100_is_refused_by_the_form(
    client, roster, office_clerk, english_pages, starts_at
):
    client.force_login(office_clerk)
    before = _counts()

    response = _draft_post(client, roster, starts_at=starts_at)

    assert response.status_code == 200
    assert response.context["form"].errors == {"starts_at": ["Give a date between 2000 and 2100."]}
    assert _counts() == before


def test_the_service_refuses_a_date_outside_the_window(roster, office_clerk, english):
    before = _counts()
    with pytest.raises(MeetingError, match="between 2000 and 2100"):
        services.draft_meeting(
            actor=office_clerk,
            body=roster.leading_group,
            kind=Meeting.Kind.LG_SPECIAL,
            title="专题会",
            starts_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
            location="行政楼",
        )
    assert _counts() == before


def test_the_model_refuses_a_date_outside_the_window(draft):
    draft.starts_at = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as refused:
        draft.full_clean()
    assert set(refused.value.message_dict) == {"starts_at"}


@pytest.mark.parametrize("field", ["title", "location"])
def test_a_line_break_in_what_makes_the_mail_subject_is_refused(
    client, roster, office_clerk, english_pages, field
):
    client.force_login(office_clerk)
    before = _counts()

    response = _draft_post(client, roster, **{field: "专题会\r\nBcc: all@example.org"})

    assert response.context["form"].errors == {field: ["Line breaks are not allowed here."]}
    assert _counts() == before


def test_the_service_refuses_a_line_break_in_a_title_or_a_reason(
    draft, office_clerk, leader, english
):
    with pytest.raises(MeetingError, match="Line breaks are not allowed"):
        services.reschedule_meeting(
            actor=office_clerk,
            meeting=draft,
            starts_at=draft.starts_at,
            location="图书馆",
            title="标题\n第二行",
        )
    convened = services.convene_meeting(actor=leader, meeting=draft)
    with pytest.raises(MeetingError, match="Line breaks are not allowed"):
        services.postpone_meeting(actor=office_clerk, meeting=convened, reason="时间\r\n冲突")
    convened.refresh_from_db()
    assert (convened.title, convened.status) == ("2026年度全体会议", Meeting.Status.CONVENED)


def test_a_convened_meetings_invitation_is_mailed(
    client, draft, leader, mailoutbox, django_capture_on_commit_callbacks
):
    leader.email = "sun@example.org"
    leader.save(update_fields=["email"])
    client.force_login(leader)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:meeting_convene", args=[draft.pk]), {"confirmed": "on"}
        )

    assert response.status_code == 302
    assert [m for m in get_messages(response.wsgi_request)][-1].level_tag == "success"
    assert len(mailoutbox) == 1
    assert "\n" not in mailoutbox[0].subject


def test_bidi_controls_never_reach_the_minutes(convened, office_clerk, leader):
    closed = hold_meeting(convened, clerk=office_clerk, leader=leader)
    minutes = closed.minutes.get()
    minutes.title = "纪要\u202e要纪"
    minutes.narrative = "一、\u2066关于\u2069立项\u200f"

    document = documents.build_document(minutes)

    assert (document.title, document.narrative) == ("纪要要纪", "一、关于立项")
    assert document.content_sha256 == documents.content_hash(document)


# --- /verify/ ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n\x00\xff garbage /ByteRange [0 1 2 3]", b"%PDF-1.4\n" + b"\xff" * 3000]
)
def test_verify_answers_in_the_readers_language_without_the_librarys_text(client, roster, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("meetings:verify"), {"file": SimpleUploadedFile("x.pdf", data, "application/pdf")}
    )

    problems = response.context["verification"].check.problems
    assert response.status_code == 200
    assert problems and all(p.isascii() is False for p in problems)
    assert all(":" not in p.split("：", 1)[-1] for p in problems)  # no "Error: ..." appended


def test_verify_counts_checks_per_client_behind_the_trusted_proxy(client, roster, settings):
    settings.INFOGOV_VERIFY_RATE = (1, 60)
    settings.INFOGOV_TRUSTED_PROXIES = 1
    url = reverse("meetings:verify")

    def check(forwarded_for, remote):
        return client.get(
            url, {"number": "x"}, HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR=remote
        ).status_code

    # The proxy (REMOTE_ADDR) is the same for everyone; the client is what it appended.
    assert check("203.0.113.5", "10.0.0.1") == 200
    assert check("203.0.113.5", "10.0.0.2") == 429  # the same client through another proxy
    assert check("198.51.100.7", "10.0.0.1") == 200
    assert check("1.2.3.4, 198.51.100.7", "10.0.0.1") == 429  # a forged left part is ignored


def test_verify_counts_in_the_shared_cache(client, roster, settings):
    """With REDIS_URL every process counts in Redis: a second client of the same Redis (another
    process) sees the count this one made."""
    redis = pytest.importorskip("redis")
    location = "redis://127.0.0.1:6379/2"
    try:
        other_process = redis.Redis.from_url(location)
        other_process.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "infogov-test-verify",
        }
    }
    settings.INFOGOV_VERIFY_RATE = (5, 60)
    from django.core.cache import cache

    cache.clear()
    try:
        for _ in range(2):
            client.get(reverse("meetings:verify"), {"number": "x"}, REMOTE_ADDR="192.0.2.9")
        keys = [k.decode() for k in other_process.keys("infogov-test-verify:*verify*")]
        assert len(keys) == 1 and keys[0].endswith("infogov:verify:192.0.2.9")
        assert int(other_process.get(keys[0])) == 2
    finally:
        cache.clear()
