"""The hash chain's encoding and its check, without a database (infogov.auditchain)."""

import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infogov.auditchain import (
    COLUMNS,
    GENESIS,
    HASHED,
    Anchor,
    Problem,
    canonical_json,
    check,
    entry_hash,
)

AT = dt.datetime(2026, 5, 4, 3, 2, 1, 9, tzinfo=dt.UTC)


def test_the_encoding_is_the_documented_array():
    entry = {
        "seq": 1,
        "at": AT.astimezone(dt.timezone(dt.timedelta(hours=8))),  # any zone: written in UTC
        "actor_id": None,
        "action": "seat.filled",
        "object_type": "members.Seat",
        "object_id": "7",
        "object_repr": "组长",
        "before": None,
        "after": {"b": [1, 2.5, True], "a": "二"},
        "prev_hash": GENESIS,
    }
    text = (
        '["infogov.audit/1",1,"2026-05-04T03:02:01.000009Z",null,"seat.filled",'
        f'"members.Seat","7","组长",null,{{"a":"二","b":[1,2.5,true]}},"{GENESIS}"]'
    )

    assert entry_hash(entry) == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (1, "1"),
        (1.0, "1"),
        (-0.0, "0"),
        (1e100, "1" + "0" * 100),  # as PostgreSQL's jsonb gives it back: an integer
        (10**100, "1" + "0" * 100),
        (0.1, "0.1"),
        (1.5e-7, "1.5e-07"),
        ("a\n\"'", '"a\\n\\"\'"'),
        ({"z": 1, "a": {"y": None, "b": False}}, '{"a":{"b":false,"y":null},"z":1}'),
        ([], "[]"),
    ],
)
def test_canonical_json(value, encoded):
    assert canonical_json(value) == encoded


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1: "x"}, object()])
def test_what_json_cannot_hold_is_refused(value):
    with pytest.raises(ValueError):
        canonical_json(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=4,
)
fields = st.fixed_dictionaries(
    {
        "at": st.datetimes(
            min_value=dt.datetime(2000, 1, 1),
            max_value=dt.datetime(2100, 1, 1),
            timezones=st.just(dt.UTC),
        ),
        "actor_id": st.none() | st.integers(1, 10**6),
        "action": st.text(min_size=1, max_size=12),
        "object_type": st.text(max_size=12),
        "object_id": st.text(max_size=6),
        "object_repr": st.text(max_size=20),
        "before": json_values,
        "after": json_values,
    }
)


def chain(entries: list[dict], first_id: int = 1) -> list[tuple]:
    """The rows of a chain of ``entries``, as ``check`` reads them."""
    rows, prev_hash = [], GENESIS
    for seq, values in enumerate(entries, start=1):
        entry = {**values, "seq": seq, "prev_hash": prev_hash}
        entry["hash"] = prev_hash = entry_hash(entry)
        entry["id"] = first_id + 2 * seq  # ids rise, not necessarily densely
        rows.append(tuple(entry[name] for name in COLUMNS))
    return rows


def changed(value, data):
    """A value of the same field, different from ``value``."""
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(microseconds=data.draw(st.integers(1, 10**9)))
    if isinstance(value, int):
        return value + data.draw(st.integers(1, 10**6))
    candidates = json_values if not isinstance(value, str) else st.text(max_size=64)
    return data.draw(
        candidates.filter(lambda other: other != value or type(other) is not type(value))
    )


# Drawing the changed value inside the test counts towards the deadline: none on a busy machine.
@settings(deadline=None)
@given(entries=st.lists(fields, min_size=1, max_size=5), data=st.data())
def test_any_single_field_change_is_detected_at_that_entry(entries, data):
    rows = chain(entries)
    assert check(rows).intact and check(rows).entries == len(rows)
    index = data.draw(st.integers(0, len(rows) - 1))
    name = data.draw(st.sampled_from((*HASHED, "hash")))
    column = COLUMNS.index(name)
    row = list(rows[index])
    row[column] = changed(row[column], data)
    if name == "actor_id" and data.draw(st.booleans()):
        row[column] = None if rows[index][column] is not None else 1
    if row[column] == rows[index][column] and type(row[column]) is type(rows[index][column]):
        return  # "changed" to an equal value (a text equal to the old one)
    tampered = sorted([*rows[:index], tuple(row), *rows[index + 1 :]], key=lambda r: r[1])

    problem = check(tampered).problem

    seq, entry_id = index + 1, rows[index][0]
    assert problem is not None
    # The entry itself, or (its seq moved past the end) the gap it left at its place.
    assert problem.entry_id == entry_id or problem.expected_seq == seq
    assert problem.expected_seq <= seq


