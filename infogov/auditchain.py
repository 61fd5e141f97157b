"""The audit trail as a hash chain: the encoding of an entry, linking entries, checking a run.

Each entry has a dense sequence number ``seq`` (1, 2, 3, ..., unique), the hash of the entry
before it (``prev_hash``; the first entry's is ``GENESIS``) and its own ``hash``: the SHA-256,
in lower-case hex, of the UTF-8 bytes of this canonical JSON array (version 1)::

    ["infogov.audit/1", seq, at, actor_id, action, object_type, object_id, object_repr,
     before, after, prev_hash]

- ``at`` is the time in UTC with microseconds, ``"2026-05-04T03:02:01.000009Z"``;
- ``actor_id`` is the person's id, or null;
- ``before`` and ``after`` are the JSON values as the database gives them back, written with
  the keys of every object sorted (by code point), no whitespace, strings as JSON (non-ASCII
  characters as themselves), and a number with no fractional part as an integer (``1.0`` is
  ``1``, as PostgreSQL's jsonb gives ``1e100`` back as an integer), any other number as the
  shortest decimal that reads back as the same double (Python's ``repr``);
- everything else is written the same way: the strings as JSON strings, the integers as digits.

So changing any field of an entry changes its hash; removing an entry leaves a gap in ``seq``;
inserting one or rewriting one and its hash breaks the link of the entry after it. The row's
``id`` is not covered (ids are storage, not record). A chain rewritten from some entry to its
end is consistent in itself: ``verify_audit`` compares it with the last link it verified
(``AuditVerification``), and its summary line prints the head hash so that it can be kept
outside the database too.

An entry is written unlinked (``seq``, ``prev_hash`` and ``hash`` null) in the transaction of
the change it records, and linked by ``link_pending`` once that transaction has committed
(infogov.audit says why). So the chain's order is the order in which entries committed, which
is not always the order of their ids. The database lets a row be updated once, to fill its
link, and never otherwise (migration 0005). Linking is serialised, so that two linkers never
take the same ``seq``: on PostgreSQL by an advisory lock taken before the head is read (not
``select_for_update`` of the last entry: a linker that waited for that row's lock would still
read the old head, which its snapshot predates); on SQLite its IMMEDIATE transactions already
serialise writers. A linker never waits for the lock: the one holding it links every entry
committed so far, and looks again when done (``link_pending`` says why nothing is missed).
"""

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from infogov.models import AuditEntry, AuditVerification

VERSION = "infogov.audit/1"
GENESIS = "0" * 64
# PostgreSQL advisory lock (namespace, key) a linker holds for its session while it links;
# meetings.services.VOTE_LOCK_NAMESPACE is 7301.
LOCK_NAMESPACE, LOCK_KEY = 7302, 0
# Entries linked per transaction.
LINK_BATCH = 1000
# An entry still unlinked this long after it was written is reported (state): its linker
# failed, and none has run since.
PENDING_GRACE = dt.timedelta(minutes=5)

# The columns an entry's hash covers, in the order of the encoding (prev_hash last).
HASHED = (
    "seq",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "prev_hash",
)
# What ``check`` reads of each row.
COLUMNS = ("id", *HASHED, "hash")


def canonical_json(value: Any) -> str:
    """Return ``value`` (as JSON gives it back) in the canonical JSON of the module docstring;
    ValueError for what JSON cannot hold."""
    return json.dumps(
        _integral(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def _integral(value: Any) -> Any:
    """``value`` with every float that has no fractional part made an integer."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("JSON has no NaN or infinity")
        decimal = Decimal(repr(value))
        return int(decimal) if decimal == decimal.to_integral_value() else value
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ValueError("JSON object keys are strings")
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_integral(item) for item in value]
    if value is None or isinstance(value, str | int):
        return value
    raise ValueError(f"not a JSON value: {type(value).__name__}")


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def entry_hash(entry: dict[str, Any]) -> str:
    """Return the hash of ``entry`` (a dict with the ``HASHED`` keys); ValueError if it holds
    something JSON cannot (which a stored entry never does unless altered)."""
    fields = [
        VERSION,
        entry["seq"],
        _utc(entry["at"]),
        entry["actor_id"],
        entry["action"],
        entry["object_type"],
        entry["object_id"],
        entry["object_repr"],
        _integral(entry["before"]),
        _integral(entry["after"]),
        entry["prev_hash"],
    ]
    text = json.dumps(
        fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _try_lock() -> bool:
    """Take the chain's lock for this session if no other linker holds it (PostgreSQL; on
    SQLite, whose IMMEDIATE transactions serialise writers already, always True)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _unlock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, LOCK_KEY])


