"""The vote outside any test transaction, as it runs in production: on PostgreSQL it writes its
own BEGIN ... COMMIT (services._cast_vote_postgresql), and a savepoint within a caller's
transaction. Every outcome leaves the connection outside a transaction, a refusal writes
nothing, and a vote in a failed caller's transaction goes with it, on either database."""

import pytest
from django.db import connection, transaction

from infogov.models import AuditEntry
from meetings import services
from meetings.models import BallotReceipt, ExpectedMember, Motion, NamedVote, SecretTally
from meetings.services import MeetingError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_session(convened, office_clerk, check_in_first):
    """In session with 15 of 16 present: all but the last seat."""
    check_in_first(convened, 15)
    return services.open_meeting(actor=office_clerk, meeting=convened)


@pytest.fixture
def open_vote(in_session, leader):
    def open_vote(method: str) -> Motion:
        item = services.add_agenda_item(actor=leader, meeting=in_session, title=f"议题 {method}")
        motion = services.create_motion(actor=leader, item=item, text="同意", method=method)
        return services.open_vote(actor=leader, motion=motion)

    return open_vote


def outside_a_transaction() -> bool:
    if connection.vendor == "postgresql":
        from psycopg.pq import TransactionStatus

        return connection.connection.info.transaction_status == TransactionStatus.IDLE
    return not connection.connection.in_transaction


def writes() -> tuple[int, ...]:
    tallies = sum(SecretTally.objects.values_list("count", flat=True))
    return (
        NamedVote.objects.count(),
        BallotReceipt.objects.count(),
        tallies,
        AuditEntry.objects.filter(action="vote.cast").count(),
    )


@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_every_outcome_ends_its_transaction(english, open_vote, in_session, leader, member, method):
    motion = open_vote(method)
    assert connection.get_autocommit() and not connection.in_atomic_block

    services.cast_vote(voter=member, motion=motion, choice="yes")
    assert outside_a_transaction()
    counted = writes()

    absent = ExpectedMember.objects.get(meeting=in_session, present=False).person
    for voter, message in ((member, "already voted"), (absent, "checked in"), (None, "closed")):
        if voter is None:
            services.close_vote(actor=leader, motion=motion)
            voter = leader
        with pytest.raises(MeetingError, match=message):
            services.cast_vote(voter=voter, motion=motion, choice="no")
        assert outside_a_transaction()
        assert writes() == counted
    with pytest.raises(Motion.DoesNotExist):
        services.cast_vote_by_id(voter=member, motion_id=motion.pk + 1000, choice="yes")
    assert outside_a_transaction()

    assert counted[3] == 1
    assert counted[:3] == ((1, 0, 0) if method == Motion.Method.NAMED else (0, 1, 1))
    assert services.counts(Motion.objects.get(pk=motion.pk))["yes"] == 1


@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_within_a_transaction_a_savepoint_stands_in(english, open_vote, leader, member, method):
    motion = open_vote(method)
    counted = (1, 0, 0, 1) if method == Motion.Method.NAMED else (0, 1, 1, 1)

    with transaction.atomic():
        services.cast_vote(voter=member, motion=motion, choice="yes")
        with pytest.raises(MeetingError, match="already voted"):
            services.cast_vote(voter=member, motion=motion, choice="no")
        assert writes() == counted  # the enclosing transaction goes on
    assert writes() == counted
    assert outside_a_transaction()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.cast_vote(voter=leader, motion=motion, choice="no")
        raise RuntimeError("the caller's transaction fails")
    assert writes() == counted  # the vote went with it