def entries(*object_ids: str, repr_of=lambda object_id: "r") -> list[dict]:
    return [
        {
            "at": AT,
            "actor_id": None,
            "action": "a",
            "object_type": "t",
            "object_id": object_id,
            "object_repr": repr_of(object_id),
            "before": None,
            "after": None,
        }
        for object_id in object_ids
    ]


ROWS = chain(entries("1", "2", "3", "4"))  # ids 3, 5, 7, 9


def replaced(row: tuple, **values) -> tuple:
    return tuple(values.get(name, value) for name, value in zip(COLUMNS, row, strict=True))


def found(rows, **kwargs) -> tuple:
    problem = check(rows, **kwargs).problem
    return (problem.kind, problem.seq, problem.entry_id, problem.expected_seq)


def test_a_removed_entry_is_a_gap_before_the_next():
    assert found([ROWS[0], *ROWS[2:]]) == (Problem.REMOVED, 3, 7, 2)
    assert found(ROWS[1:]) == (Problem.REMOVED, 2, 5, 1)


def test_a_rewritten_link_is_a_broken_link():
    assert found([ROWS[0], replaced(ROWS[1], prev_hash="f" * 64), *ROWS[2:]]) == (
        Problem.UNLINKED,
        2,
        5,
        2,
    )
    assert found([replaced(ROWS[0], prev_hash="f" * 64), *ROWS[1:]]) == (
        Problem.UNLINKED,
        1,
        3,
        1,
    )


def test_an_entry_put_in_the_place_of_another_is_named_by_the_link_after_it(english):
    # Rightly hashed and linked to #1, in the place of #2, with a later id.
    forged = chain(entries("1", "forged"), first_id=100)[1]
    problem = check([ROWS[0], forged, *ROWS[2:]]).problem

    assert (problem.kind, problem.seq, problem.entry_id, problem.prev_entry_id) == (
        Problem.UNLINKED,
        3,
        7,
        104,
    )
    assert str(problem) == (
        "Entry #3 (id 7): broken link: it does not follow entry #2 (id 104), which was "
        "inserted or rewritten."
    )


def test_an_entry_whose_seq_is_not_after_the_one_before_was_inserted():
    assert found([replaced(ROWS[0], seq=0), *ROWS]) == (Problem.DISORDERED, 0, 3, 1)


def test_ids_need_not_rise_with_seq():
    """Entries are linked in the order they commit, which is not always that of their ids."""
    assert check([ROWS[0], replaced(ROWS[1], id=2), *ROWS[2:]]).intact


def test_an_anchor_catches_a_rewritten_or_shortened_chain():
    anchor = Anchor(3, ROWS[2][-1], AT)
    rewritten = chain(entries("1", "2", "3", "4", repr_of=lambda n: "forged" if n == "2" else "r"))

    assert check(ROWS, anchor=anchor).intact
    assert check(rewritten).intact  # consistent in itself
    assert found(rewritten, anchor=anchor) == (Problem.REWRITTEN, 3, 7, 3)
    assert found(ROWS[:2], anchor=anchor) == (Problem.TRUNCATED, 2, None, 3)


def test_resuming_from_an_anchor_reads_only_from_it():
    anchor = Anchor(3, ROWS[2][-1], AT)

    assert check(ROWS[2:], anchor=anchor, resume=True) == check(ROWS, anchor=anchor).__class__(
        2, Anchor(4, ROWS[3][-1])
    )
    assert found(ROWS[3:], anchor=anchor, resume=True) == (Problem.REMOVED, 4, 9, 3)
    assert found([], anchor=anchor, resume=True) == (Problem.TRUNCATED, 2, None, 3)
    rewritten = chain(entries("1", "2", "3", "4", repr_of=lambda n: "forged" if n == "2" else "r"))
    assert found(rewritten[2:], anchor=anchor, resume=True) == (Problem.REWRITTEN, 3, 7, 3)
