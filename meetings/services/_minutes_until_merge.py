"""The minutes' services (Art. 15-16), as they were in meetings/services.py.

Transitional: branch ``minutes`` moves them into the meetings.minutes package, which replaces
this module when it is merged. Until then it is today's code, with its imports, and without the
meeting page's revision bumps and the cached unread counts that the rest of the package no
longer has.
"""

import dataclasses
import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from meetings import rules
from meetings.documents import ItemLine, MinutesDocument, SignatureCheck, VoteLine
from meetings.models import (
    Decision,
    Distribution,
    DocumentCounter,
    ExpectedMember,
    IssuedMinutes,
    Meeting,
    Minutes,
    Motion,
    Notification,
    QuorumCheck,
    ReadReceipt,
)
from meetings.services.errors import InvalidTransition, MeetingError
from members.models import Appointment, Body, Role, User

# --- Minutes (Art. 15-16) -----------------------------------------------------------------------

CHOICE_LABELS = {"yes": "同意", "no": "不同意", "abstain": "弃权"}
# The minutes are an official Chinese document (Art. 15): their words do not follow the UI
# language of whoever signs.
KIND_LABELS = {"lg_plenary": "全体会议", "lg_special": "专题会议", "wg_special": "专题会议"}
METHOD_LABELS = {"named": "举手表决", "secret": "投票表决"}
BASIS_LABELS = {"expected": "应到会成员", "present": "实到会成员", "cast": "实际投票"}
THRESHOLD_LABELS = {"more_than_half": "超过半数", "two_thirds": "三分之二以上"}
FORWARD_LABELS = {"party_standing_committee": "党委常委会", "presidents_office": "校长办公会"}
WEEKDAY_PERIOD = [(12, "上午"), (18, "下午"), (24, "晚上")]


def chinese_date(day: dt.date) -> str:
    """GB/T 9704: 2026年3月5日, full year, no zero padding."""
    return f"{day.year}年{day.month}月{day.day}日"


def _start_minutes(
    *, actor: User, meeting: Meeting, corrects: IssuedMinutes | None = None
) -> Minutes:
    minutes = Minutes.objects.create(
        meeting=meeting,
        title=corrects.title if corrects else f"{meeting.title}纪要",
        narrative=corrects.minutes.narrative if corrects else "",
        corrects=corrects,
    )
    units = {item.presenter_unit_id for item in meeting.items.all() if item.presenter_unit_id}
    if corrects:
        units |= set(corrects.distributions.values_list("unit_id", flat=True))
    minutes.distribution.set(units)
    audit.record(
        actor=actor,
        action="minutes.drafted",
        obj=minutes,
        after={"meeting": meeting.pk, "corrects": corrects.pk if corrects else None},
    )
    return minutes


