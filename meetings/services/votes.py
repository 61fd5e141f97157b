"""Motions and their votes: putting a motion, opening, casting, closing and deferring
(Art. 13, R-VOTE-1 to R-VOTE-5). A closed secret ballot is counted in counting.py.

A vote runs in one transaction on either database. On PostgreSQL the motion's advisory vote
lock orders it against the steps that change the motion's status: voters hold it shared, so
they never wait for one another; opening, closing and deferring hold it exclusive, so they
wait only for the votes in flight, and every vote after them sees the new status. (Unlike a
row lock FOR SHARE, whose new sharers jump ahead of a waiting FOR UPDATE, the lock manager
queues a shared request behind a waiting exclusive one, so a close is never starved by a
burst of votes.) SQLite serialises writers with its IMMEDIATE transactions, which is stronger
still, so it takes no lock of this kind.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from meetings import rules, signals
from meetings.ballots import services as ballots
from meetings.models import (
    ATTENDANCE_COUNTS,
    AgendaItem,
    BallotReceipt,
    Decision,
    ExpectedMember,
    Motion,
    NamedVote,
    QuorumCheck,
    attendance_of,
)
from meetings.rules import MeetingStep, MotionStatus, MotionStep
from meetings.services._common import check_step, lock_meeting
from meetings.services.attendance import gated, record_gate
from meetings.services.errors import InvalidTransition, MeetingError
from meetings.services.notifications import notify_people
from members.models import User

# PostgreSQL advisory lock namespace of a motion's vote (the first of the two int4 keys).
VOTE_LOCK_NAMESPACE = 7301
# How long a vote, or a step that changes a motion's status, waits for a lock: a vote takes
# milliseconds, so a wait this long is a stuck transaction, and the request is refused
# instead of holding a server thread.
LOCK_TIMEOUT = "10s"


def lock_votes(motion_id: int, *, exclusive: bool) -> None:
    """Take the motion's vote lock until the transaction ends: shared to vote, exclusive to
    change the motion's status (PostgreSQL; SQLite needs none). The shape of pretix's
    ``lock_objects``: a lock timeout for this transaction, then the lock."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    # Two int4 keys; ids past 2**31 share a key with another motion, which only serialises more.
    key = motion_id & 0x7FFFFFFF
    try:
        with connection.cursor() as cursor:
            # Raw SQL: the ORM can say neither a transaction's lock timeout nor an advisory lock.
            # Both in one round trip, which takes no parameters: the keys are integers.
            cursor.execute(
                f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';"
                f" SELECT {function}({VOTE_LOCK_NAMESPACE:d}, {key:d})"
            )
    except OperationalError as error:  # lock_timeout: LockNotAvailable
        raise MeetingError(_("The vote is busy; please try again.")) from error


def _lock_motion(motion: Motion) -> Motion:
    """The motion locked for a change of status: the vote lock exclusive (it waits for the
    votes in flight and is seen by every later vote), its row, then its meeting's
    (lock_meeting: the meeting page shows the motion's status, and the meeting cannot close
    while a vote opens)."""
    lock_votes(motion.pk, exclusive=True)
    locked = Motion.objects.select_for_update(of=("self",)).select_related("item").get(pk=motion.pk)
    locked.item.meeting = lock_meeting(locked.item.meeting_id)
    return locked


def _motion_status_refusal(motion: Motion) -> InvalidTransition:
    return InvalidTransition(
        _("This vote is %(status)s.") % {"status": motion.get_status_display()}
    )


@transaction.atomic
def create_motion(
    *,
    actor: User,
    item: AgendaItem,
    text: str,
    method: str = Motion.Method.NAMED,
    basis: str = rules.Basis.EXPECTED,
    threshold: str = rules.Threshold.MORE_THAN_HALF,
) -> Motion:
    """Put a motion on an item; its method and passing rule are fixed from here on (Art. 13)."""
    meeting = lock_meeting(item.meeting_id)
    check_step(MeetingStep.PUT_MOTION, meeting)
    if Decision.objects.filter(item=item).exists():
        raise MeetingError(_("This item has been decided."))
    if item.motions.filter(status__in=rules.PENDING_MOTION).exists():
        raise MeetingError(_("This item already has a pending vote."))
    if (
        method not in Motion.Method.values
        or basis not in rules.Basis
        or threshold not in rules.Threshold
    ):
        raise MeetingError(_("Unknown voting method or passing rule."))
    motion = Motion.objects.create(
        item=item, text=text, method=method, basis=basis, threshold=threshold
    )
    audit.record(
        actor=actor,
        action="motion.created",
        obj=motion,
        after={"method": method, "basis": basis, "threshold": threshold},
    )
    return motion


