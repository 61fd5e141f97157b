"""R-VOTE-1: a secret ballot cannot be linked to its voter, read straight from the database.

Who has voted is known (the receipts); what they voted is only in three counters per motion,
which hold no voter, no time and no order of casting.
"""

import json
from dataclasses import dataclass

import pytest
from django.db import connection

from infogov.models import AuditEntry
from meetings import services
from meetings.models import ExpectedMember, Meeting, Motion
from members import services as roster_services
from members.models import Role, User

pytestmark = pytest.mark.usefixtures("english")

EXTRA_MEMBERS = 100
# A known pattern, cast in seat order: per ten ballots 5 yes, 3 no, 2 abstain.
PATTERN = ["yes", "no", "yes", "abstain", "yes", "no", "yes", "no", "yes", "abstain"]
BALLOTS = [PATTERN[i % len(PATTERN)] for i in range(100)]
EXPECTED_COUNTS = {"yes": 50, "no": 30, "abstain": 20}


def _rows(sql: str, params=()) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [column[0] for column in cursor.description], cursor.fetchall()


def _tally_rows(motion: Motion) -> list[dict]:
    """The ballot box of ``motion`` as stored, in the order the database returns it."""
    columns, rows = _rows("SELECT * FROM meetings_secrettally")
    rows = [dict(zip(columns, row, strict=True)) for row in rows]
    return [row for row in rows if row["motion_id"] == motion.pk]


@dataclass
class Ballot:
    meeting: Meeting
    motion: Motion
    voters: list[User]
    box_at_opening: list[dict]
    # The box's rows as the database returns them, at opening and after each ballot.
    traces: list[tuple[tuple, ...]]


@pytest.fixture
def large_meeting(roster, office_clerk, leader, draft) -> Meeting:
    """The plenary with 100 members seated today (before convening, a fortnight before the
    meeting): 116 expected, all checked in by the Office, in session."""
    for i in range(EXTRA_MEMBERS):
        person = User.objects.create(username=f"extra{i:03d}", full_name=f"增补委员{i:03d}")
        seat = roster_services.add_seat(
            actor=office_clerk, body=roster.leading_group, role=Role.MEMBER
        )
        roster_services.fill_seat(actor=office_clerk, seat=seat, person=person)
    meeting = services.convene_meeting(actor=leader, meeting=draft)
    assert meeting.expected_members.count() == 116
    for expected in meeting.expected_members.order_by("order"):
        services.check_in(actor=office_clerk, member=expected, by_office=True)
    return services.open_meeting(actor=office_clerk, meeting=meeting)


def _open_secret_motion(meeting: Meeting, actor: User, title: str) -> Motion:
    item = services.add_agenda_item(actor=actor, meeting=meeting, title=title, is_major=True)
    motion = services.create_motion(
        actor=actor, item=item, text="同意", method=Motion.Method.SECRET
    )
    return services.open_vote(actor=actor, motion=motion)


def _trace(motion: Motion) -> tuple[tuple, ...]:
    """The box's rows in the order returned: id, where the row is stored, what wrote it last.

    PostgreSQL rewrites a row on every update: ``ctid`` is where the current version lies,
    ``xmin`` the (sub)transaction that wrote it. SQLite updates in place under its rowid.
    """
    if connection.vendor == "postgresql":
        sql = "SELECT id, ctid::text, xmin::text FROM meetings_secrettally WHERE motion_id = %s"
    else:
        sql = "SELECT id, rowid, NULL FROM meetings_secrettally WHERE motion_id = %s"
    return tuple(_rows(sql, [motion.pk])[1])


def _cast(motion: Motion, voters: list[User], choices: list[str]) -> list[tuple[tuple, ...]]:
    """Cast ``choices`` in order; return the box's trace after each ballot."""
    traces = []
    for voter, choice in zip(voters, choices, strict=True):
        services.cast_vote(voter=voter, motion=motion, choice=choice)
        traces.append(_trace(motion))
    return traces


@pytest.fixture
def ballot(large_meeting, office_clerk) -> Ballot:
    """A secret vote on which the first 100 members in seat order cast BALLOTS."""
    motion = _open_secret_motion(large_meeting, office_clerk, "校园网升级改造")
    box_at_opening, trace_at_opening = _tally_rows(motion), _trace(motion)
    voters = [
        m.person
        for m in ExpectedMember.objects.filter(meeting=large_meeting)
        .select_related("person")
        .order_by("order")[:100]
    ]
    traces = [trace_at_opening, *_cast(motion, voters, BALLOTS)]
    return Ballot(large_meeting, motion, voters, box_at_opening, traces)


def test_the_ballot_box_has_no_column_for_a_voter_or_a_time(ballot):
    columns, _all_rows = _rows("SELECT * FROM meetings_secrettally")
    assert set(columns) == {"id", "motion_id", "choice", "count"}


def test_the_ballot_box_holds_three_counters_that_match_the_ballots(ballot):
    box = _tally_rows(ballot.motion)
    assert len(box) == 3
    assert {row["choice"]: row["count"] for row in box} == EXPECTED_COUNTS
    assert services.counts(ballot.motion) == EXPECTED_COUNTS
    assert services.voted_count(ballot.motion) == 100


