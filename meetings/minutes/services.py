"""The steps people take on minutes (Art. 15-16): the Office writes and submits, the leader
returns or signs, the Office starts a correction; readers leave read receipts; anyone verifies.

Each step locks the minutes, checks it through rules.may, changes, records an audit entry and
moves the meeting page's revision on. Numbering, rendering and signing run in the background
(meetings.minutes.tasks → meetings.minutes.issuing) once the leader has authorised them.
"""

import dataclasses
import hashlib
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from infogov import audit
from meetings.minutes import signing
from meetings.minutes.documents import SignatureCheck
from meetings.minutes.drafting import start_minutes
from meetings.minutes.guards import lock_minutes, require_leader, require_step
from meetings.minutes.models import IssuedMinutes, Minutes, ReadReceipt
from meetings.minutes.rules import Step
from meetings.minutes.tasks import sign_and_issue_minutes
from meetings.models import Meeting, Notification
from meetings.services.errors import MeetingError
from meetings.services.notifications import notify_people
from members.models import Appointment, Body, Role, Unit, User


@transaction.atomic
def edit_minutes(
    *,
    actor: User,
    minutes: Minutes,
    title: str,
    narrative: str,
    distribution: Iterable[Unit] | None = None,
) -> Minutes:
    """The Office writes the narrative; the facts stay those of the record (R-MIN-1)."""
    minutes = lock_minutes(minutes.pk)
    require_step(minutes, Step.EDIT)
    if not title.strip():
        raise MeetingError(_("The minutes need a title."))
    before = {"title": minutes.title, "narrative": minutes.narrative}
    minutes.title, minutes.narrative = title.strip(), narrative.strip()
    minutes.save(update_fields=["title", "narrative", "updated_at"])
    if distribution is not None:
        minutes.distribution.set(distribution)
    audit.record(
        actor=actor,
        action="minutes.edited",
        obj=minutes,
        before=before,
        after={"title": minutes.title, "narrative": minutes.narrative},
    )
    return minutes


@transaction.atomic
def submit_minutes(*, actor: User, minutes: Minutes) -> Minutes:
    """The Office submits the draft to the body's leader."""
    minutes = lock_minutes(minutes.pk)
    require_step(minutes, Step.SUBMIT)
    if minutes.meeting.status != Meeting.Status.CLOSED:
        raise MeetingError(_("Minutes are submitted once the meeting has closed."))
    minutes.status = Minutes.Status.SUBMITTED
    minutes.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="minutes.submitted", obj=minutes)
    leaders = list(
        Appointment.objects.seated_in(minutes.meeting.body).filter(seat__role=Role.LEADER)
    )
    Notification.objects.bulk_create(
        Notification(
            recipient_id=a.person_id,
            meeting=minutes.meeting,
            text=(_("Minutes to sign: %(title)s") % {"title": minutes.title})[:300],
        )
        for a in leaders
    )
    return minutes


@transaction.atomic
def return_minutes(*, actor: User, minutes: Minutes, comments: str) -> Minutes:
    """The leader sends the draft back to the Office with comments."""
    minutes = lock_minutes(minutes.pk)
    require_step(minutes, Step.RETURN)
    require_leader(actor, minutes)
    if not comments.strip():
        raise MeetingError(_("Say what should change."))
    minutes.status, minutes.comments = Minutes.Status.RETURNED, comments.strip()
    minutes.save(update_fields=["status", "comments", "updated_at"])
    audit.record(actor=actor, action="minutes.returned", obj=minutes, after={"comments": comments})
    # The Office is told: it writes the next draft.
    office = Body.objects.filter(kind=Body.Kind.OFFICE).first()
    if office is not None:
        clerks = Appointment.objects.seated_in(office).values_list("person_id", flat=True)
        notify_people(
            minutes.meeting,
            list(clerks),
            _("Minutes returned by the leader: %(title)s") % {"title": minutes.title},
            link=minutes.get_absolute_url(),
        )
    return minutes


