"""R-VOTE-1 probed where the other probe does not look: the WAL, the server's logs, the cache
and the sessions, read by a PostgreSQL superuser after a secret ballot cast through HTTP in a
known pattern of choices, closed and counted by two scrutineers.

The WAL is read twice over, as an attacker with the server's files would: pg_walinspect says
which transaction wrote which record to which relation, and the raw bytes of each record come
from the segment files under ``pg_wal`` (``pg_read_binary_file``), decoded into the data each
record writes and the page images it carries. (PostgreSQL 15's pg_walinspect gives no record
data; a temporary physical replication slot keeps the segments while the test runs, as an
archive would keep them for ever.) A checkpoint before the votes and one before the count
send every page first written after them into the WAL whole, as happens at any time in
production, so the page images are read too (this test's rows on them: earlier tests' dead
versions are no ballot's).

What the probe shows:
- each voter's transaction writes the receipt, one ballot and one audit entry (with their
  indexes and sequences), and takes foreign-key locks (FOR KEY SHARE, which write no data) on
  the motion's and the voter's rows; nothing else, and the same records of the same sizes
  whatever the choice;
- while the vote is open nothing writes the motion's row (where the totals go), nor any other
  row than those and the sign-ins' (session, axes' access log, last login);
- no choice in any form PostgreSQL would store it (a text value, JSON's quotes, a
  ``"choice"`` key, "abstain", the labels 同意/不同意/弃权) is in the bytes of any record, nor
  in this test's rows on the page images they carry;
- the ciphertexts in the WAL are exactly the ballots of the published box, each whole, one
  per voter's transaction; no ciphertext stands apart from its ballot; no decryption of a
  single ballot (by the ballot's key or by a scrutineer's share) is anywhere in the WAL;
- the count writes the scrutineers' partial decryptions of the box's sums, the totals and the
  audit trail, and touches no ballot;
- Django's loggers at DEBUG (the SQL query log too), the request lines an access log would
  keep, every key and value of the cache and every session row hold no choice and no tracker
  (the query log aside: below).

What it concedes, as the tuple-version probe does: the attacker sees which ciphertext each
voter's transaction wrote (so which tracker: the ballot's hash) and when, not what it
encrypts. The SQL query log (settings.DEBUG, never on in production) shows the same, the
ballot's INSERT next to the receipt's, and no more.

PostgreSQL only; each vote commits on its own, as in production. Skipped, saying why, where
pg_walinspect, pageinspect, a replication slot or the WAL files cannot be had.
"""

import contextlib
import json
import logging
import pickle  # reads back what the cache holds
import re
import struct
import time
from dataclasses import dataclass, field

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.ballots import crypto, proofs, shares
from meetings.ballots import services as ballots
from meetings.ballots.models import Ballot, Scrutineer
from meetings.models import Motion
from tests.meetings import ballot_helpers

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="reads PostgreSQL's write-ahead log"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

# The choices cast, in seat order: 7 yes, 4 no, 4 abstain.
PATTERN = [
    *("no", "yes", "abstain", "yes", "no", "no", "abstain", "yes"),
    *("yes", "abstain", "yes", "no", "yes", "abstain", "yes"),
]

# A choice as the app or PostgreSQL would write it, looked for in lower-cased bytes: the JSON
# key, "abstain" anywhere, the values in JSON's quotes, as text values (a short varlena: its
# header byte, then the letters), and the labels (zh_Hans: 同意, 不同意, 弃权). Bare "yes" and
# "no" are too short to look for in binary data; a choice written in any variable-length form
# also changes the size of the records, which the test compares across choices.
WAL_MARKS = (
    b"choice",
    b"abstain",
    b'"yes"',
    b'"no"',
    b"\x09yes",
    b"\x07no",
    "同意".encode(),
    "弃权".encode(),
)
# In text (logs, request lines, cache and sessions) the same, and a choice in a query string
# or as a Python value.
TEXT_MARKS = ("choice", "abstain", '"yes"', '"no"', "'yes'", "'no'", "=yes", "=no", "同意", "弃权")