@gated
def open_vote(
    *, actor: User, motion: Motion, scrutineers: list[User] | tuple = ()
) -> tuple[Motion, QuorumCheck]:
    """Open a vote: the meeting is in session and quorate (R-MEET-2); a secret ballot with
    its two or three scrutineers (meetings.ballots), who alone, two of them, can count it."""
    motion = _lock_motion(motion)
    meeting = motion.item.meeting
    if not rules.may(MeetingStep.OPEN_VOTE, meeting.status):
        raise InvalidTransition(_("Votes open only while the meeting is in session."))
    if not rules.may(MotionStep.OPEN, motion.status):
        raise _motion_status_refusal(motion)
    if Motion.objects.filter(item__meeting=meeting, status=MotionStatus.OPEN).exists():
        raise MeetingError(_("Another vote is open; close it first (Art. 13: one item at a time)."))
    check = record_gate(actor, meeting, QuorumCheck.Gate.OPEN_VOTE, motion)
    if check.passed:
        after: dict[str, object] = {"present": check.present, "expected": check.expected}
        if motion.method == Motion.Method.SECRET:
            present = set(
                ExpectedMember.objects.filter(meeting=meeting, present=True).values_list(
                    "person_id", flat=True
                )
            )
            ballots.open_box(motion, scrutineers, present)
            after["scrutineers"] = [str(p) for p in scrutineers]
        motion.status, motion.opened_at = MotionStatus.OPEN, timezone.now()
        motion.save(update_fields=["status", "opened_at", "ballot_key"])
        audit.record(actor=actor, action="vote.opened", obj=motion, after=after)
        # Members are told in the portal (and by mail); their meeting page shows it by itself.
        notify_people(
            meeting,
            list(meeting.expected_members.values_list("person_id", flat=True)),
            _("Voting is open: %(motion)s") % {"motion": motion.text},
            link=motion.get_absolute_url(),
        )
    return motion, check


@transaction.atomic
def cast_vote(*, voter: User, motion: Motion, choice: str) -> str | None:
    """One present, seated member casts one vote (R-VOTE-1, R-VOTE-2, R-VOTE-4); raises
    MeetingError when refused, and Motion.DoesNotExist for no such motion. Returns a secret
    ballot's tracker (None for a named vote).

    A secret ballot leaves a receipt (who) and a ballot (ciphertext, meetings.ballots), never
    the choice. The audit trail records that a ballot was cast, never the secret choice.
    """
    if choice not in rules.Choice:
        raise MeetingError(_("Choose yes, no or abstain."))
    return _cast(voter, motion, choice=choice)


@transaction.atomic
def cast_ballot(*, voter: User, motion: Motion, ballot: bytes) -> str:
    """Cast a secret ballot encrypted elsewhere (meetings.ballots.proofs' encoding): refused,
    with nothing stored, unless its proofs show exactly one choice."""
    tracker = _cast(voter, motion, ballot=ballot)
    assert tracker is not None  # a secret ballot always has one
    return tracker


def _cast(voter: User, motion: Motion, *, choice: str = "", ballot: bytes = b"") -> str | None:
    lock_votes(motion.pk, exclusive=False)
    # Read after the lock, so that a close committed while this vote waited is seen: the
    # motion's status, method and text (for the audit trail), and whether the voter is
    # expected and present (None if not expected), in one query. ``motion`` may be a bare
    # Motion(pk=...) (the vote endpoint's): this read fills what the vote needs.
    seat = ExpectedMember.objects.filter(
        meeting_id=OuterRef("item__meeting_id"), person_id=voter.pk
    ).values("present")
    status, method, text, present, key = (
        Motion.objects.filter(pk=motion.pk)
        .annotate(voter_present=Subquery(seat))
        .values_list("status", "method", "text", "voter_present", "ballot_key")
        .get()
    )
    motion.status, motion.method, motion.text = status, method, text
    if not rules.may(MotionStep.CAST, status):
        raise MeetingError(
            _("This vote is closed; your vote was not counted.")
            if status == MotionStatus.CLOSED
            else _("This vote is not open.")
        )
    if not rules.may_vote(expected=present is not None, present=bool(present)):
        raise MeetingError(_("Only seated members who are checked in can vote."))
    named = method == Motion.Method.NAMED
    if named and not choice:
        raise MeetingError(_("Choose yes, no or abstain."))
    tracker = None
    if not named:
        if key is None:  # opened before secret ballots were encrypted (migration 0007)
            raise MeetingError(
                _("This secret ballot has no ballot key; defer it and put it again.")
            )
        motion.ballot_key = key
        # Encrypted (or checked) before any row is written: a bad ballot stores nothing.
        sealed = ballots.parse(motion, ballot) if ballot else ballots.encrypt(motion, choice)
    try:
        # R-VOTE-2: the unique constraint decides, in a savepoint of its own. (A duplicate
        # ends the vote anyway, but on PostgreSQL the savepoint also gives the receipt and the
        # ballot a transaction id of their own, apart from the audit entry's, whose old
        # version the linking leaves to be pruned: tests/meetings/test_secret_ballot_probe.py
        # finds every voter's rows alike only so.)
        with transaction.atomic():
            if named:
                NamedVote.objects.create(motion=motion, voter=voter, choice=choice)
            else:
                BallotReceipt.objects.create(motion=motion, voter=voter)
                tracker = ballots.store(motion, sealed)
    except IntegrityError:
        raise MeetingError(_("You have already voted on this motion.")) from None
    # A secret ballot's entry says only "X cast a ballot on M": no choice, no tracker (which
    # would link the ballot to X).
    audit.record(
        actor=voter, action="vote.cast", obj=motion, after={"choice": choice} if named else None
    )
    return tracker


