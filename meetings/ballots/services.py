"""A secret ballot in the database: opening it with its scrutineers, casting, counting by k
scrutineers, paper totals, and verifying the box (BALLOT.md). The callers (meetings.services
.votes, the views, ``manage.py verify_ballot``) hold the transaction and the motion's lock
where a step needs them; the plaintext choice lives only in ``cast``'s arguments.
"""

import hashlib
import itertools
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from infogov import audit
from meetings import rules
from meetings.ballots import keys, proofs, shares
from meetings.ballots.crypto import (
    Ciphertext,
    InvalidBallotData,
    check_point,
    combine,
    small_log,
    sub,
)
from meetings.ballots.models import Ballot, PaperCount, Scrutineer, ScrutineerKey
from meetings.services.errors import MeetingError

CHOICES = list(rules.Choice)  # the ciphertexts' order in a ballot: yes, no, abstain
K = shares.K


def _public_key(motion) -> bytes:
    return bytes(motion.ballot_key)


# --- Opening -----------------------------------------------------------------------------------


def open_box(motion, people, present_ids: set[int]) -> None:
    """Name the scrutineers (R-VOTE-1, Art. 13: two or three present voting members), make the
    ballot's key, seal a share to each of them and forget the key. Sets motion.ballot_key;
    the caller saves the motion."""
    people = list(people)
    if not rules.art13_scrutineers_ok(
        named=len(people),
        distinct=len({p.pk for p in people}),
        all_present=all(p.pk in present_ids for p in people),
    ):
        raise MeetingError(_("Name two or three different present voting members as scrutineers."))
    box_keys = {
        row.person_id: bytes(row.public_key)
        for row in ScrutineerKey.objects.filter(person__in=people)
    }
    missing = [str(p) for p in people if p.pk not in box_keys]
    if missing:
        raise MeetingError(
            _(
                "%(names)s has no ballot key yet: they make one on the ballot key page with "
                "their password, then the vote can open."
            )
            % {"names": "、".join(missing)}
        )
    split = shares.split(len(people))
    motion.ballot_key = split.public_key
    Scrutineer.objects.bulk_create(
        Scrutineer(
            motion=motion,
            person=person,
            index=i + 1,
            commitment=split.commitments[i],
            sealed_share=shares.seal_share(split.shares[i], box_keys[person.pk]),
        )
        for i, person in enumerate(people)
    )
    split.shares.clear()


# --- Casting -----------------------------------------------------------------------------------


def encrypt(motion, choice: str) -> proofs.Ballot:
    """The ballot for ``choice``, encrypted under the motion's key with its proofs."""
    return proofs.make_ballot(
        CHOICES.index(rules.Choice(choice)), len(CHOICES), _public_key(motion), motion.pk
    )


def parse(motion, data: bytes) -> proofs.Ballot:
    """A ballot from outside, parsed and its proofs checked; MeetingError if it does not."""
    try:
        ballot = proofs.Ballot.from_bytes(data, len(CHOICES))
    except InvalidBallotData:
        ballot = None
    if ballot is None or not proofs.verify_ballot(ballot, _public_key(motion), motion.pk):
        raise MeetingError(
            _(
                "This ballot is not valid: it must hold exactly one choice, proved. It was "
                "not counted."
            )
        )
    return ballot


def store(motion, ballot: proofs.Ballot) -> str:
    """Put ``ballot`` in the box; return its tracker."""
    data = ballot.to_bytes()
    tracker = hashlib.sha256(data).hexdigest()
    Ballot.objects.create(tracker=tracker, motion=motion, data=data)
    return tracker


# --- Counting ----------------------------------------------------------------------------------


def _ballots(motion) -> list[tuple[str, bytes]]:
    # Ordered by tracker (a hash): the box's order says nothing of the order of casting.
    return [
        (tracker, bytes(data))
        for tracker, data in Ballot.objects.filter(motion=motion)
        .order_by("tracker")
        .values_list("tracker", "data")
    ]