def test_the_ballot_box_was_laid_out_before_any_vote_and_keeps_its_ids(ballot):
    # The counters were created when the vote opened, one per choice, all at zero.
    first = min(row["id"] for row in ballot.box_at_opening)
    assert sorted((row["id"], row["choice"], row["count"]) for row in ballot.box_at_opening) == [
        (first, "yes", 0),
        (first + 1, "no", 0),
        (first + 2, "abstain", 0),
    ]
    # After 100 ballots the same three rows hold the counts: no id was made by a ballot.
    assert sorted((row["id"], row["choice"]) for row in _tally_rows(ballot.motion)) == sorted(
        (row["id"], row["choice"]) for row in ballot.box_at_opening
    )
    assert [{row[0] for row in trace} for trace in ballot.traces] == [
        {first, first + 1, first + 2}
    ] * 101


def test_sqlite_returns_the_box_in_the_same_order_after_every_ballot(ballot):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite updates rows in place")
    opening = ballot.traces[0]
    assert [row[0] for row in opening] == sorted(row[0] for row in opening)
    assert set(ballot.traces) == {opening}


def test_every_ballot_rewrites_all_three_counters_on_postgresql(ballot):
    # Were only the chosen counter rewritten, its new location (ctid) and its writer (xmin,
    # shared with the voter's receipt) would single it out, and the order the rows come back
    # in would put it last: the choice of each voter could be read off, ballot by ballot.
    if connection.vendor != "postgresql":
        pytest.skip("ctid and xmin are PostgreSQL system columns")
    _columns, receipts = _rows(
        "SELECT voter_id, xmin::text FROM meetings_ballotreceipt WHERE motion_id = %s",
        [ballot.motion.pk],
    )
    receipt_xmin = dict(receipts)
    steps = zip(ballot.voters, ballot.traces[:-1], ballot.traces[1:], strict=True)
    for voter, before, after in steps:
        location_before = {row_id: ctid for row_id, ctid, _xmin in before}
        moved = {row_id for row_id, ctid, _xmin in after if ctid != location_before[row_id]}
        assert len(moved) == 3
        # One writer for all three: the voter's own, which the receipt names anyway.
        assert {xmin for _row_id, _ctid, xmin in after} == {receipt_xmin[voter.pk]}


def test_the_receipts_say_who_voted_and_not_how(ballot):
    columns, rows = _rows("SELECT * FROM meetings_ballotreceipt")
    assert set(columns) == {"id", "motion_id", "voter_id"}
    receipts = [dict(zip(columns, row, strict=True)) for row in rows]
    assert sorted(r["voter_id"] for r in receipts if r["motion_id"] == ballot.motion.pk) == sorted(
        voter.pk for voter in ballot.voters
    )


def test_no_key_or_column_joins_receipts_to_the_ballot_box(ballot):
    with connection.cursor() as cursor:
        receipt_keys = connection.introspection.get_relations(cursor, "meetings_ballotreceipt")
        tally_keys = connection.introspection.get_relations(cursor, "meetings_secrettally")
        receipt_columns = {
            c.name
            for c in connection.introspection.get_table_description(
                cursor, "meetings_ballotreceipt"
            )
        }
        tally_columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "meetings_secrettally")
        }
    # Each relation is (referenced column, referenced table, ...).
    assert {column: ref[:2] for column, ref in receipt_keys.items()} == {
        "motion_id": ("id", "meetings_motion"),
        "voter_id": ("id", "members_user"),
    }
    assert {column: ref[:2] for column, ref in tally_keys.items()} == {
        "motion_id": ("id", "meetings_motion")
    }
    # Both belong to a motion; nothing finer is shared (their ids are separate sequences).
    assert receipt_columns & tally_columns == {"id", "motion_id"}


def test_the_audit_trail_of_secret_ballots_holds_no_choice(ballot):
    casts = AuditEntry.objects.for_object(ballot.motion).filter(action="vote.cast").order_by("id")
    assert [entry.actor for entry in casts] == ballot.voters
    assert {(entry.before, entry.after) for entry in casts} == {(None, None)}
    for entry in AuditEntry.objects.for_object(ballot.motion):
        assert "choice" not in json.dumps([entry.before, entry.after])


def test_named_votes_are_stored_with_their_voter(large_meeting, office_clerk):
    item = services.add_agenda_item(actor=office_clerk, meeting=large_meeting, title="通报")
    motion = services.create_motion(actor=office_clerk, item=item, text="同意")
    services.open_vote(actor=office_clerk, motion=motion)
    voters = [
        m.person
        for m in large_meeting.expected_members.select_related("person").order_by("order")[:10]
    ]
    _cast(motion, voters, PATTERN)

    _columns, rows = _rows(
        "SELECT voter_id, choice FROM meetings_namedvote WHERE motion_id = %s", [motion.pk]
    )
    assert set(rows) == {(voter.pk, choice) for voter, choice in zip(voters, PATTERN, strict=True)}
    assert not _tally_rows(motion)