@transaction.atomic
def record_show_of_hands(*, actor: User, motion: Motion, choices: dict[int, str]) -> int:
    """Art. 13: the Office (or the chair) records a show of hands in the room: each present
    member's choice, by person id, marked as recorded by ``actor`` and counted with the votes
    cast from phones. Return how many were recorded."""
    lock_votes(motion.pk, exclusive=True)
    motion = Motion.objects.select_for_update(of=("self",)).select_related("item").get(pk=motion.pk)
    motion.item.meeting = lock_meeting(motion.item.meeting_id)
    if motion.method != Motion.Method.NAMED:
        raise MeetingError(_("A secret ballot is not taken by a show of hands."))
    if not rules.may(MotionStep.RECORD_HANDS, motion.status):
        raise _motion_status_refusal(motion)
    present = set(
        ExpectedMember.objects.filter(meeting_id=motion.item.meeting_id, present=True).values_list(
            "person_id", flat=True
        )
    )
    voted = set(motion.named_votes.values_list("voter_id", flat=True))
    why = rules.art13_show_of_hands(present=present, already_voted=voted, recorded=choices)
    if why is not None:
        raise MeetingError(
            {
                "empty": _("Record at least one member's choice."),
                "choice": _("Choose yes, no or abstain."),
                "absent": _("Only members who are checked in can be recorded."),
                "twice": _("A member who has voted cannot be recorded again."),
            }[why]
        )
    NamedVote.objects.bulk_create(
        NamedVote(motion=motion, voter_id=person_id, choice=choice, recorded_by=actor)
        for person_id, choice in sorted(choices.items())
    )
    audit.record(
        actor=actor,
        action="vote.show_of_hands",
        obj=motion,
        after={"choices": {str(k): v for k, v in sorted(choices.items())}},
    )
    return len(choices)


def counts(motion: Motion) -> dict[str, int]:
    """Return the named votes cast so far by choice (a secret ballot has none to show: its
    totals are known only once counted, meetings.ballots)."""
    if motion.method != Motion.Method.NAMED:
        return {}
    return dict(motion.named_votes.values_list("choice").annotate(n=Count("id")))


def voted_count(motion: Motion) -> int:
    """Return how many have voted ("n of m have voted")."""
    if motion.method == Motion.Method.NAMED:
        return motion.named_votes.count()
    return motion.receipts.count()


@dataclass(frozen=True)
class VoterView:
    """What the voting page shows a person about a motion: the meeting's attendance, their
    own seat (None if not expected), whether they have voted (and how, if named), and how many
    have voted so far."""

    numbers: rules.Attendance
    me: ExpectedMember | None
    has_voted: bool
    my_choice: str | None
    voted: int


# How long the attendance numbers a voting page shows are kept under the meeting's revision,
# which every change of attendance moves on (services._common.lock_meeting): a new revision is a
# new key, so this only bounds how long an unused entry stays.
ATTENDANCE_CACHE_SECONDS = 300