def _parsed_box(motion) -> list[proofs.Ballot]:
    return [proofs.Ballot.from_bytes(data, len(CHOICES)) for _tracker, data in _ballots(motion)]


def totals(ballots: list[proofs.Ballot]) -> list[Ciphertext]:
    """The homomorphic sum of the box, per choice."""
    return [combine(b.ciphertexts[j] for b in ballots) for j in range(len(CHOICES))]


def partials_of(share: int, commitment: bytes, sums: list[Ciphertext], motion_id: int, index: int):
    """A scrutineer's partial decryptions of ``sums`` (D_j = share·A_j) and their proofs, as
    the bytes stored."""
    points, proof_bytes = b"", b""
    for j, ct in enumerate(sums):
        d, proof = proofs.partial_decrypt(share, commitment, ct.a, motion_id, index, j)
        points += d
        proof_bytes += proofs.proof_to_bytes(proof)
    return points, proof_bytes


def check_partial(
    scrutineer: Scrutineer, sums: list[Ciphertext], points: bytes, proof_bytes: bytes
) -> bool:
    """Whether ``points`` are scrutineer's share times each sum's A, as the proofs show."""
    n = len(sums)
    if len(points) != 32 * n or len(proof_bytes) != 64 * n:
        return False
    commitment = bytes(scrutineer.commitment)
    for j, ct in enumerate(sums):
        try:
            proof = proofs.proof_from_bytes(proof_bytes[64 * j : 64 * j + 64])
        except InvalidBallotData:
            return False
        d = points[32 * j : 32 * j + 32]
        if not proofs.verify_partial(
            d, proof, commitment, ct.a, scrutineer.motion_id, scrutineer.index, j
        ):
            return False
    return True


def give_partial(scrutineer: Scrutineer, sums, points: bytes, proof_bytes: bytes) -> None:
    """Store a scrutineer's partial decryption if it checks; refuse it otherwise."""
    if not check_partial(scrutineer, sums, points, proof_bytes):
        raise MeetingError(
            _(
                "This partial decryption does not match the scrutineer's share; it was "
                "refused and nothing was stored."
            )
        )
    scrutineer.partial, scrutineer.partial_proof = points, proof_bytes
    scrutineer.save(update_fields=["partial", "partial_proof"])


def decrypt_totals(sums: list[Ciphertext], given: dict[int, bytes], bound: int) -> list[int] | None:
    """The totals from k partial decryptions {index: D_0‖D_1‖D_2}: B_j − Σ λ_i D_ij = t_j·G."""
    out = []
    for j, ct in enumerate(sums):
        xa = shares.interpolate({i: d[32 * j : 32 * j + 32] for i, d in given.items()})
        t = small_log(sub(ct.b, xa), bound)
        if t is None:
            return None
        out.append(t)
    return out


@dataclass(frozen=True)
class Count:
    yes: int
    no: int
    abstain: int


def count_now(motion, n_receipts: int) -> Count:
    """Verify every ballot, combine, and decrypt the totals from the given partials; raise
    MeetingError if anything does not check (nothing is then saved by the caller)."""
    problem = _("The ballot box does not check; it was not counted. Ask the Office.")
    try:
        ballots = _parsed_box(motion)
    except InvalidBallotData:
        raise MeetingError(problem) from None
    key = _public_key(motion)
    if len(ballots) != n_receipts or not all(
        proofs.verify_ballot(b, key, motion.pk) for b in ballots
    ):
        raise MeetingError(problem)
    sums = totals(ballots)
    given = {
        s.index: bytes(s.partial or b"")
        for s in Scrutineer.objects.filter(motion=motion, partial__isnull=False).order_by("index")[
            :K
        ]
    }
    result = decrypt_totals(sums, given, n_receipts)
    if result is None or sum(result) != n_receipts:
        raise MeetingError(problem)
    return Count(*result)


