"""A person's unread notifications: the count every page's header shows.

It is cached with the signed-in person's row (members.auth.remember, from MeetingsConfig.ready)
and read again after whatever creates or reads notifications: the services call ``changed``
(they write in bulk, which sends no signals); the signals below catch single rows saved or
deleted elsewhere (the admin, a shell).
"""

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from meetings.models import Notification
from members import auth
from members.models import User

NAME = "unread_notifications"


def count(person: User) -> int:
    """Return how many notifications ``person`` has not read. One plain statement: the ORM's
    count() spent about five times as long building it as the database spent answering."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [person.pk])
        return cursor.fetchone()[0]


_SQL = (
    f"SELECT COUNT(*) FROM {connection.ops.quote_name(Notification._meta.db_table)}"
    " WHERE recipient_id = %s AND read_at IS NULL"
)


def of(person: User) -> int:
    """The count for the signed-in ``person``: as cached with their row, else counted."""
    found = auth.remembered(person, NAME)
    return found if found is not None else count(person)


def changed(person_ids, *instances: User) -> None:
    """Notifications of ``person_ids`` were created or read: drop their cached rows, and what
    the ``instances`` at hand (the request's own user) carry."""
    auth.forget_users(person_ids)
    for instance in instances:
        auth.forget_remembered(instance)


@receiver(post_save, sender=Notification, dispatch_uid="meetings.unread.saved")
@receiver(post_delete, sender=Notification, dispatch_uid="meetings.unread.deleted")
def _notification_changed(sender, instance: Notification, **kwargs) -> None:
    changed([instance.recipient_id])
