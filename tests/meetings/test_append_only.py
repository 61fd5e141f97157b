"""Art. 13-15, R-MIN-2: what a meeting counted and decided is never changed once written. On
PostgreSQL the serving role is refused UPDATE, DELETE and TRUNCATE of named votes, ballot
receipts, decisions, issued minutes and counted motions (meetings migration 0006); an open
motion still changes as the meeting runs. On SQLite each refuses UPDATE."""

import pytest
from django.apps import apps
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone

from meetings import services
from meetings.models import BallotReceipt, Decision, Meeting, Motion, NamedVote
from tests.db_roles import serving_role
from tests.meetings import ballot_helpers

postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")


@pytest.fixture
def counted(in_session, leader, member, office_clerk):
    """A named vote and a secret ballot, each cast by two members and closed, and a decision
    on the named one; then a third motion left open. Minutes issued for the meeting."""
    item = services.add_agenda_item(actor=office_clerk, meeting=in_session, title="审议事项")
    motions = {}
    for method in (Motion.Method.NAMED, Motion.Method.SECRET):
        motion = services.create_motion(actor=leader, item=item, text="同意", method=method)
        ballot_helpers.open_vote(actor=leader, motion=motion)
        for voter in (leader, member):
            services.cast_vote(voter=voter, motion=motion, choice="yes")
        motions[method] = ballot_helpers.close_and_count(actor=leader, motion=motion)
    decision = services.record_decision(
        actor=office_clerk, item=item, text="同意。", motion=motions[Motion.Method.NAMED]
    )
    other = services.add_agenda_item(actor=office_clerk, meeting=in_session, title="另议事项")
    open_motion = services.create_motion(actor=leader, item=other, text="另议")
    IssuedMinutes = apps.get_model("meetings", "IssuedMinutes")
    minutes = apps.get_model("meetings", "Minutes").objects.create(meeting=in_session, title="纪要")
    issued = IssuedMinutes.objects.create(
        minutes=minutes,
        body=in_session.body,
        year=2026,
        sequence=1,
        number="信息化纪要〔2026〕1号",
        title="纪要",
        content={},
        content_sha256="0" * 64,
        pdf=b"%PDF",
        pdf_sha256="1" * 64,
        signer=leader,
        signer_certificate="CN=孙其信",
        signed_at=timezone.now(),
    )
    return {
        "meetings_motion": motions[Motion.Method.NAMED].pk,
        "meetings_namedvote": NamedVote.objects.filter(motion=motions["named"]).first().pk,
        "meetings_ballotreceipt": BallotReceipt.objects.filter(motion=motions["secret"]).first().pk,
        "meetings_decision": decision.pk,
        "meetings_issuedminutes": issued.pk,
        "open": open_motion.pk,
    }


COLUMN = {
    "meetings_motion": "text",
    "meetings_namedvote": "choice",
    "meetings_ballotreceipt": "voter_id",
    "meetings_decision": "text",
    "meetings_issuedminutes": "title",
}


def _refused(statement: str, match: str) -> None:
    with (
        pytest.raises(ProgrammingError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def _value(table: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMN[table]} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@postgresql
def test_the_serving_role_cannot_change_or_remove_what_was_counted(counted):
    before = {table: _value(table, counted[table]) for table in COLUMN}

    with serving_role():
        for table in COLUMN:
            _refuse_each_statement(table, counted[table])

    assert {table: _value(table, counted[table]) for table in COLUMN} == before


def _refuse_each_statement(table: str, pk: int) -> None:
    refused = f"infogov: %s of {table} refused: its rows are never changed once written"
    column = COLUMN[table]
    _refused(f"UPDATE {table} SET {column} = {column} WHERE id = {pk}", refused % "UPDATE")
    _refused(f"DELETE FROM {table} WHERE id = {pk}", refused % "DELETE")
    _refused(f"TRUNCATE {table} CASCADE", "infogov: TRUNCATE of meetings_")
    _refused(f"ALTER TABLE {table} DISABLE TRIGGER USER", "must be owner of table")
    _refused("SET session_replication_role = replica", "permission denied to set parameter")


@postgresql
def test_truncating_the_meeting_table_cannot_cascade_into_what_was_counted(counted):
    with serving_role():
        _refused("TRUNCATE meetings_meeting CASCADE", "infogov: TRUNCATE of meetings_")

    assert Meeting.objects.count() == 1 and Decision.objects.count() == 1


@postgresql
def test_an_open_motion_still_changes_and_then_no_more(counted, leader):
    with serving_role():
        motion = ballot_helpers.open_vote(
            actor=leader, motion=Motion.objects.get(pk=counted["open"])
        )
        ballot_helpers.close_and_count(actor=leader, motion=motion)  # counted: its last change
        _refused(
            f"UPDATE meetings_motion SET passed = NOT passed WHERE id = {motion.pk}",
            "infogov: UPDATE of meetings_motion refused",
        )

    assert Motion.objects.get(pk=motion.pk).status == Motion.Status.CLOSED


@postgresql
def test_the_owner_may_still_change_what_was_counted(counted):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meetings_decision SET text = '更正' WHERE id = %s",
            [counted["meetings_decision"]],
        )

    assert Decision.objects.get(pk=counted["meetings_decision"]).text == "更正"


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_what_was_counted_refuses_update(counted):
    before = {table: _value(table, counted[table]) for table in COLUMN}

    for table, column in COLUMN.items():
        with (
            pytest.raises(IntegrityError, match=r"refused: its rows are never changed|immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"UPDATE {table} SET {column} = {column} WHERE id = %s", [counted[table]]
            )

    assert {table: _value(table, counted[table]) for table in COLUMN} == before
