"""A person's calendar subscription (meetings.ics.feed_ics), opened by its secret token
without a session: calendar apps fetch it on their own."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from meetings.ics import FEED_PAST_DAYS, FEED_STATUSES, feed_ics
from meetings.models import Attendee, ExpectedMember, Meeting
from members.calendar import person_for_token


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The meetings the token's person is expected at or invited to (an unknown or revoked
    token: 404, the same answer as a page that does not exist)."""
    person = person_for_token(token)
    if person is None:
        raise Http404
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    mine = Exists(ExpectedMember.objects.filter(meeting=OuterRef("pk"), person=person)) | Exists(
        Attendee.objects.filter(meeting=OuterRef("pk"), person=person)
    )
    meetings = (
        Meeting.objects.filter(mine, Q(status__in=FEED_STATUSES), starts_at__gte=since)
        .select_related("body")
        .order_by("starts_at", "id")
    )
    response = HttpResponse(feed_ics(person, meetings), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="infogov.ics"'
    return response
