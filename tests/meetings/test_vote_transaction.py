"""The vote outside any test transaction, as it runs in production: one transaction of its own
on either database, a savepoint within a caller's. Every outcome leaves the connection outside
a transaction, a refusal writes nothing, and a vote in a failed caller's transaction goes with
it, on either database."""

import pytest
from django.db import connection, transaction

from infogov.models import AuditEntry
from meetings import services
from meetings.ballots.models import Ballot
from meetings.models import BallotReceipt, ExpectedMember, Motion, NamedVote
from meetings.services import MeetingError
from tests.meetings import ballot_helpers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_vote(session, leader):
    def open_vote(method: str) -> Motion:
        item = services.add_agenda_item(actor=leader, meeting=session, title=f"议题 {method}")
        motion = services.create_motion(actor=leader, item=item, text="同意", method=method)
        return ballot_helpers.open_vote(actor=leader, motion=motion)

    return open_vote


def outside_a_transaction() -> bool:
    if connection.vendor == "postgresql":
        from psycopg.pq import TransactionStatus

        return connection.connection.info.transaction_status == TransactionStatus.IDLE
    return not connection.connection.in_transaction


def writes() -> tuple[int, ...]:
    return (
        NamedVote.objects.count(),
        BallotReceipt.objects.count(),
        Ballot.objects.count(),
        AuditEntry.objects.filter(action="vote.cast").count(),
    )


@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_every_outcome_ends_its_transaction(english, open_vote, session, leader, member, method):
    motion = open_vote(method)
    assert connection.get_autocommit() and not connection.in_atomic_block

    services.cast_vote(voter=member, motion=motion, choice="yes")
    assert outside_a_transaction()
    counted = writes()

    absent = ExpectedMember.objects.get(meeting=session, present=False).person
    for voter, message in ((member, "already voted"), (absent, "checked in"), (None, "closed")):
        if voter is None:
            ballot_helpers.close_and_count(actor=leader, motion=motion)
            voter = leader
        with pytest.raises(MeetingError, match=message):
            services.cast_vote(voter=voter, motion=motion, choice="no")
        assert outside_a_transaction()
        assert writes() == counted
    with pytest.raises(Motion.DoesNotExist):
        services.cast_vote(voter=member, motion=Motion(pk=motion.pk + 1000), choice="yes")
    assert outside_a_transaction()

    assert counted[3] == 1
    assert counted[:3] == ((1, 0, 0) if method == Motion.Method.NAMED else (0, 1, 1))
    assert Motion.objects.get(pk=motion.pk).yes == 1


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


def test_a_vote_that_waits_too_long_for_its_lock_is_refused(
    english, open_vote, member, monkeypatch
):
    """A close that never ends (a stuck transaction holding the vote lock exclusive) makes a
    vote wait at most the lock timeout; then it is refused with a message and writes nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("the vote lock is PostgreSQL's; SQLite serialises writers")
    import psycopg

    from meetings.services import votes

    motion = open_vote(Motion.Method.NAMED)
    monkeypatch.setattr(votes, "LOCK_TIMEOUT", "200ms")
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        dbname=database["NAME"],
    ) as stuck:
        stuck.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [votes.VOTE_LOCK_NAMESPACE, motion.pk]
        )
        with pytest.raises(MeetingError, match="The vote is busy; please try again"):
            services.cast_vote(voter=member, motion=motion, choice="yes")
        stuck.rollback()

    assert outside_a_transaction()
    assert writes() == (0, 0, 0, 0)
    services.cast_vote(voter=member, motion=motion, choice="yes")  # once the lock is free
    assert writes() == (1, 0, 0, 1)
