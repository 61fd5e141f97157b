"""Telling people: notifications in the portal, and mail with a calendar invitation."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from meetings.ics import meeting_ics
from meetings.models import Meeting, Notification
from members.models import User

logger = logging.getLogger(__name__)


def notify_expected(
    meeting: Meeting, template: str, *, cancel: bool = False, reason: str = ""
) -> None:
    """Tell expected members and attendees in the portal, and by mail with an .ics after commit."""
    people = list(
        User.objects.filter(
            Q(pk__in=meeting.expected_members.values("person"))
            | Q(pk__in=meeting.attendees.values("person"))
        )
    )
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    text = template % {
        "title": meeting.title,
        "when": when,
        "where": meeting.location,
        "reason": reason,
    }
    Notification.objects.bulk_create(
        Notification(recipient=p, meeting=meeting, text=text[:300]) for p in people
    )
    recipients = [p.email for p in people if p.email]
    if not recipients:
        return
    meeting_id, sequence = meeting.pk, meeting.ics_sequence

    def send() -> None:
        fresh = Meeting.objects.select_related("body").get(pk=meeting_id)
        if fresh.ics_sequence != sequence:
            return  # a later change sends its own invitation
        # The services refuse line breaks in what makes the subject; one line all the same, so
        # that a row written before they did cannot make the mail fail.
        mail = EmailMessage(
            subject=" ".join(text.splitlines()),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            bcc=recipients,
        )
        mail.attach(
            "meeting.ics",
            meeting_ics(fresh, cancel=cancel),
            "text/calendar; method=" + ("CANCEL" if cancel else "REQUEST"),
        )
        try:
            mail.send()
        except OSError:
            # The portal notification is already saved; a mail relay outage must not undo it.
            logger.exception("Could not mail the invitation of meeting %s", meeting_id)

    transaction.on_commit(send)


def notify_people(meeting: Meeting, person_ids: list[int], text: str, *, link: str = "") -> None:
    """Tell ``person_ids`` in the portal now, and by plain mail after commit."""
    people = list(User.objects.filter(pk__in=person_ids))
    Notification.objects.bulk_create(
        Notification(recipient=p, meeting=meeting, text=text[:300]) for p in people
    )
    recipients = [p.email for p in people if p.email]
    if not recipients:
        return
    body = f"{text}\n{link}" if link else text

    def send() -> None:
        try:
            EmailMessage(
                subject=text, body=body, from_email=settings.DEFAULT_FROM_EMAIL, bcc=recipients
            ).send()
        except OSError:
            logger.exception("Could not mail %r", text)

    transaction.on_commit(send)


def unread_count(user: User) -> int:
    """Return how many notifications ``user`` has not read (the header's count)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_notifications_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; return how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
