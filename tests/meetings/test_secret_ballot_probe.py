"""R-VOTE-1 probed as the issue's attacker would: a superuser reading every tuple version of
every table (pageinspect: live rows and the dead versions MVCC leaves behind) and the admin,
after a secret ballot cast through HTTP in a known order. They can tell who voted, and which
ciphertext each voter's transaction wrote; not what any voter chose.

PostgreSQL only (pageinspect); each vote commits on its own, as in production.
"""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.ballots import proofs
from meetings.ballots.models import Ballot
from meetings.models import Motion
from tests.meetings import ballot_helpers

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pageinspect reads PostgreSQL's heap pages"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

PATTERN = ["yes", "no", "yes", "abstain", "yes", "no", "abstain", "no", "yes", "abstain"] + [
    "yes"
] * 5


def current_xid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text")
        return int(cursor.fetchone()[0]) & 0xFFFFFFFF


def every_tuple_version(since: int) -> list[tuple[str, str, bytes]]:
    """(table, xmin, data) of every tuple version on every heap page of every table of the
    schema and of their TOAST tables, dead versions included, written since transaction
    ``since`` (earlier tests leave their dead versions behind in the same tables)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute(
            "SELECT c.oid::regclass::text,"
            " pg_relation_size(c.oid) / current_setting('block_size')::int"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 't')"
            " AND (n.nspname = current_schema() OR c.oid IN (SELECT reltoastrelid FROM pg_class"
            "  JOIN pg_namespace m ON m.oid = relnamespace WHERE m.nspname = current_schema()))"
        )
        relations = cursor.fetchall()
        out = []
        for name, pages in relations:
            for page in range(pages):
                cursor.execute(
                    "SELECT t_xmin::text, t_data FROM heap_page_items(get_raw_page(%s, %s))"
                    " WHERE t_data IS NOT NULL",
                    [name, page],
                )
                out += [
                    (name, xmin, bytes(data))
                    for xmin, data in cursor.fetchall()
                    if xmin is not None and int(xmin) >= since
                ]
    return out


def test_no_tuple_version_links_a_ballot_to_its_voter(in_session, leader, office_clerk, admin):
    since = current_xid()
    item = services.add_agenda_item(actor=leader, meeting=in_session, title="探针", is_major=True)
    motion = services.create_motion(
        actor=leader, item=item, text="同意", method=Motion.Method.SECRET
    )
    motion = ballot_helpers.open_vote(actor=leader, motion=motion)
    voters = [m.person for m in in_session.expected_members.select_related("person")][
        : len(PATTERN)
    ]
    for voter, choice in zip(voters, PATTERN, strict=True):  # in seat order, through HTTP
        client = Client()
        client.force_login(voter)
        confirm = client.post(
            reverse("meetings:vote_confirm", args=[motion.pk]), {"choice": choice}
        )
        assert confirm.status_code == 200
        response = client.post(reverse("meetings:cast_vote", args=[motion.pk]), {"choice": choice})
        assert response.status_code == 302
    motion = services.close_vote(actor=leader, motion=motion)

    versions = every_tuple_version(since)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT voter_id, xmin::text FROM meetings_ballotreceipt WHERE motion_id = %s",
            [motion.pk],
        )
        receipt_xmin = dict(cursor.fetchall())
    by_xmin: dict[str, list[tuple[str, bytes]]] = {}
    for table, xmin, data in versions:
        by_xmin.setdefault(xmin, []).append((table, data))

    # No version of any row holds a choice in clear, nor a key that names one.
    for table, _xmin, data in versions:
        assert b"abstain" not in data, table
        assert b'"choice"' not in data, table
    # Each voter's transaction wrote the same tables, whatever the choice: a receipt, one
    # ballot, one audit entry ("X cast a ballot"), and nothing else that varies with it.
    shapes = {}
    for voter, choice in zip(voters, PATTERN, strict=True):
        written = by_xmin[receipt_xmin[voter.pk]]
        shape = sorted((table, len(data)) for table, data in written)
        shapes.setdefault(choice, set()).add(tuple(shape))
        assert [t for t, _d in written].count("meetings_ballot") == 1
    assert len(set().union(*shapes.values())) == 1, shapes
    # The ballot each transaction wrote is a valid ciphertext, and no two ballots, even for the
    # same choice, share any 32 bytes: nothing in them is deterministic in the choice.
    key = bytes(motion.ballot_key)
    stored = [bytes(b.data) for b in Ballot.objects.filter(motion=motion)]
    raw = [
        next(data for table, data in by_xmin[receipt_xmin[v.pk]] if table == "meetings_ballot")
        for v in voters
    ]
    # Each voter's transaction wrote one stored ballot (ciphertexts and proofs in the tuple).
    ballots = [next(b for b in stored if b in tuple_data) for tuple_data in raw]
    assert len(set(ballots)) == len(voters)
    chunks = [{b[i : i + 32] for i in range(0, 640, 32)} for b in ballots]
    for a, b in itertools.combinations(chunks, 2):
        assert not (a & b)
    # The admin (a superuser) shows no ballot of the uncounted motion, and no totals.
    client = Client()
    client.force_login(admin)
    box = client.get(reverse("admin:meetings_ballot_changelist"))
    assert list(box.context["cl"].result_list) == []
    motion.refresh_from_db()
    assert (motion.yes, motion.no, motion.abstain) == (None, None, None)
    # The count decrypts only the totals.
    motion = ballot_helpers.count(motion)
    assert (motion.yes, motion.no, motion.abstain) == (
        PATTERN.count("yes"),
        PATTERN.count("no"),
        PATTERN.count("abstain"),
    )
    for data in ballots:
        assert proofs.verify_ballot(proofs.Ballot.from_bytes(data, 3), key, motion.pk)