# Tables by what writes them (the indexes, sequences and TOAST of each go with it).
BALLOT_TABLES = {"meetings_ballotreceipt", "meetings_ballot", "infogov_auditentry"}
# Rows a voter's transaction locks FOR KEY SHARE: the foreign-key checks of the receipt (motion,
# voter), of the ballot (motion) and of the audit entry (actor). A lock writes no data.
BALLOT_LOCKS = {"meetings_motion", "members_user"}
# Signing each voter in (force_login): a session, axes' access log and the last login.
SIGN_IN_TABLES = {"django_session", "axes_accesslog", "members_user"}
# The count: the scrutineers' partial decryptions (and their shares destroyed), the totals on
# the motion, the audit trail, and the meeting's revision (lock_meeting moves it on, so that
# the meeting page's cached parts show the result).
COUNT_TABLES = {
    "meetings_scrutineer",
    "meetings_motion",
    "infogov_auditentry",
    "meetings_meeting",
}

# Records that write no row: row locks, and the housekeeping any transaction may do on the
# pages it reads (removing dead versions, the visibility map).
LOCKS = {("Heap", "LOCK"), ("Heap2", "LOCK_UPDATED")}
HOUSEKEEPING = {
    ("Heap2", "PRUNE"),
    ("Heap2", "VACUUM"),
    ("Heap2", "VISIBLE"),
    ("Heap2", "FREEZE_PAGE"),
    ("Btree", "DELETE"),
    ("Btree", "REUSE_PAGE"),
}

BLCKSZ = 8192
XLP_LONG_HEADER = 0x0002
XLOG_PAGE_MAGIC = 0xD110  # PostgreSQL 15


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return int(high, 16) << 32 | int(low, 16)


def _lsn_text(lsn: int) -> str:
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


@dataclass
class Block:
    relation: tuple[int, int, int]  # tablespace, database, relfilenode
    image: bytes | None  # the whole page, its hole filled with zeros
    data: bytes


@dataclass
class Record:
    start: int
    xid: int
    rmgr: str
    kind: str
    description: str
    raw: bytes = b""
    main: bytes = b""
    blocks: list[Block] = field(default_factory=list)

    @property
    def written(self) -> bytes:
        """What the record itself writes (its main data and each block's data), without the
        page images it carries."""
        return self.main + b"".join(b.data for b in self.blocks)

    @property
    def key(self) -> tuple[str, str]:
        return self.rmgr, self.kind.split("+")[0]

    def row(self) -> bytes:
        """The heap row a Heap INSERT or UPDATE writes, from t_bits on: from the page image
        if the record carries one (then the record leaves the row out of its data)."""
        offset = 0 if self.key == ("Heap", "INSERT") else 12  # xl_heap_insert / _update
        offnum = struct.unpack_from("<H", self.main, offset)[0]
        block = self.blocks[0]
        if block.image is None:
            return block.data[5:] if offset == 0 else block.data  # after xl_heap_header
        item = struct.unpack_from("<I", block.image, 24 + 4 * (offnum - 1))[0]  # ItemIdData
        start, length = item & 0x7FFF, item >> 17
        return block.image[start + 23 : start + length]  # after HeapTupleHeaderData


