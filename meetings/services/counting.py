"""Counting a closed secret ballot (Art. 13, R-VOTE-1): the scrutineers confirm the count
with their passwords, which decrypts the box's sums and never a single ballot; or, as a paper
fallback, the Office records the totals counted in the room and two scrutineers confirm them.
Either way the count stands in one place (_count_stands): the result saved, the shares
destroyed, the count audited and the apps above told.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from infogov import audit
from meetings import rules, signals
from meetings.ballots import proofs
from meetings.ballots import services as ballots
from meetings.ballots.models import PaperCount, Scrutineer
from meetings.models import Motion
from meetings.rules import MotionStatus
from meetings.services.errors import InvalidTransition, MeetingError
from meetings.services.votes import _lock_motion
from members.models import User


def _save_result(motion: Motion, yes: int, no: int, abstain: int, counted: str) -> rules.Tally:
    result = rules.tally(
        {"yes": yes, "no": no, "abstain": abstain},
        basis=rules.Basis(motion.basis),
        threshold=rules.Threshold(motion.threshold),
        expected=motion.expected or 0,  # both are set when the vote opens
        present=motion.present or 0,
    )
    motion.yes, motion.no, motion.abstain = result.yes, result.no, result.abstain
    motion.base, motion.required, motion.passed = result.base, result.required, result.passed
    motion.counted = counted
    motion.save(update_fields=["yes", "no", "abstain", "base", "required", "passed", "counted"])
    return result


def _count_stands(
    actor: User, motion: Motion, yes: int, no: int, abstain: int, counted: str
) -> None:
    """A secret ballot's totals stand (decrypted, or on paper confirmed by two scrutineers):
    the result is saved, the shares destroyed, the count audited, and the apps above told."""
    result = _save_result(motion, yes, no, abstain, counted)
    ballots.destroy_shares(motion)
    how = {"verified": True} if counted == Motion.Counted.CRYPTO else {"paper": True}
    audit.record(
        actor=actor,
        action="vote.counted",
        obj=motion,
        after={
            "yes": result.yes,
            "no": result.no,
            "abstain": result.abstain,
            "passed": result.passed,
            **how,
        },
    )
    signals.motion_counted.send(sender=Motion, motion=motion, actor=actor)


def _lock_uncounted(motion: Motion, actor: User) -> tuple[Motion, Scrutineer]:
    """The closed, uncounted secret ballot locked, and the actor's scrutineer row."""
    motion = _lock_motion(motion)
    if motion.method != Motion.Method.SECRET or motion.status != MotionStatus.CLOSED:
        raise InvalidTransition(_("Only a closed secret ballot is counted."))
    if motion.counted:
        raise InvalidTransition(_("This ballot has been counted."))
    scrutineer = Scrutineer.objects.filter(motion=motion, person=actor).first()
    if scrutineer is None:
        raise MeetingError(_("Only this ballot's scrutineers count it."))
    return motion, scrutineer


def _password_checked(actor: User, password: str) -> None:
    if not password or not actor.check_password(password):
        raise MeetingError(_("Wrong password."))


@transaction.atomic
def count_secret(*, actor: User, motion: Motion, password: str) -> Motion:
    """A scrutineer confirms the count with their password (R-VOTE-1): their share, unsealed,
    decrypts the box's sums (never a single ballot), with a proof. Once two have, the totals
    are decrypted and checked, the result saved and the shares destroyed; with fewer the
    motion stays closed, not yet counted."""
    motion, scrutineer = _lock_uncounted(motion, actor)
    if scrutineer.partial is not None:
        raise MeetingError(_("You have confirmed the count; another scrutineer must too."))
    _password_checked(actor, password)
    share = ballots.unseal(scrutineer, actor, password)
    try:
        box = [
            proofs.Ballot.from_bytes(data, len(ballots.CHOICES))
            for _t, data in ballots._ballots(motion)
        ]
    except ballots.InvalidBallotData:
        raise MeetingError(
            _("The ballot box does not check; it was not counted. Ask the Office.")
        ) from None
    sums = ballots.totals(box)
    points, proof_bytes = ballots.partials_of(
        share, bytes(scrutineer.commitment), sums, motion.pk, scrutineer.index
    )
    ballots.give_partial(scrutineer, sums, points, proof_bytes)
    confirmed = Scrutineer.objects.filter(motion=motion, partial__isnull=False).count()
    audit.record(actor=actor, action="vote.count_confirmed", obj=motion)
    if rules.art13_may_count(confirmed=confirmed):
        count = ballots.count_now(motion, motion.receipts.count())
        _count_stands(actor, motion, count.yes, count.no, count.abstain, Motion.Counted.CRYPTO)
    return motion


@transaction.atomic
def record_paper_count(*, actor: User, motion: Motion, yes: int, no: int, abstain: int) -> Motion:
    """Paper fallback (Art. 13): the Office records a secret ballot's totals counted on paper
    in the room; they stand once two scrutineers confirm them."""
    motion = _lock_motion(motion)
    if motion.method != Motion.Method.SECRET or motion.status != MotionStatus.CLOSED:
        raise InvalidTransition(_("Only a closed secret ballot is counted."))
    if motion.counted:
        raise InvalidTransition(_("This ballot has been counted."))
    ballots.record_paper_count(actor=actor, motion=motion, yes=yes, no=no, abstain=abstain)
    return motion


@transaction.atomic
def confirm_paper_count(*, actor: User, motion: Motion, password: str) -> Motion:
    """A scrutineer confirms the paper totals with their password; two make them the result,
    marked as paper."""
    motion, scrutineer = _lock_uncounted(motion, actor)
    paper = PaperCount.objects.filter(motion=motion).first()
    if paper is None:
        raise MeetingError(_("No paper totals have been recorded."))
    if scrutineer.paper_confirmed:
        raise MeetingError(_("You have confirmed the paper totals; another scrutineer must too."))
    _password_checked(actor, password)
    scrutineer.paper_confirmed = True
    scrutineer.save(update_fields=["paper_confirmed"])
    audit.record(actor=actor, action="vote.paper_confirmed", obj=motion)
    confirmed = Scrutineer.objects.filter(motion=motion, paper_confirmed=True).count()
    if rules.art13_may_count(confirmed=confirmed):
        _count_stands(actor, motion, paper.yes, paper.no, paper.abstain, Motion.Counted.PAPER)
    return motion
