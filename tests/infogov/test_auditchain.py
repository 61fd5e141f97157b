"""The audit trail as stored: record() writes an entry with the change, its commit links it
into the chain, verify_audit names the first entry altered, removed or inserted behind the
portal's back (as the tables' owner, triggers disabled).

The tests run in a transaction that never commits, so ``_record`` links as the commit would
(``auditchain.link_pending``); the tests on ``transactional_db`` see the commit do it."""

import datetime as dt
import threading
from contextlib import contextmanager

import pytest
from django.core.management import call_command, execute_from_command_line
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from infogov import audit, auditchain
from infogov.auditchain import GENESIS, HASHED, Problem
from infogov.models import AuditEntry, AuditVerification
from meetings.models import Motion

TABLE = AuditEntry._meta.db_table


def _record(n: int, actor=None) -> list[AuditEntry]:
    """``n`` entries recorded, then linked as their commit would (with what was pending)."""
    entries = _record_unlinked(n, actor)
    auditchain.link_pending()
    return [AuditEntry.objects.get(pk=entry.pk) for entry in entries]


def _record_unlinked(n: int, actor=None) -> list[AuditEntry]:
    return [
        audit.record(
            actor=actor,
            action="test.recorded",
            obj=Motion(pk=n, text=f"议案 {n}"),
            before={"n": n, "list": (1, 2)},
            after={"n": n + 1, "float": 2.0, "text": "二"},
        )
        for n in range(n)
    ]