def _decode(raw: bytes) -> tuple[bytes, list[Block]]:
    """Split a WAL record (PostgreSQL 15's xlogrecord.h) into its main data and blocks."""
    total = struct.unpack_from("<I", raw)[0]
    pos, datatotal, main_len = 24, 0, 0
    heads = []  # (relation, (image length, hole offset, hole length, compressed), data length)
    relation = (0, 0, 0)
    while total - pos > datatotal:
        block_id = raw[pos]
        pos += 1
        if block_id == 255:  # XLR_BLOCK_ID_DATA_SHORT
            main_len = raw[pos]
            pos += 1
            datatotal += main_len
            break
        if block_id == 254:  # XLR_BLOCK_ID_DATA_LONG
            main_len = struct.unpack_from("<I", raw, pos)[0]
            pos += 4
            datatotal += main_len
            break
        if block_id == 253:  # XLR_BLOCK_ID_ORIGIN
            pos += 2
            continue
        if block_id == 252:  # XLR_BLOCK_ID_TOPLEVEL_XID
            pos += 4
            continue
        assert block_id <= 32, f"unknown block id {block_id}"
        fork_flags, data_len = struct.unpack_from("<BH", raw, pos)
        pos += 3
        datatotal += data_len
        image = None
        if fork_flags & 0x10:  # BKPBLOCK_HAS_IMAGE
            length, hole_offset, info = struct.unpack_from("<HHB", raw, pos)
            pos += 5
            compressed = bool(info & 0x1C)
            hole = 0
            if info & 0x01 and compressed:  # BKPIMAGE_HAS_HOLE, compressed
                hole = struct.unpack_from("<H", raw, pos)[0]
                pos += 2
            elif info & 0x01:
                hole = BLCKSZ - length
            datatotal += length
            image = (length, hole_offset, hole, compressed)
        if not fork_flags & 0x80:  # BKPBLOCK_SAME_REL
            relation = struct.unpack_from("<III", raw, pos)
            pos += 12
        pos += 4  # block number
        heads.append((relation, image, data_len))
    blocks = []
    for relation, image, data_len in heads:
        page = None
        if image is not None:
            length, hole_offset, hole, compressed = image
            if compressed:
                pytest.skip("wal_compression is on: the page images are compressed")
            stored = raw[pos : pos + length]
            page = stored[:hole_offset] + bytes(hole) + stored[hole_offset:]
            pos += length
        blocks.append(Block(relation, page, raw[pos : pos + data_len]))
        pos += data_len
    main = raw[pos : pos + main_len]
    assert pos + main_len == total, "record length"
    return main, blocks


