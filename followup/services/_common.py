"""What the follow-up services share: locking an item, checking a step, the timeline, telling
the unit."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from followup import permissions, rules
from followup.models import Event, Item
from followup.rules import ItemStep
from followup.services.errors import FollowupError
from meetings.models import Notification
from members.models import User
from members.permissions import unit_contacts

logger = logging.getLogger(__name__)


def lock_item(item_id: int) -> Item:
    """Lock the item's row until the transaction ends, for a change to it or to what the
    ledger shows of it (a milestone behind), and move its revision on; return it read again.

    Every service that changes an item takes this lock first, so the revision under which
    the ledger's rows are cached (ledger.revision) moves on in the same transaction as the
    change, and is committed or rolled back with it.
    """
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("lead_unit", "responsible")
        .get(pk=item_id)
    )
    Item.objects.filter(pk=item_id).update(revision=F("revision") + 1)
    item.revision += 1
    return item


def check(step: ItemStep, item: Item, actor: User | None) -> None:
    """Raise FollowupError unless ``step`` may be taken now, by ``actor`` (None: the system,
    e.g. a hook or the demo loader, acting as the Office)."""
    if not rules.may(step, item.status):
        raise FollowupError(
            _("Not possible while the item is %(status)s.") % {"status": item.get_status_display()}
        )
    if actor is not None and not permissions.may(actor, step, item):
        raise FollowupError(_("You may not do this for this item."))


def add_event(item: Item, kind: str, actor: User | None, **fields) -> Event:
    return Event.objects.create(item=item, kind=kind, actor=actor, **fields)


def snapshot(item: Item) -> dict:
    return {
        "status": item.status,
        "due_date": item.due_date.isoformat(),
        "percent": item.percent,
        "lead_unit": item.lead_unit_id,
    }


def recipients(item: Item) -> list[User]:
    """Who hears of an item: the responsible person and the head of the lead unit."""
    people = {item.responsible_id: item.responsible}
    head = unit_contacts(item.lead_unit_id).head
    if head is not None:
        people.setdefault(head.pk, head)
    return [person for person in people.values() if person.is_active]


def tell(people: list[User], text: str, *, subject: str | None = None) -> int:
    """A portal notification for each of ``people`` and one mail to those with an address,
    sent after commit; return how many people were told."""
    text = text[:300]
    Notification.objects.bulk_create(Notification(recipient=p, text=text) for p in people)
    addresses = sorted({p.email for p in people if p.email})
    if addresses:

        def send() -> None:
            mail = EmailMessage(
                subject=subject or text,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=addresses,
            )
            try:
                mail.send()
            except OSError:
                # The portal notification is saved; a mail relay outage must not undo it.
                logger.exception("Could not mail: %s", subject or text)

        transaction.on_commit(send)
    return len(people)