def _lock_minutes(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().select_related("meeting__body").get(pk=minutes.pk)


def _require_minutes(minutes: Minutes, *statuses: str) -> None:
    if minutes.status not in statuses:
        raise InvalidTransition(
            _("Not possible while the minutes are %(status)s.")
            % {"status": minutes.get_status_display()}
        )


def seated_role(person: User, body: Body, day: dt.date | None = None) -> str | None:
    """Return the role ``person`` holds in ``body`` on ``day`` (today), if any."""
    return (
        Appointment.objects.seated_in(body, day)
        .filter(person=person)
        .values_list("seat__role", flat=True)
        .first()
    )


@transaction.atomic
def edit_minutes(
    *, actor: User, minutes: Minutes, title: str, narrative: str, distribution=None
) -> Minutes:
    """The Office writes the narrative; the facts stay those of the record (R-MIN-1)."""
    minutes = _lock_minutes(minutes)
    _require_minutes(minutes, Minutes.Status.DRAFT, Minutes.Status.RETURNED)
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
    minutes = _lock_minutes(minutes)
    _require_minutes(minutes, Minutes.Status.DRAFT, Minutes.Status.RETURNED)
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


def _require_leader(actor: User, minutes: Minutes) -> None:
    # Art. 15 / R-MIN-1: only the body's leader signs (not a deputy, not an admin).
    if not rules.may_sign_minutes(seated_role(actor, minutes.meeting.body)):
        raise MeetingError(
            _("Only the leader of %(body)s signs its minutes (Art. 15).")
            % {"body": minutes.meeting.body}
        )


@transaction.atomic
def return_minutes(*, actor: User, minutes: Minutes, comments: str) -> Minutes:
    """The leader sends the draft back to the Office with comments."""
    minutes = _lock_minutes(minutes)
    _require_minutes(minutes, Minutes.Status.SUBMITTED)
    _require_leader(actor, minutes)
    if not comments.strip():
        raise MeetingError(_("Say what should change."))
    minutes.status, minutes.comments = Minutes.Status.RETURNED, comments.strip()
    minutes.save(update_fields=["status", "comments", "updated_at"])
    audit.record(actor=actor, action="minutes.returned", obj=minutes, after={"comments": comments})
    return minutes


def request_signature(*, actor: User, minutes: Minutes, password: str) -> Minutes:
    """The leader signs: password again (R-MIN-3: only the signer controls the key when
    signing), recorded in the audit trail; rendering and signing then run in the background."""
    with transaction.atomic():
        minutes = _lock_minutes(minutes)
        _require_minutes(minutes, Minutes.Status.SUBMITTED)
        _require_leader(actor, minutes)
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
            transaction.on_commit(lambda: _enqueue_signing(minutes_id, signer_id))
    if refused:  # the refusal is recorded above, then reported
        raise MeetingError(_("The password is not right; nothing was signed."))
    return minutes


def _enqueue_signing(minutes_id: int, signer_id: int) -> None:
    from meetings.tasks import sign_and_issue_minutes

    sign_and_issue_minutes.enqueue(minutes_id=minutes_id, signer_id=signer_id)


def build_document(
    minutes: Minutes,
    *,
    number: str = "",
    issued_on: dt.date | None = None,
    signer: User | None = None,
) -> MinutesDocument:
    """Fill the minutes from the meeting's record (R-MIN-1: facts are not typed in)."""
    meeting = minutes.meeting
    body = meeting.body
    starts = timezone.localtime(meeting.starts_at)
    period = next(label for hour, label in WEEKDAY_PERIOD if starts.hour < hour)
    chair = meeting.chair.full_name if meeting.chair else ""
    expected = list(meeting.expected_members.select_related("person__unit").order_by("order", "id"))

    def who(member) -> str:
        unit = member.person.unit.name if member.person.unit else member.person.title
        return f"{member.person.full_name}（{unit}）" if unit else member.person.full_name

    numbers = meeting.expected_members.attendance()
    items = []
    for item in (
        meeting.items.select_related("presenter_unit").prefetch_related("motions").order_by("order")
    ):
        decision = Decision.objects.filter(item=item).first()
        votes = []
        for motion in item.motions.all():
            if motion.status != Motion.Status.CLOSED:
                continue
            names: tuple = ()
            if motion.method == Motion.Method.NAMED:
                by_choice: dict[str, list[str]] = {c: [] for c in CHOICE_LABELS}
                for vote in motion.named_votes.select_related("voter").order_by("voter__full_name"):
                    by_choice[vote.choice].append(vote.voter.full_name)
                names = tuple((CHOICE_LABELS[c], tuple(n)) for c, n in by_choice.items() if n)
            votes.append(
                VoteLine(
                    motion=motion.text,
                    method_label=METHOD_LABELS[motion.method],
                    yes=motion.yes or 0,
                    no=motion.no or 0,
                    abstain=motion.abstain or 0,
                    rule_label=(
                        f"{BASIS_LABELS[motion.basis]}{THRESHOLD_LABELS[motion.threshold]}同意"
                        f"（基数{motion.base}，需{motion.required}票）"
                    ),
                    passed=bool(motion.passed),
                    names_by_choice=names,
                )
            )
        items.append(
            ItemLine(
                order=item.order,
                title=item.title,
                presenter=item.presenter_unit.name if item.presenter_unit else "",
                decision=decision.text if decision else "",
                forwarded_to=FORWARD_LABELS.get(decision.forward_to, "") if decision else "",
                votes=tuple(votes),
            )
        )
    opened = meeting.quorum_checks.filter(gate=QuorumCheck.Gate.OPEN_MEETING, passed=True).first()
    quorum = opened or numbers
    quorum_line = (
        f"应到会成员{quorum.expected}人，实到{quorum.present}人，"
        f"超过应到会成员的三分之二（第十二条），会议有效。"
    )
    document = MinutesDocument(
        mark=body.minutes_mark or f"{body.name}纪要",
        number=number,
        issuer=body.name,
        issued_on=issued_on,
        title=minutes.title,
        meeting_line=(
            f"{chinese_date(starts.date())}{period}，{body.name}在{meeting.location}召开"
            f"{KIND_LABELS[meeting.kind]}" + (f"，会议由{chair}主持。" if chair else "。")
        ),
        narrative=minutes.narrative,
        items=tuple(items),
        quorum_line=quorum_line,
        present=tuple(who(m) for m in expected if m.present),
        on_leave=tuple(
            f"{m.person.full_name}（{m.leave_reason}）"
            for m in expected
            if not m.present and m.response == ExpectedMember.Response.LEAVE
        ),
        attending=tuple(a.person.full_name for a in meeting.attendees.select_related("person")),
        signer=signer.full_name if signer else "",
        verify_url=f"{settings.INFOGOV_BASE_URL}{reverse('meetings:verify')}?number={number}",
        content_sha256="",
        draft=not number,
        distribution=tuple(minutes.distribution.order_by("order").values_list("name", flat=True)),
    )
    return dataclasses.replace(document, content_sha256=content_hash(document))


def content_hash(document: MinutesDocument) -> str:
    """SHA-256 of the document's content (all but the hash itself), as canonical JSON."""
    content = dataclasses.asdict(dataclasses.replace(document, content_sha256=""))
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def format_number(prefix: str, year: int, sequence: int) -> str:
    """R-MIN-1: 信息化纪要〔2026〕3号: hexagonal brackets U+3014/U+3015, full year, no zeros."""
    return f"{prefix}\u3014{year}\u3015{sequence}号"


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
    from meetings import pdf, signing

    minutes = Minutes.objects.select_for_update().select_related("meeting__body").get(pk=minutes_id)
    _require_minutes(minutes, Minutes.Status.SIGNING)
    signer = User.objects.get(pk=signer_id)
    _require_leader(signer, minutes)
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
def start_correction(*, actor: User, issued: IssuedMinutes) -> Minutes:
    """R-MIN-2: a correction is a new document that references the one it corrects."""
    if (
        IssuedMinutes.objects.filter(corrects=issued).exists()
        or Minutes.objects.filter(corrects=issued).exclude(status=Minutes.Status.ISSUED).exists()
    ):
        raise MeetingError(
            _("A correction of %(number)s already exists.") % {"number": issued.number}
        )
    return _start_minutes(actor=actor, meeting=issued.minutes.meeting, corrects=issued)


def record_reading(*, reader: User, issued: IssuedMinutes) -> int:
    """Art. 16: a person of a unit concerned opens the minutes: a read receipt (once)."""
    if reader.unit_id is None:
        return 0
    created = 0
    for distribution in issued.distributions.filter(unit_id=reader.unit_id):
        _, new = ReadReceipt.objects.get_or_create(distribution=distribution, reader=reader)
        created += new
    return created


@dataclasses.dataclass(frozen=True)
class Verification:
    """What the public verification page says about a file or a number."""

    check: "SignatureCheck | None"
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
    from meetings import signing

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
    from meetings import signing

    data = bytes(issued.pdf)
    return Verification(
        check=signing.verify_pdf(data),
        issued=issued,
        hash_matches=hashlib.sha256(data).hexdigest() == issued.pdf_sha256,
        newer=_latest_correction(issued),
    )


@transaction.atomic
def signing_failed(*, minutes_id: int, error: str) -> None:
    """Put minutes whose background signing failed back before the leader, saying why."""
    minutes = Minutes.objects.select_for_update().get(pk=minutes_id)
    if minutes.status != Minutes.Status.SIGNING:
        return
    minutes.status = Minutes.Status.SUBMITTED
    minutes.comments = (_("Signing failed: %(error)s") % {"error": error})[:2000]
    minutes.save(update_fields=["status", "comments", "updated_at"])
    audit.record(actor=None, action="minutes.signing_failed", obj=minutes, after={"error": error})