def unseal(scrutineer: Scrutineer, person, password: str) -> int:
    """The scrutineer's share, opened with their password; MeetingError if it does not open."""
    if scrutineer.sealed_share is None:
        raise MeetingError(_("The shares of this ballot have been destroyed."))
    try:
        public, secret = keys.secret_key(person, password)
        return shares.open_share(bytes(scrutineer.sealed_share), public, secret)
    except InvalidBallotData:
        raise MeetingError(
            _(
                "Your ballot key does not open with this password. If your password was reset "
                "after the vote opened, another scrutineer counts instead."
            )
        ) from None


@transaction.atomic
def destroy_shares(motion) -> None:
    Scrutineer.objects.filter(motion=motion).update(sealed_share=None)


# --- Verifying ---------------------------------------------------------------------------------


def verify(motion) -> list[str]:
    """Recompute a counted secret ballot from its published box; return what does not match
    (empty if everything does). Plain strings: for the command and the box page."""
    problems = []
    if motion.ballot_key is None:
        return ["no ballot key"]
    key = _public_key(motion)
    try:
        check_point(key, identity=False)
    except InvalidBallotData:
        return ["invalid ballot key"]
    scrutineers = list(Scrutineer.objects.filter(motion=motion).order_by("index"))
    commitments = {s.index: bytes(s.commitment) for s in scrutineers}
    for pair in itertools.combinations(sorted(commitments), K):
        if shares.interpolate({i: commitments[i] for i in pair}) != key:
            problems.append(f"commitments {pair} do not give the ballot key")
    ballots = []
    for tracker, data in _ballots(motion):
        if hashlib.sha256(data).hexdigest() != tracker:
            problems.append(f"ballot {tracker[:12]}: tracker does not match")
        try:
            ballot = proofs.Ballot.from_bytes(data, len(CHOICES))
        except InvalidBallotData:
            problems.append(f"ballot {tracker[:12]}: malformed")
            continue
        if not proofs.verify_ballot(ballot, key, motion.pk):
            problems.append(f"ballot {tracker[:12]}: proof does not check")
        ballots.append(ballot)
    receipts = motion.receipts.count()
    if len(ballots) != receipts:
        problems.append(f"{len(ballots)} ballots for {receipts} receipts")
    if motion.counted != "crypto":
        return problems
    sums = totals(ballots)
    given = {}
    for s in scrutineers:
        if s.partial is None:
            continue
        if not check_partial(s, sums, bytes(s.partial), bytes(s.partial_proof or b"")):
            problems.append(f"partial decryption of scrutineer {s.index} does not check")
        else:
            given[s.index] = bytes(s.partial)
    if len(given) < K:
        problems.append("fewer than k partial decryptions")
        return problems
    for pair in itertools.combinations(sorted(given), K):
        result = decrypt_totals(sums, {i: given[i] for i in pair}, receipts)
        if result != [motion.yes, motion.no, motion.abstain]:
            problems.append(f"totals from scrutineers {pair}: {result}")
    return problems


def record_paper_count(*, actor, motion, yes: int, no: int, abstain: int) -> PaperCount:
    """The Office's paper totals for a secret ballot counted in the room (caller locks)."""
    if min(yes, no, abstain) < 0 or yes + no + abstain > (motion.present or 0):
        raise MeetingError(_("The paper totals cannot add up to more than the members present."))
    if PaperCount.objects.filter(motion=motion).exists():
        raise MeetingError(_("Paper totals are already recorded for this vote."))
    paper = PaperCount.objects.create(
        motion=motion, yes=yes, no=no, abstain=abstain, recorded_by=actor
    )
    Scrutineer.objects.filter(motion=motion).update(paper_confirmed=False)
    audit.record(
        actor=actor,
        action="vote.paper_recorded",
        obj=motion,
        after={"yes": yes, "no": no, "abstain": abstain},
    )
    return paper
