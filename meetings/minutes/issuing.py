"""The background worker's steps (Art. 15, R-MIN-1 to R-MIN-3): number, render, sign and issue
minutes the leader has authorised, or put them back before the leader when that fails.

A module of its own, below meetings.minutes.services and meetings.minutes.tasks: services
enqueues the task, the task calls these; nothing here imports either of them.
"""

import dataclasses
import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from meetings.minutes import pdf, rules, signing
from meetings.minutes.documents import build_document, format_number
from meetings.minutes.guards import lock_minutes, require_leader, require_step
from meetings.minutes.models import Distribution, DocumentCounter, IssuedMinutes, Minutes
from meetings.minutes.rules import Step
from members.models import Body, User


def _allocate_number(body: Body, year: int) -> int:
    """Take the next number of ``body`` in ``year``; the row stays locked until commit, so
    numbers are consecutive and gapless, and a failed signing gives its number back."""
    DocumentCounter.objects.get_or_create(body=body, year=year)
    counter = DocumentCounter.objects.select_for_update().get(body=body, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def sign_and_issue(*, minutes_id: int, signer_id: int) -> IssuedMinutes:
    """Number, render, sign and issue the minutes (the background task's body)."""
    minutes = lock_minutes(minutes_id)
    require_step(minutes, Step.ISSUE)
    signer = User.objects.get(pk=signer_id)
    require_leader(signer, minutes)
    body = minutes.meeting.body
    now = timezone.localtime()
    sequence = _allocate_number(body, now.year)
    number = format_number(body.minutes_prefix or body.name, now.year, sequence)
    document = build_document(minutes, number=number, issued_on=now.date(), signer=signer)
    rendered = pdf.render_minutes(document)
    backend = signing.get_signer(signer)
    signed = backend.sign(
        rendered.data,
        stamp=rendered.stamp,
        name=signer.full_name,
        reason=f"签发 {number}",
        location=body.name,
        signed_at=now,
    )
    issued = IssuedMinutes.objects.create(
        minutes=minutes,
        body=body,
        year=now.year,
        sequence=sequence,
        number=number,
        title=minutes.title,
        content=json.loads(json.dumps(dataclasses.asdict(document), default=str)),
        content_sha256=document.content_sha256,
        pdf=signed,
        pdf_sha256=hashlib.sha256(signed).hexdigest(),
        signer=signer,
        signer_certificate=backend.certificate_subject[:300],
        demo_signature=backend.is_demo,
        signed_at=now,
        corrects=minutes.corrects,
    )
    Distribution.objects.bulk_create(
        Distribution(issued=issued, unit=unit) for unit in minutes.distribution.all()
    )
    minutes.status = Minutes.Status.ISSUED
    minutes.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=signer,
        action="minutes.issued",
        obj=issued,
        after={"number": number, "pdf_sha256": issued.pdf_sha256, "corrects": minutes.corrects_id},
    )
    return issued


@transaction.atomic
def signing_failed(*, minutes_id: int, error: str) -> None:
    """Put minutes whose background signing failed back before the leader, saying why."""
    minutes = lock_minutes(minutes_id)
    if not rules.may(Step.FAIL, minutes.status):
        return
    minutes.status = Minutes.Status.SUBMITTED
    minutes.comments = (_("Signing failed: %(error)s") % {"error": error})[:2000]
    minutes.save(update_fields=["status", "comments", "updated_at"])
    audit.record(actor=None, action="minutes.signing_failed", obj=minutes, after={"error": error})