class Wal:
    """The superuser's view of the WAL: pg_walinspect's records, their bytes from the segment
    files, and the relations they name."""

    def __init__(self) -> None:
        self.cursor = connection.cursor()
        self.pages: dict[int, bytes] = {}
        self.names: dict[int, tuple[str | None, str | None, str | None]] = {}
        self.slot = ""

    @classmethod
    @contextlib.contextmanager
    def opened(cls):
        wal = cls()
        try:
            wal._prepare()
            yield wal
        finally:
            if wal.slot:
                wal.cursor.execute("SELECT pg_drop_replication_slot(%s)", [wal.slot])
            wal.cursor.close()

    def _prepare(self) -> None:
        cursor = self.cursor
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except DatabaseError as error:
            pytest.skip(f"pg_walinspect or pageinspect unavailable (contrib, superuser): {error}")
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'wal_segment_size'")
        self.segment_size = cursor.fetchone()[0]
        cursor.execute("SELECT timeline_id FROM pg_control_checkpoint()")
        self.timeline = cursor.fetchone()[0]
        cursor.execute(
            "SELECT oid, dattablespace FROM pg_database WHERE datname = current_database()"
        )
        self.database, self.tablespace = cursor.fetchone()
        try:
            # Keeps every segment from now on until dropped (a checkpoint would recycle them).
            cursor.execute("SELECT 'wal_probe_' || pg_backend_pid()")
            slot = cursor.fetchone()[0]
            cursor.execute("SELECT pg_create_physical_replication_slot(%s, true, true)", [slot])
            self.slot = slot
            self._page((self.flush_lsn() - 1) // BLCKSZ * BLCKSZ)  # can the files be read?
            self.pages.clear()
            self.checkpoint()
        except DatabaseError as error:
            pytest.skip(f"cannot keep, read or checkpoint the WAL (superuser): {error}")

    def checkpoint(self) -> None:
        """A checkpoint: each page first written after it goes into the WAL whole (a page
        image), as it does at any time in production; the test reads those too."""
        self.cursor.execute("CHECKPOINT")

    def flush_lsn(self) -> int:
        self.cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        return _lsn(self.cursor.fetchone()[0])

    def insert_lsn(self) -> int:
        self.cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return _lsn(self.cursor.fetchone()[0])

    def _page(self, lsn: int) -> bytes:
        if lsn not in self.pages:
            segment, offset = divmod(lsn, self.segment_size)
            per_id = 0x100000000 // self.segment_size
            name = f"{self.timeline:08X}{segment // per_id:08X}{segment % per_id:08X}"
            self.cursor.execute(
                "SELECT pg_read_binary_file(%s, %s, %s)", [f"pg_wal/{name}", offset, BLCKSZ]
            )
            page = bytes(self.cursor.fetchone()[0])
            magic, _info, _tli, address = struct.unpack_from("<HHIQ", page)
            if magic != XLOG_PAGE_MAGIC or address != lsn:
                pytest.skip(f"WAL page {_lsn_text(lsn)} is not in pg_wal/{name} (recycled?)")
            self.pages[lsn] = page
        return self.pages[lsn]

    def _read(self, lsn: int, n: int) -> bytes:
        """n bytes of the WAL from ``lsn``, the page headers they cross left out."""
        out = b""
        while len(out) < n:
            start = lsn // BLCKSZ * BLCKSZ
            page = self._page(start)
            info = struct.unpack_from("<H", page, 2)[0]
            header = 40 if info & XLP_LONG_HEADER else 24
            offset = max(lsn - start, header)
            out += page[offset : offset + n - len(out)]
            lsn = start + BLCKSZ
        return out

    def records(self, start: int, end: int) -> list[Record]:
        """Every record from ``start`` to ``end`` that names a relation of this database, or
        is of a transaction that does, with its bytes."""
        deadline = time.monotonic() + 10
        while self.flush_lsn() < end and time.monotonic() < deadline:
            time.sleep(0.05)  # pg_walinspect and the files hold only what has been flushed
        self.cursor.execute(
            "SELECT start_lsn::text, xid::text::bigint, resource_manager, record_type,"
            " record_length, description, coalesce(block_ref, '')"
            " FROM pg_get_wal_records_info(%s, %s)",
            [_lsn_text(start), _lsn_text(end)],
        )
        rows = self.cursor.fetchall()
        self.pages.clear()  # a page read before is read again, whole up to ``end`` now
        ours = {
            xid
            for _s, xid, _r, _k, _l, _d, refs in rows
            if any(int(db) == self.database for db in re.findall(r"rel \d+/(\d+)/\d+", refs))
        }
        out = []
        for lsn, xid, rmgr, kind, length, description, refs in rows:
            dbs = {int(db) for db in re.findall(r"rel \d+/(\d+)/\d+", refs)}
            if self.database not in dbs and xid not in ours - {0}:
                continue
            record = Record(_lsn(lsn), xid, rmgr, kind, description)
            record.raw = self._read(record.start, length)
            assert struct.unpack_from("<II", record.raw) == (length, xid), lsn
            record.main, record.blocks = _decode(record.raw)
            out.append(record)
        return out

    def relation(self, node: tuple[int, int, int]) -> tuple[str | None, str | None, str | None]:
        """(relation, kind, the table it belongs to) of a relfilenode of this database."""
        spc, db, relfilenode = node
        if db != self.database:
            return None, None, None
        if relfilenode not in self.names:
            self.cursor.execute(
                "SELECT c.oid::regclass::text, c.relkind, (CASE c.relkind"
                " WHEN 'i' THEN (SELECT coalesce(nullif(t.oid, i.indrelid), i.indrelid)"
                "  FROM pg_index i LEFT JOIN pg_class t ON t.reltoastrelid = i.indrelid"
                "  WHERE i.indexrelid = c.oid)"
                " WHEN 't' THEN (SELECT oid FROM pg_class WHERE reltoastrelid = c.oid)"
                " WHEN 'S' THEN (SELECT refobjid FROM pg_depend WHERE objid = c.oid"
                "  AND classid = 'pg_class'::regclass AND refclassid = 'pg_class'::regclass"
                "  AND deptype IN ('a', 'i'))"
                " ELSE c.oid END)::regclass::text"
                " FROM pg_class c WHERE c.oid = pg_filenode_relation(%s, %s)",
                [0 if spc == self.tablespace else spc, relfilenode],
            )
            row = self.cursor.fetchone()
            self.names[relfilenode] = row or (None, None, None)
        return self.names[relfilenode]

    def tables(self, record: Record) -> set[str | None]:
        return {self.relation(b.relation)[2] for b in record.blocks}

    def test_rows(self, page: bytes, since: int) -> list[bytes]:
        """The tuples on a heap page image that this test wrote (transaction ``since`` on):
        the page is the attacker's, but earlier tests' dead versions are no ballot's."""
        self.cursor.execute(
            "SELECT t_xmin::text::bigint, t_data FROM heap_page_items(%s) WHERE t_data IS NOT NULL",
            [page],
        )
        return [bytes(data) for xmin, data in self.cursor.fetchall() if xmin >= since]


def _transactions(records: list[Record]) -> dict[int, int]:
    """{xid: its top-level transaction}, from the commit and abort records' subtransactions."""
    top: dict[int, int] = {}
    for r in records:
        if r.rmgr == "Transaction" and r.xid:
            top[r.xid] = r.xid
            found = re.search(r"subxacts: ([\d ]+)", r.description)
            for sub in found.group(1).split() if found else []:
                top[int(sub)] = r.xid
    return top


def _found(marks, haystack: bytes) -> list[bytes]:
    lowered = haystack.lower()
    return [m for m in marks if m in lowered]


def _masked(data: bytes, box: list[bytes]) -> bytes:
    for ballot in box:
        data = data.replace(ballot, bytes(len(ballot)))
    return data


@contextlib.contextmanager
def _every_logger_at_debug(caplog):
    """Every logger at DEBUG into caplog (those that do not propagate too), and the SQL query
    log on."""
    names = ["", *logging.root.manager.loggerDict]
    alone = []
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name or None)
        logger = logging.getLogger(name or None)
        if name and not logger.propagate:
            logger.addHandler(caplog.handler)
            alone.append(logger)
    connection.force_debug_cursor = True
    try:
        yield
    finally:
        connection.force_debug_cursor = False
        for logger in alone:
            logger.removeHandler(caplog.handler)