def head() -> tuple[int, str]:
    """The chain's last link (seq, hash), or (0, GENESIS); read under the lock, so that the
    read (whose snapshot its own statement takes) sees the links of the linker before."""
    last = (
        AuditEntry.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return (cast(int, last[0]), cast(str, last[1])) if last else (0, GENESIS)


def link_pending() -> int:
    """Link every committed entry not yet linked, oldest id first, each after the chain's head;
    return how many. Called when a transaction that wrote entries commits (infogov.audit) and
    by ``verify_audit``.

    A linker that finds the lock taken leaves at once (one query: most of a burst's): the
    holder links its entries. For the holder looks again once it has let the lock go, and
    links again whatever it finds (taking the lock anew, or leaving it to whoever took it
    since). So an entry committed before a linker found the lock taken is seen by the holder's
    second look, which comes after that holder let go, and so after the entry committed."""
    linked = 0
    while _try_lock():
        try:
            linked += _link_batches()
        finally:
            _unlock()
        if connection.vendor != "postgresql" or not _waiting():
            break
    return linked


def _waiting() -> bool:
    return AuditEntry.objects.filter(seq__isnull=True).exists()


def _link_batches() -> int:
    """Under the lock: link what is pending, LINK_BATCH entries per transaction."""
    linked = 0
    while True:
        with transaction.atomic():
            pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:LINK_BATCH])
            if not pending:
                return linked
            seq, prev_hash = head()
            # AuditEntry's own queryset refuses updates; this one fills the links, which is the
            # one update the database lets through (migration 0005). One UPDATE per entry: a
            # burst's linker has one or a few, and bulk_update's CASE costs more to build.
            linker: models.QuerySet[AuditEntry] = models.QuerySet(AuditEntry)
            for entry in pending:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev_hash
                entry.hash = prev_hash = entry_hash({name: getattr(entry, name) for name in HASHED})
                linker.filter(pk=entry.pk).update(
                    seq=seq, prev_hash=entry.prev_hash, hash=entry.hash
                )
        linked += len(pending)
        if len(pending) < LINK_BATCH:
            return linked


def pending() -> tuple[int, dt.datetime | None]:
    """How many entries await their link, and when the oldest was written."""
    row = AuditEntry.objects.filter(seq__isnull=True).aggregate(
        n=models.Count("id"), oldest=models.Min("at")
    )
    return row["n"], row["oldest"]


@dataclass(frozen=True)
class Anchor:
    """A link of the chain, verified at ``at`` (or just reached)."""

    seq: int
    hash: str
    at: dt.datetime | None = None