@transaction.atomic
def withdraw_minutes(*, actor: User, minutes: Minutes) -> Minutes:
    """The Office takes a submission back to its draft before the leader has signed it."""
    minutes = lock_minutes(minutes.pk)
    require_step(minutes, Step.WITHDRAW)
    minutes.status = Minutes.Status.DRAFT
    minutes.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="minutes.withdrawn",
        obj=minutes,
        before={"status": "submitted"},
        after={"status": minutes.status},
    )
    return minutes


def request_signature(*, actor: User, minutes: Minutes, password: str) -> Minutes:
    """The leader signs: password again (R-MIN-3: only the signer controls the key when
    signing), recorded in the audit trail; rendering and signing then run in the background."""
    with transaction.atomic():
        minutes = lock_minutes(minutes.pk)
        require_step(minutes, Step.SIGN)
        require_leader(actor, minutes)
        if not password or not actor.check_password(password):
            audit.record(
                actor=actor,
                action="minutes.sign_refused",
                obj=minutes,
                after={"reason": "password"},
            )
            refused = True
        else:
            refused = False
            minutes.status = Minutes.Status.SIGNING
            minutes.save(update_fields=["status", "updated_at"])
            audit.record(
                actor=actor,
                action="minutes.sign_authenticated",
                obj=minutes,
                after={"method": "password"},
            )
            minutes_id, signer_id = minutes.pk, actor.pk
            transaction.on_commit(
                lambda: sign_and_issue_minutes.enqueue(minutes_id=minutes_id, signer_id=signer_id)
            )
    if refused:  # the refusal is recorded above, then reported
        raise MeetingError(_("The password is not right; nothing was signed."))
    return minutes


@transaction.atomic
def start_correction(*, actor: User, issued: IssuedMinutes) -> Minutes:
    """R-MIN-2: a correction is a new document that references the one it corrects."""
    require_step(issued.minutes, Step.CORRECT)
    if (
        IssuedMinutes.objects.filter(corrects=issued).exists()
        or Minutes.objects.filter(corrects=issued).exclude(status=Minutes.Status.ISSUED).exists()
    ):
        raise MeetingError(
            _("A correction of %(number)s already exists.") % {"number": issued.number}
        )
    minutes = start_minutes(actor=actor, meeting=issued.minutes.meeting, corrects=issued)
    return minutes


def record_reading(*, reader: User, issued: IssuedMinutes) -> int:
    """Art. 16: a person of a unit concerned opens the minutes: a read receipt (once)."""
    if reader.unit_id is None:
        return 0
    created = 0
    for distribution in issued.distributions.filter(unit_id=reader.unit_id):
        _, new = ReadReceipt.objects.get_or_create(distribution=distribution, reader=reader)
        created += new
    return created


# --- Verification -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verification:
    """What the public verification page says about a file or a number."""

    check: SignatureCheck | None
    issued: IssuedMinutes | None  # the record whose PDF hash matches the file, or the number's
    hash_matches: bool
    newer: IssuedMinutes | None  # the latest correction of it, if any

    @property
    def valid(self) -> bool:
        return bool(self.check and self.check.valid and self.hash_matches)


def _latest_correction(issued: IssuedMinutes) -> IssuedMinutes | None:
    newer = None
    current = issued
    while (following := IssuedMinutes.objects.filter(corrects=current).first()) is not None:
        newer = current = following
    return newer


def verify_file(data: bytes) -> Verification:
    """Check a PDF without trusting the portal's word: its signature, then whether it is
    exactly a document the portal issued, and whether a correction superseded it."""
    check = signing.verify_pdf(data)
    issued = IssuedMinutes.objects.filter(pdf_sha256=hashlib.sha256(data).hexdigest()).first()
    return Verification(
        check=check,
        issued=issued,
        hash_matches=issued is not None,
        newer=_latest_correction(issued) if issued else None,
    )


def verify_number(number: str) -> Verification | None:
    """Look up an issued document by its number and check the PDF on record."""
    issued = IssuedMinutes.objects.filter(number=number.strip()).first()
    if issued is None:
        return None
    data = bytes(issued.pdf)
    return Verification(
        check=signing.verify_pdf(data),
        issued=issued,
        hash_matches=hashlib.sha256(data).hexdigest() == issued.pdf_sha256,
        newer=_latest_correction(issued),
    )