def _log_text(record: logging.LogRecord) -> str:
    extra = {k: v for k, v in vars(record).items() if k not in ("msg", "args", "message")}
    return f"{record.getMessage()} {record.args!r} {record.exc_text or ''} {extra!r}"


def _cache_contents() -> list[tuple[str, bytes, str]]:
    """(key, stored bytes, the value read back) of every entry of the cache: Redis's whole
    database, or the local memory cache's dictionary."""
    out = []
    backend = cache._cache if hasattr(cache, "_cache") else None
    if hasattr(backend, "get_client"):  # RedisCache: the whole database the cache uses
        client = backend.get_client(write=False)
        for key in client.scan_iter("*"):
            raw = client.dump(key) or b""
            value = client.get(key) if client.type(key) == b"string" else raw
            with contextlib.suppress(Exception):
                value = pickle.loads(value)
            out.append((key.decode(), raw, repr(value)))
    else:  # LocMemCache: {key: pickled value}
        for key, raw in dict(cache._cache).items():
            out.append((key, raw, repr(pickle.loads(raw))))
    return out


@dataclass
class Probe:
    """What the attacker reads once the ballot is counted, and what the test knows besides
    (the choices, the shares) to judge it."""

    wal: Wal
    motion: Motion
    voters: list
    since: int  # the first transaction of this test
    closed_at: int  # LSNs: the close, the count
    count_from: int
    records: list[Record]
    requests: list[str]  # what an access log keeps of each request
    shares: dict[int, int]  # {scrutineer index: share}, opened with the scrutineers' passwords
    box: list[bytes] = field(default_factory=list)
    trackers: list[str] = field(default_factory=list)
    by_tx: dict[int, list[Record]] = field(default_factory=dict)  # by top-level transaction
    ballot_tx: dict[int, int] = field(default_factory=dict)  # {voter id: their transaction}

    def __post_init__(self) -> None:
        ballots_ = Ballot.objects.filter(motion=self.motion).order_by("tracker")
        self.box = sorted(bytes(b.data) for b in ballots_)
        self.trackers = [b.tracker for b in ballots_]
        top = _transactions(self.records)
        for r in self.records:
            self.by_tx.setdefault(top.get(r.xid, r.xid), []).append(r)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT voter_id, xmin::text::bigint FROM meetings_ballotreceipt"
                " WHERE motion_id = %s",
                [self.motion.pk],
            )
            self.ballot_tx = {voter: top[xid] for voter, xid in cursor.fetchall()}

    def writes(self, records: list[Record]) -> set[str | None]:
        """The tables (with their indexes, sequences, TOAST) whose rows ``records`` write."""
        return {
            t
            for r in records
            if r.blocks and r.key not in LOCKS | HOUSEKEEPING
            for t in self.wal.tables(r)
        }

    def locks(self, records: list[Record]) -> set[str | None]:
        return {t for r in records if r.key in LOCKS for t in self.wal.tables(r)}

    def shape(self, records: list[Record]) -> tuple:
        """The heap's rows and locks, each with the length of what it writes, and the indexes
        written. (Not the sequences: one is logged every 32 values, whoever takes the value.)"""
        name = self.wal.relation
        return (
            tuple(
                sorted(
                    (
                        name(r.blocks[0].relation)[0],
                        r.key,
                        len(r.row()) if r.key == ("Heap", "INSERT") else len(r.written),
                    )
                    for r in records
                    if r.rmgr == "Heap"
                )
            ),
            tuple(
                sorted(
                    {
                        name(b.relation)[0]
                        for r in records
                        for b in r.blocks
                        if name(b.relation)[1] == "i"
                    }
                )
            ),
        )