def voter_view(motion: Motion, person: User) -> VoterView:
    """Return what ``person`` sees of ``motion`` on the voting page. ``motion.item.meeting``
    is read with the motion (its revision keys the cache).

    The attendance with the person's own seat is one aggregate, cached under the meeting's
    revision: every phone polls this page while a vote is open, and the aggregate's filtered
    counts cost more to build than the whole rest of the panel (bench: the vote panel). The
    votes, which move with every vote, are read each time, in one query."""
    meeting = motion.item.meeting
    key = f"meetings:attendance:{meeting.pk}:{meeting.revision}"
    seat_key = f"{key}:{person.pk}"
    cached = cache.get_many([key, seat_key])
    if key in cached and seat_key in cached:
        numbers, seat = cached[key], cached[seat_key]
    else:
        mine = Q(person_id=person.pk)
        row = ExpectedMember.objects.filter(meeting_id=meeting.pk).aggregate(
            **ATTENDANCE_COUNTS,
            me=Max("pk", filter=mine),
            me_present=Count("pk", filter=mine & Q(present=True)),
        )
        numbers = attendance_of(row)
        seat = (row["me"], bool(row["me_present"])) if row["me"] is not None else ()
        cache.set_many({key: numbers, seat_key: seat}, ATTENDANCE_CACHE_SECONDS)
    me = None
    if seat:
        me = ExpectedMember(pk=seat[0], meeting_id=meeting.pk, person_id=person.pk)
        me.present = seat[1]
    if motion.method == Motion.Method.NAMED:
        votes = motion.named_votes.aggregate(
            voted=Count("pk"), mine=Max("choice", filter=Q(voter_id=person.pk))
        )
        choice, has_voted = votes["mine"], votes["mine"] is not None
    else:
        votes = motion.receipts.aggregate(
            voted=Count("pk"), mine=Count("pk", filter=Q(voter_id=person.pk))
        )
        choice, has_voted = None, votes["mine"] > 0
    return VoterView(
        numbers=numbers,
        me=me,
        has_voted=has_voted,
        my_choice=choice,
        voted=votes["voted"],
    )


@gated
def close_vote(*, actor: User, motion: Motion) -> tuple[Motion, QuorumCheck]:
    """Close a vote with quorum (R-MEET-2) and count it under its rule (R-VOTE-3)."""
    motion = _lock_motion(motion)
    if not rules.may(MotionStep.CLOSE, motion.status):
        raise InvalidTransition(_("This vote is not open."))
    meeting = motion.item.meeting
    check = record_gate(actor, meeting, QuorumCheck.Gate.CLOSE_VOTE, motion)
    if check.passed and motion.method == Motion.Method.SECRET:
        # Closed, not yet counted: the scrutineers count it (count_secret).
        motion.status, motion.closed_at = MotionStatus.CLOSED, timezone.now()
        motion.expected, motion.present = check.expected, check.present
        motion.save(update_fields=["status", "closed_at", "expected", "present"])
        audit.record(
            actor=actor,
            action="vote.closed",
            obj=motion,
            after={"ballots": motion.receipts.count(), "counted": False},
        )
    elif check.passed:
        result = rules.tally(
            counts(motion),
            basis=rules.Basis(motion.basis),
            threshold=rules.Threshold(motion.threshold),
            expected=check.expected,
            present=check.present,
        )
        motion.status, motion.closed_at = MotionStatus.CLOSED, timezone.now()
        motion.expected, motion.present = check.expected, check.present
        motion.yes, motion.no, motion.abstain = result.yes, result.no, result.abstain
        motion.base, motion.required, motion.passed = result.base, result.required, result.passed
        motion.save(
            update_fields=[
                "status",
                "closed_at",
                "expected",
                "present",
                "yes",
                "no",
                "abstain",
                "base",
                "required",
                "passed",
            ]
        )
        audit.record(
            actor=actor,
            action="vote.closed",
            obj=motion,
            after={
                "yes": result.yes,
                "no": result.no,
                "abstain": result.abstain,
                "base": result.base,
                "required": result.required,
                "passed": result.passed,
            },
        )
        # Inside the transaction: what the apps above make of the count commits with it.
        signals.motion_counted.send(sender=Motion, motion=motion, actor=actor)
    return motion, check


@transaction.atomic
def defer_vote(*, actor: User, motion: Motion, reason: str) -> Motion:
    """暂缓表决 (R-VOTE-5): set a vote aside with a reason; ballots already cast are not counted."""
    motion = _lock_motion(motion)
    if not rules.may(MotionStep.DEFER, motion.status):
        raise _motion_status_refusal(motion)
    if not reason.strip():
        raise MeetingError(_("Give a reason."))
    before = {"status": motion.status}
    motion.status, motion.deferred_reason, motion.closed_at = (
        MotionStatus.DEFERRED,
        reason.strip(),
        timezone.now(),
    )
    motion.save(update_fields=["status", "deferred_reason", "closed_at"])
    audit.record(
        actor=actor, action="vote.deferred", obj=motion, before=before, after={"reason": reason}
    )
    return motion