START = Anchor(0, GENESIS)


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain: at which entry, and what."""

    ALTERED = "altered"  # hash mismatch
    REMOVED = "removed"  # gap in sequence
    UNLINKED = "unlinked"  # broken link
    DISORDERED = "disordered"  # seq not after the one before
    REWRITTEN = "rewritten"  # not the hash verified earlier
    TRUNCATED = "truncated"  # ends before the link verified earlier

    kind: str
    seq: int  # the entry's seq (for TRUNCATED: the last one left)
    entry_id: int | None = None
    expected_seq: int = 0  # the seq the chain expected at this point
    prev_entry_id: int | None = None  # the id of the entry before, if read
    anchor: Anchor | None = None

    def as_json(self) -> dict[str, Any]:
        anchor = self.anchor
        return {
            "kind": self.kind,
            "seq": self.seq,
            "entry_id": self.entry_id,
            "expected_seq": self.expected_seq,
            "prev_entry_id": self.prev_entry_id,
            "anchor": None
            if anchor is None
            else [anchor.seq, anchor.hash, anchor.at.isoformat() if anchor.at else None],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Problem":
        anchor = data.get("anchor")
        return cls(
            kind=data["kind"],
            seq=data["seq"],
            entry_id=data.get("entry_id"),
            expected_seq=data.get("expected_seq", 0),
            prev_entry_id=data.get("prev_entry_id"),
            anchor=None
            if anchor is None
            else Anchor(anchor[0], anchor[1], parse_datetime(anchor[2]) if anchor[2] else None),
        )

    def __str__(self) -> str:
        values = {
            "seq": self.seq,
            "id": self.entry_id,
            "expected": self.expected_seq,
            "before": self.seq - 1,
            "prev_id": self.prev_entry_id,
            "anchor": self.anchor.seq if self.anchor else 0,
            "date": _when(self.anchor.at) if self.anchor and self.anchor.at else "",
        }
        messages = {
            self.ALTERED: _("Entry #%(seq)s (id %(id)s): hash mismatch: its fields were altered."),
            self.REMOVED: _(
                "Entry #%(seq)s (id %(id)s): gap in sequence: entries #%(expected)s to "
                "#%(before)s were removed."
            ),
            self.UNLINKED: _(
                "Entry #%(seq)s (id %(id)s): broken link: it does not follow entry #%(before)s "
                "(id %(prev_id)s), which was inserted or rewritten."
            ),
            self.DISORDERED: _(
                "Entry #%(seq)s (id %(id)s): out of order where #%(expected)s was expected: it "
                "was inserted."
            ),
            self.REWRITTEN: _(
                "Entry #%(seq)s (id %(id)s): not the entry verified on %(date)s: the trail was "
                "rewritten up to it."
            ),
            self.TRUNCATED: _(
                "The trail ends at entry #%(seq)s, but #%(anchor)s was verified on %(date)s: "
                "entries were removed from its end."
            ),
        }
        if self.kind == self.UNLINKED and self.seq == 1:
            return (
                _(
                    "Entry #%(seq)s (id %(id)s): broken link: it does not start from the genesis "
                    "value."
                )
                % values
            )
        return messages[self.kind] % values


@dataclass(frozen=True)
class Outcome:
    """What ``check`` found: the entries it read, the last good link, the first problem."""

    entries: int
    head: Anchor
    problem: Problem | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def check(rows: Iterable[tuple], *, anchor: Anchor | None = None, resume: bool = False) -> Outcome:
    """Walk ``rows`` (``COLUMNS`` tuples in seq order) and stop at the first problem.

    From the start of the chain, or, with ``resume``, from the entry ``anchor`` verified
    earlier (the rows then start with it). Either way the entry at ``anchor.seq`` must still
    have the hash verified then, and the chain must reach it.
    """
    prev_hash: str | None  # None while the link before a resumed anchor is unknown
    prev_seq, prev_hash, prev_id = START.seq, START.hash, 0
    if resume:
        if anchor is None:
            raise ValueError("resume from which anchor?")
        prev_seq, prev_hash = anchor.seq - 1, None  # the link before the anchor is not read
    entries = 0
    for row in rows:
        entry = dict(zip(COLUMNS, row, strict=True))
        seq, entry_id, expected = entry["seq"], entry["id"], prev_seq + 1
        if seq > expected:
            found = Problem.REMOVED
        elif seq < expected:
            found = Problem.DISORDERED
        elif prev_hash is not None and entry["prev_hash"] != prev_hash:
            found = Problem.UNLINKED
        elif _hash_or_none(entry) != entry["hash"]:
            found = Problem.ALTERED
        elif anchor is not None and seq == anchor.seq and entry["hash"] != anchor.hash:
            found = Problem.REWRITTEN
        else:
            found = None
        if found is not None:
            problem = Problem(found, seq, entry_id, expected, prev_id or None, anchor=anchor)
            return Outcome(entries, Anchor(prev_seq, prev_hash or ""), problem)
        entries += 1
        prev_seq, prev_hash, prev_id = seq, entry["hash"], entry_id
    reached = Anchor(prev_seq, prev_hash or "")
    if anchor is not None and prev_seq < anchor.seq:
        problem = Problem(Problem.TRUNCATED, prev_seq, expected_seq=prev_seq + 1, anchor=anchor)
        return Outcome(entries, reached, problem)
    return Outcome(entries, reached)


def _when(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _hash_or_none(entry: dict[str, Any]) -> str | None:
    try:
        return entry_hash(entry)
    except (ValueError, TypeError, AttributeError):
        return None  # a value no entry is written with: altered


# Rows fetched per round trip while streaming the chain.
CHUNK = 5000


def verify(
    *, anchor: Anchor | None = None, resume: bool = False, limit: int | None = None
) -> Outcome:
    """Check the stored chain (``check``), streamed in seq order: from its start, or with
    ``resume`` from ``anchor``; at most ``limit`` entries."""
    rows = AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values_list(*COLUMNS)
    if resume and anchor is not None:
        rows = rows.filter(seq__gte=anchor.seq)
    else:
        resume = False
    if limit is not None:
        rows = rows[:limit]
    return check(rows.iterator(chunk_size=CHUNK), anchor=anchor, resume=resume)


def last_anchor() -> Anchor | None:
    """The head of the chain as the last verification that found it intact left it."""
    last = AuditVerification.objects.filter(intact=True).order_by("-at", "-id").first()
    return None if last is None else Anchor(last.head_seq, last.head_hash, last.at)


def verify_and_record() -> AuditVerification:
    """Link what awaits its link, verify the whole chain against the last intact
    verification, and record the result."""
    link_pending()
    anchor = last_anchor()
    started = time.perf_counter()
    outcome = verify(anchor=anchor)
    return AuditVerification.objects.create(
        intact=outcome.intact,
        entries=outcome.entries,
        head_seq=outcome.head.seq,
        head_hash=outcome.head.hash,
        problem=None if outcome.problem is None else outcome.problem.as_json(),
        seconds=time.perf_counter() - started,
    )


# The dashboard checks at most this many entries appended since the last verification.
DASHBOARD_LIMIT = 500


@dataclass(frozen=True)
class State:
    """The chain as an administrator's dashboard shows it."""

    level: str  # "success", "warning" or "error"
    message: str