def _vote_close_and_count(wal: Wal, motion: Motion, voters, leader, since: int, caplog) -> Probe:
    """Each voter signs in, confirms, votes and follows the redirect (and the page's poll)
    through HTTP, with every logger at DEBUG; then the vote is closed and two scrutineers
    count it. Checkpoints before the votes and the count, so that the WAL holds page images
    too."""
    wal.checkpoint()
    start = wal.insert_lsn()
    requests = []
    with _every_logger_at_debug(caplog):
        for voter, choice in zip(voters, PATTERN, strict=True):
            client = Client()
            client.force_login(voter)
            confirm = client.post(
                reverse("meetings:vote_confirm", args=[motion.pk]), {"choice": choice}
            )
            cast = client.post(reverse("meetings:cast_vote", args=[motion.pk]), {"choice": choice})
            assert (confirm.status_code, cast.status_code) == (200, 302)
            page = client.get(cast["Location"])
            poll = client.get(
                cast["Location"], headers={"HX-Request": "true", "HX-Target": "vote-panel"}
            )
            for response in (confirm, cast, page, poll):
                request = response.request
                query = request.get("QUERY_STRING", "")
                line = f"{request['REQUEST_METHOD']} {request['PATH_INFO']}"
                requests.append(f"{line}{'?' if query else ''}{query} {response.status_code}")
            requests.append(f"Location: {cast['Location']}")
    closed_at = wal.insert_lsn()
    motion = services.close_vote(actor=leader, motion=motion)
    # The shares, opened before the count destroys them: the attacker has none; the test uses
    # them to recognise a decryption.
    opened = {
        s.index: ballots.unseal(s, s.person, ballot_helpers.password_of(s.person))
        for s in Scrutineer.objects.filter(motion=motion).select_related("person")
    }
    wal.checkpoint()
    count_from = wal.insert_lsn()
    motion = ballot_helpers.count(motion)
    records = wal.records(start, wal.insert_lsn())
    return Probe(wal, motion, voters, since, closed_at, count_from, records, requests, opened)