@contextmanager
def _owner_without_triggers():
    """As the tables' owner with the triggers off, as whoever reads the database might; the
    test's transaction rolls the DDL back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The deferred foreign key checks of the rows just written go first: PostgreSQL
            # alters no table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER {TABLE}_append_only")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _set(entry: AuditEntry, column: str, value) -> None:
    field = AuditEntry._meta.get_field("actor" if column == "actor_id" else column)
    prepared = value if column == "actor_id" else field.get_db_prep_save(value, connection)
    with _owner_without_triggers() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [prepared, entry.pk])


def _verify() -> Problem | None:
    return auditchain.verify(anchor=auditchain.last_anchor()).problem


def test_record_appends_the_next_link(roster, member):
    auditchain.link_pending()  # the roster's, as their commits would have
    head = AuditEntry.objects.order_by("-seq").first()
    first, second = _record(2, actor=member)

    assert (first.seq, first.prev_hash) == (head.seq + 1, head.hash)
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    stored = AuditEntry.objects.values(*HASHED, "hash").get(pk=second.pk)
    assert auditchain.entry_hash(stored) == second.hash == stored["hash"]
    assert stored["before"] == {"n": 1, "list": [1, 2]}
    assert auditchain.verify().intact


def test_the_first_entry_chains_from_the_genesis_value(fresh_install, outsider):
    (entry,) = _record(1, actor=outsider)

    assert (entry.seq, entry.prev_hash) == (1, GENESIS)
    assert auditchain.verify().entries == 1


def _head() -> int:
    return (
        AuditEntry.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )


def test_an_entry_is_linked_when_its_transaction_commits(
    roster, member, django_capture_on_commit_callbacks
):
    auditchain.link_pending()
    head = _head()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (entry,) = _record_unlinked(1, actor=member)
        # Until the commit: written with the change, not yet a link, and the chain's
        # lock not taken (so other writers commit meanwhile).
        assert AuditEntry.objects.get(pk=entry.pk).seq is None
        assert auditchain.verify().intact

    entry.refresh_from_db()
    assert (entry.seq, entry.prev_hash) == (head + 1, AuditEntry.objects.get(seq=head).hash)
    assert auditchain.pending() == (0, None)


def test_an_entry_rolled_back_with_its_change_leaves_nothing(roster, member):
    auditchain.link_pending()
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _record_unlinked(2, actor=member)
        raise RuntimeError("the change fails")

    assert AuditEntry.objects.count() == before
    assert auditchain.link_pending() == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_entries_link_in_the_order_they_commit_not_of_their_ids():
    """A transaction that wrote its entry first (the lower id) but commits last is linked
    last, and the chain is intact: verify does not ask ids to rise with seq."""
    auditchain.link_pending()
    written, release = threading.Event(), threading.Event()
    slow: list[AuditEntry] = []

    def slow_writer():
        try:
            with transaction.atomic():
                slow.extend(_record_unlinked(1))
                written.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(10)
    (fast,) = _record_unlinked(1)  # commits (and is linked) while the slow one is open
    release.set()
    thread.join()

    fast.refresh_from_db()
    (slow_entry,) = [AuditEntry.objects.get(pk=slow[0].pk)]
    assert slow_entry.pk < fast.pk
    assert slow_entry.seq == fast.seq + 1
    assert auditchain.verify().intact
    assert auditchain.pending() == (0, None)


def test_record_outside_a_transaction_appends_in_its_own(transactional_db):
    auditchain.link_pending()
    head = _head()
    assert not connection.in_atomic_block
    _record_unlinked(3)

    seqs = list(AuditEntry.objects.filter(seq__gt=head).values_list("seq", flat=True))
    assert sorted(seqs) == [head + 1, head + 2, head + 3]
    assert auditchain.verify().intact


def _changed(entry: AuditEntry, column: str):
    return {
        "at": entry.at + dt.timedelta(microseconds=1),
        "actor_id": None,
        "action": "test.forged",
        "object_type": "members.Seat",
        "object_id": "999",
        "object_repr": "议案 forged",
        "before": {"n": 1, "list": [1, 2, 3]},
        "after": None,
        "seq": 10**9,
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }[column]


@pytest.mark.parametrize("column", [*HASHED, "hash"])
def test_an_entry_altered_in_any_field_is_named(roster, member, column):
    entries = _record(3, actor=member)
    altered = entries[1]

    _set(altered, column, _changed(altered, column))
    problem = _verify()

    if column == "seq":  # moved past the end: the gap at its place
        expected = (Problem.REMOVED, entries[2].seq, entries[2].pk, altered.seq)
    elif column == "prev_hash":
        expected = (Problem.UNLINKED, altered.seq, altered.pk, altered.seq)
    else:
        expected = (Problem.ALTERED, altered.seq, altered.pk, altered.seq)
    assert (problem.kind, problem.seq, problem.entry_id, problem.expected_seq) == expected


def test_a_removed_entry_is_named(roster):
    entries = _record(3)
    with _owner_without_triggers() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])

    problem = _verify()

    assert (problem.kind, problem.seq, problem.entry_id, problem.expected_seq) == (
        Problem.REMOVED,
        entries[2].seq,
        entries[2].pk,
        entries[1].seq,
    )


def test_an_inserted_entry_is_named(roster):
    """A forged entry, rightly hashed and linked, in the place of a removed one."""
    entries = _record(3)
    forged = {
        **{name: getattr(entries[1], name) for name in HASHED},
        "object_repr": "forged",
    }
    forged["hash"] = auditchain.entry_hash(forged)
    with _owner_without_triggers() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
    AuditEntry.objects.bulk_create([AuditEntry(**forged)])
    inserted = AuditEntry.objects.get(object_repr="forged")

    problem = _verify()

    assert (problem.kind, problem.seq, problem.entry_id, problem.prev_entry_id) == (
        Problem.UNLINKED,
        entries[2].seq,
        entries[2].pk,
        inserted.pk,
    )


def test_a_chain_rewritten_to_its_end_is_caught_by_the_last_verification(roster):
    entries = _record(3)
    call_command("verify_audit")
    prev_hash = entries[0].hash
    with _owner_without_triggers() as cursor:
        for entry in entries[1:]:  # rehash #2 and #3 after forging #2
            values = {name: getattr(entry, name) for name in HASHED}
            values |= {
                "prev_hash": prev_hash,
                "object_repr": "forged" if entry == entries[1] else entry.object_repr,
            }
            prev_hash = auditchain.entry_hash(values)
            cursor.execute(
                f"UPDATE {TABLE} SET object_repr = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [values["object_repr"], values["prev_hash"], prev_hash, entry.pk],
            )

    assert auditchain.verify().intact  # consistent in itself
    problem = _verify()
    assert (problem.kind, problem.seq, problem.entry_id) == (
        Problem.REWRITTEN,
        entries[2].seq,
        entries[2].pk,
    )


def test_entries_removed_from_the_end_are_caught_by_the_last_verification(roster):
    entries = _record(3)
    call_command("verify_audit")
    with _owner_without_triggers() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq >= %s", [entries[1].seq])

    problem = _verify()

    assert (problem.kind, problem.seq) == (Problem.TRUNCATED, entries[0].seq)


def test_verify_audit_says_intact_in_one_line_and_records_it(roster, english, capsys):
    _record(2)
    head = AuditEntry.objects.order_by("-seq").first()

    call_command("verify_audit")

    out = capsys.readouterr().out
    assert out.startswith(f"Audit trail intact: {head.seq} entries, the last #{head.seq} with ")
    assert out.count("\n") == 1 and head.hash in out
    verification = AuditVerification.objects.get()
    assert (verification.intact, verification.head_seq, verification.head_hash) == (
        True,
        head.seq,
        head.hash,
    )


def test_verify_audit_speaks_chinese_by_default(roster, capsys):
    call_command("verify_audit")

    assert capsys.readouterr().out.startswith("审计链完好：")


def _run(monkeypatch) -> int:
    """verify_audit from the command line: its exit status. (The command line closes the
    connections when done, which would end the test's transaction.)"""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    try:
        execute_from_command_line(["manage.py", "verify_audit"])
    except SystemExit as exit:
        return exit.code
    return 0


def test_verify_audit_exits_1_and_names_the_altered_entry(roster, english, capsys, monkeypatch):
    entries = _record(3)
    _set(entries[1], "action", "test.forged")

    code = _run(monkeypatch)

    assert code == 1
    err = capsys.readouterr().err
    assert err == (
        f"CommandError: Audit trail broken: Entry #{entries[1].seq} (id {entries[1].pk}): hash "
        f"mismatch: its fields were altered. The {entries[1].seq - 1} entries before it are "
        "intact.\n"
    )
    assert AuditVerification.objects.get().intact is False


def test_verify_audit_exits_0_when_intact(roster, capsys, monkeypatch):
    _record(2)

    assert _run(monkeypatch) == 0
    assert _run(monkeypatch) == 0  # against the first run's head
    assert capsys.readouterr().err == ""
    assert AuditVerification.objects.filter(intact=True).count() == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_chain_correctly():
    threads, each, head = 8, 25, _head()
    start = threading.Barrier(threads)
    errors = []

    def write():
        try:
            start.wait()
            _record(each)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, head + threads * each + 1))
    outcome = auditchain.verify()
    assert (outcome.intact, outcome.entries) == (True, head + threads * each)


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_existing_entries_in_id_order():
    executor = MigrationExecutor(connection)
    target = [("infogov", "0002_initial")]
    executor.migrate(target)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # the session's roster entries
            for n, at in ((3, "2025-01-02 03:04:05.000006"), (1, "2024-01-01 00:00:00")):
                cursor.execute(
                    f"INSERT INTO {TABLE} (id, at, action, object_type, object_id, object_repr,"
                    " before, after) VALUES (%s, %s, 'old', 't', %s, 'r', %s, NULL)",
                    [
                        n * 10,
                        f"{at}+00:00" if connection.vendor == "postgresql" else at,
                        n,
                        '{"b": 1.0, "a": [1]}',
                    ],
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    rows = list(AuditEntry.objects.order_by("seq").values_list("id", "seq", "prev_hash"))
    assert [(id, seq) for id, seq, _ in rows] == [(10, 1), (30, 2)]
    assert rows[0][2] == GENESIS
    assert auditchain.verify().intact