def state(*, limit: int | None = None) -> State:
    """The chain's state from the last verification, with the entries appended since it
    checked now if there are at most ``limit`` (DASHBOARD_LIMIT) of them, and whether entries
    have waited for their link longer than they should: four queries, never a full scan."""
    limit = DASHBOARD_LIMIT if limit is None else limit
    last = AuditVerification.objects.order_by("-at", "-id").first()
    entries = AuditEntry.objects.aggregate(head=Max("seq"))["head"] or 0
    waiting, oldest = pending()
    if oldest is not None and timezone.now() - oldest > PENDING_GRACE:
        return State(
            "warning",
            _(
                "Audit trail: %(waiting)s entries, the oldest written on %(date)s, are not yet "
                "linked into the chain: run manage.py verify_audit."
            )
            % {"waiting": waiting, "date": _when(oldest)},
        )
    if last is None:
        return State(
            "warning",
            _("Audit trail: never verified (%(entries)s entries): run manage.py verify_audit.")
            % {"entries": entries},
        )
    values: dict[str, Any] = {
        "date": _when(last.at),
        "entries": entries,
        "since": entries - last.head_seq,
    }
    if not last.intact:  # then its problem is recorded
        values["problem"] = Problem.from_json(cast(dict[str, Any], last.problem))
        return State("error", _("Audit trail: broken. %(problem)s (verified on %(date)s)") % values)
    if values["since"] > limit:
        return State(
            "warning",
            _(
                "Audit trail: intact up to entry #%(seq)s (verified on %(date)s); the "
                "%(since)s entries appended since are not yet verified: run manage.py "
                "verify_audit."
            )
            % {**values, "seq": last.head_seq},
        )
    anchor = Anchor(last.head_seq, last.head_hash, last.at)
    outcome = verify(anchor=anchor, resume=anchor.seq > 0, limit=limit + 1)
    if outcome.problem is not None:
        values["problem"] = outcome.problem
        return State("error", _("Audit trail: broken. %(problem)s (found just now)") % values)
    if values["since"]:
        message = _(
            "Audit trail: intact (%(entries)s entries, verified on %(date)s; the %(since)s "
            "appended since checked just now)"
        )
    else:
        message = _("Audit trail: intact (%(entries)s entries, verified on %(date)s)")
    return State("success", message % values)