def _each_ballot_transaction_writes_its_own_rows_whatever_the_choice(probe: Probe) -> None:
    assert len(set(probe.ballot_tx.values())) == len(probe.voters)
    shapes: dict[str, set[tuple]] = {}
    for voter, choice in zip(probe.voters, PATTERN, strict=True):
        mine = probe.by_tx[probe.ballot_tx[voter.pk]]
        assert probe.writes(mine) == BALLOT_TABLES, (voter, probe.writes(mine))
        assert probe.locks(mine) <= BALLOT_LOCKS, (voter, probe.locks(mine))
        kinds = {r.key for r in mine if r.blocks}
        assert kinds <= LOCKS | HOUSEKEEPING | {("Heap", "INSERT"), ("Sequence", "LOG")} | {
            k for k in kinds if k[0] == "Btree"
        }, kinds
        shapes.setdefault(choice, set()).add(probe.shape(mine))
    assert len(set().union(*shapes.values())) == 1, shapes


def _nothing_but_ballots_and_sign_ins_written_while_open(probe: Probe) -> None:
    """No total (the motion's row), no other row, while the vote is open."""
    written = set()
    for records in probe.by_tx.values():
        tables = probe.writes([r for r in records if r.start < probe.closed_at])
        if not all(t and t.startswith("pg_") for t in tables):
            written |= tables  # (autovacuum's statistics, if it runs, are its own)
    assert written == BALLOT_TABLES | SIGN_IN_TABLES, written
    assert "meetings_motion" not in probe.writes(
        [r for r in probe.records if r.start < probe.closed_at]
    )


def _no_choice_in_the_wal(probe: Probe) -> None:
    """Not in what any record writes, nor in this test's rows on the page images."""
    wal = probe.wal
    for r in probe.records:
        # The count's audit entry names its published totals "yes", "no" and "abstain".
        marks = set(WAL_MARKS) if r.start < probe.count_from else set(WAL_MARKS) - {b"abstain"}
        found = _found(marks, _masked(r.written, probe.box))
        assert not found, (found, r.rmgr, r.kind, wal.tables(r))
        for block in r.blocks:
            if block.image is not None and wal.relation(block.relation)[1] in ("r", "t"):
                for row in wal.test_rows(block.image, probe.since):
                    found = _found(marks, _masked(row, probe.box))
                    assert not found, (found, wal.relation(block.relation))


def _the_wal_holds_the_box_and_no_single_decryption(probe: Probe) -> None:
    box = probe.box
    inserted = [
        b
        for tx in set(probe.ballot_tx.values())
        for r in probe.by_tx[tx]
        if r.rmgr == "Heap" and probe.wal.tables(r) == {"meetings_ballot"}
        for b in box
        if b in r.row()
    ]
    assert sorted(inserted) == box  # one per voter's transaction, each a ballot of the box
    every = b"".join(r.raw for r in probe.records)
    lowered = every.lower()
    for ballot in box:
        for i in range(0, len(ballot), 32):
            chunk = ballot[i : i + 32]
            assert every.count(chunk) == every.count(ballot), "a ciphertext apart from its ballot"
            assert chunk.hex().encode() not in lowered, "a ciphertext apart from its ballot"
    # Neither x·A_j (the ballot's key, from two shares) nor x_i·A_j (a scrutineer's share) of
    # any ballot is in the WAL outside the box's ballots (where x·A_j is B_j itself for each
    # choice j not taken: B_j = 0·G + r_j·X).
    outside = _masked(every, box)
    pair = sorted(probe.shares)[: shares.K]
    x = sum(shares.lagrange_at_zero(i, pair) * probe.shares[i] for i in pair) % crypto.L
    assert crypto.base(x) == bytes(probe.motion.ballot_key)
    for data in box:
        for ct in proofs.Ballot.from_bytes(data, len(ballots.CHOICES)).ciphertexts:
            for secret in (x, *probe.shares.values()):
                factor = crypto.mul(secret, ct.a)
                assert factor not in outside, "a ballot decrypted"
                assert factor.hex().encode() not in outside.lower(), "a ballot decrypted"


def _the_count_writes_partials_of_the_sums_and_the_totals(probe: Probe) -> None:
    counting = [r for r in probe.records if r.start >= probe.count_from]
    for tx, records in probe.by_tx.items():
        if tx and any(r.start >= probe.count_from for r in records):
            assert probe.writes(records) <= COUNT_TABLES, probe.writes(records)
    raw = b"".join(r.raw for r in counting)
    assert not any(b[i : i + 32] in raw for b in probe.box for i in range(0, len(b), 32))
    sums = ballots.totals([proofs.Ballot.from_bytes(b, len(ballots.CHOICES)) for b in probe.box])
    written = b"".join(r.written for r in counting)
    partials = Scrutineer.objects.filter(motion=probe.motion, partial__isnull=False)
    assert partials.count() == shares.K
    for s in partials:
        expected = b"".join(crypto.mul(probe.shares[s.index], ct.a) for ct in sums)
        assert bytes(s.partial) == expected and expected in written
    motion = probe.motion
    totals = struct.pack("<iii", motion.yes, motion.no, motion.abstain)
    assert any(
        totals in r.row()
        for r in counting
        if r.key in {("Heap", "UPDATE"), ("Heap", "HOT_UPDATE")}
        and probe.wal.tables(r) == {"meetings_motion"}
    )


def _no_choice_or_tracker_in_logs_requests_cache_or_sessions(probe: Probe, caplog) -> None:
    trackers = probe.trackers
    queries = [r for r in caplog.records if r.name == "django.db.backends"]
    assert queries  # the query log was on
    for record in caplog.records:
        if record in queries:
            # The statements name the motion's columns (yes, no, abstain); their parameters
            # show what the WAL shows (conceded: the ballot's bytes, its tracker), no choice.
            params = getattr(record, "params", None) or ()
            text = repr([p for p in params if not repr(p).startswith(("b'", 'b"', "Binary("))])
            assert not [m for m in TEXT_MARKS if m in text.lower()], text
            continue
        text = _log_text(record).lower()
        assert not [m for m in (*TEXT_MARKS, *trackers) if m in text], text
    assert len(probe.requests) == 5 * len(probe.voters)
    for line in probe.requests:
        assert not [m for m in (*TEXT_MARKS, *trackers) if m in line.lower()], line
    for key, raw, value in _cache_contents():
        text = f"{key} {value}".lower()
        assert not [m for m in (*TEXT_MARKS, *trackers) if m in text], (key, value)
        assert not _found(WAL_MARKS, raw), key
    sessions = list(Session.objects.all())
    assert len(sessions) >= len(probe.voters)
    for session in sessions:
        decoded = json.dumps(SessionStore().decode(session.session_data), default=str)
        text = f"{session.session_data} {decoded}".lower()
        assert not [m for m in (*TEXT_MARKS, *trackers) if m in text], decoded


def test_the_wal_logs_cache_and_sessions_link_no_ballot_to_a_choice(in_session, leader, caplog):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text")
        since = int(cursor.fetchone()[0]) & 0xFFFFFFFF
    item = services.add_agenda_item(actor=leader, meeting=in_session, title="探针", is_major=True)
    motion = services.create_motion(
        actor=leader, item=item, text="WAL 探针", method=Motion.Method.SECRET
    )
    motion = ballot_helpers.open_vote(actor=leader, motion=motion)
    voters = [
        m.person for m in in_session.expected_members.select_related("person").order_by("order")
    ][: len(PATTERN)]

    with Wal.opened() as wal:
        probe = _vote_close_and_count(wal, motion, voters, leader, since, caplog)
        motion = probe.motion
        assert (motion.yes, motion.no, motion.abstain) == tuple(
            PATTERN.count(c) for c in ("yes", "no", "abstain")
        )
        assert len(probe.box) == len(PATTERN)
        _each_ballot_transaction_writes_its_own_rows_whatever_the_choice(probe)
        _nothing_but_ballots_and_sign_ins_written_while_open(probe)
        _no_choice_in_the_wal(probe)
        _the_wal_holds_the_box_and_no_single_decryption(probe)
        _the_count_writes_partials_of_the_sums_and_the_totals(probe)
    _no_choice_or_tracker_in_logs_requests_cache_or_sessions(probe, caplog)
