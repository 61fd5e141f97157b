"""Non-interactive zero-knowledge proofs (Fiat-Shamir over crypto.challenge): that a
ciphertext encrypts 0 or 1 (disjunctive Chaum-Pedersen), that a ballot's ciphertexts sum to
1, and that a partial decryption used the share its commitment names (Chaum-Pedersen).

Every challenge hashes a tag, the motion id, the ballot's public key and the statement: a
proof made for one motion does not check on another. Never the voter: a verifier could try
each voter until a proof checks.

A ballot in bytes (``Ballot.to_bytes``): for each choice in order A‖B (64 bytes), then for
each choice c0‖c1‖s0‖s1 (128 bytes), then the sum proof c‖s (64 bytes): 640 bytes for three
choices.
"""

import hashlib
from dataclasses import dataclass

from meetings.ballots.crypto import (
    SCALAR_BYTES,
    Ciphertext,
    G,
    InvalidBallotData,
    L,
    add,
    base,
    challenge,
    check_point,
    check_scalar,
    combine,
    encrypt,
    mul,
    random_scalar,
    scalar_from_int,
    sub,
)


@dataclass(frozen=True)
class BitProof:
    """That (A, B) encrypts 0 or 1: the challenges and responses of both branches."""

    c0: int
    c1: int
    s0: int
    s1: int


@dataclass(frozen=True)
class EqualityProof:
    """Chaum-Pedersen: log_P1 Q1 = log_P2 Q2, as (challenge, response)."""

    c: int
    s: int


def _commitments(s: int, c: int, p1: bytes, q1: bytes, p2: bytes, q2: bytes):
    """The commitments a verifier recomputes: s·P1 − c·Q1 and s·P2 − c·Q2."""
    first = base(s) if p1 == G else mul(s, p1)  # libsodium's fixed-base multiplication is faster
    return sub(first, mul(c, q1)), sub(mul(s, p2), mul(c, q2))


def _bit_context(motion_id: int, public_key: bytes, ciphertexts: list[Ciphertext], j: int):
    return ("bit", motion_id, public_key, *(c.to_bytes() for c in ciphertexts), j)


def prove_bit(m: int, r: int, ct: Ciphertext, public_key: bytes, context: tuple) -> BitProof:
    """Prove that ``ct`` = encrypt(m, public_key, r) with m ∈ {0, 1}: the real branch m, the
    other simulated."""
    other = 1 - m
    c_other, s_other = random_scalar(), random_scalar()
    b_other = sub(ct.b, G) if other else ct.b
    sim = _commitments(s_other, c_other, G, ct.a, public_key, b_other)
    w = random_scalar()
    real = (base(w), mul(w, public_key))
    branches = {m: real, other: sim}
    c = challenge(*context, *branches[0], *branches[1])
    c_real = (c - c_other) % L
    s_real = (w + c_real * r) % L
    if m == 0:
        return BitProof(c_real, c_other, s_real, s_other)
    return BitProof(c_other, c_real, s_other, s_real)


def verify_bit(proof: BitProof, ct: Ciphertext, public_key: bytes, context: tuple) -> bool:
    commitments = []
    for j, (c, s) in enumerate(((proof.c0, proof.s0), (proof.c1, proof.s1))):
        commitments += _commitments(s, c, G, ct.a, public_key, sub(ct.b, G) if j else ct.b)
    return (proof.c0 + proof.c1) % L == challenge(*context, *commitments)


def prove_equal(x: int, p1: bytes, p2: bytes, q1: bytes, q2: bytes, context: tuple):
    """Prove log_P1 Q1 = log_P2 Q2 = x."""
    w = random_scalar()
    first = base(w) if p1 == G else mul(w, p1)
    c = challenge(*context, p1, q1, p2, q2, first, mul(w, p2))
    return EqualityProof(c, (w + c * x) % L)


def verify_equal(
    proof: EqualityProof, p1: bytes, p2: bytes, q1: bytes, q2: bytes, context: tuple
) -> bool:
    a, b = _commitments(proof.s, proof.c, p1, q1, p2, q2)
    return proof.c == challenge(*context, p1, q1, p2, q2, a, b)


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot: a ciphertext per choice, each proved 0 or 1, and their sum 1."""

    ciphertexts: tuple[Ciphertext, ...]
    bit_proofs: tuple[BitProof, ...]
    sum_proof: EqualityProof

    def to_bytes(self) -> bytes:
        out = b"".join(c.to_bytes() for c in self.ciphertexts)
        for p in self.bit_proofs:
            out += b"".join(scalar_from_int(n) for n in (p.c0, p.c1, p.s0, p.s1))
        return out + scalar_from_int(self.sum_proof.c) + scalar_from_int(self.sum_proof.s)

    @classmethod
    def from_bytes(cls, data: bytes, choices: int) -> "Ballot":
        """Parse and validate the encoding (points canonical, scalars reduced)."""
        if not isinstance(data, bytes) or len(data) != choices * 192 + 64:
            raise InvalidBallotData("ballot length")
        parts = [data[i : i + 32] for i in range(0, len(data), 32)]
        points, scalars = parts[: 2 * choices], [check_scalar(s) for s in parts[2 * choices :]]
        cts = tuple(
            Ciphertext(check_point(points[2 * j], identity=False), check_point(points[2 * j + 1]))
            for j in range(choices)
        )
        bits = tuple(BitProof(*scalars[4 * j : 4 * j + 4]) for j in range(choices))
        return cls(cts, bits, EqualityProof(*scalars[4 * choices :]))

    @property
    def tracker(self) -> str:
        """What the voter is shown to find their ballot in the box: SHA-256 of its bytes."""
        return hashlib.sha256(self.to_bytes()).hexdigest()


def make_ballot(index: int, choices: int, public_key: bytes, motion_id: int) -> Ballot:
    """Encrypt a vote for choice ``index`` of ``choices`` with its proofs."""
    if not 0 <= index < choices:
        raise InvalidBallotData("choice")
    ms = [1 if j == index else 0 for j in range(choices)]
    rs = [random_scalar() for _ in range(choices)]
    cts = [encrypt(m, public_key, r) for m, r in zip(ms, rs, strict=True)]
    bits = tuple(
        prove_bit(m, r, ct, public_key, _bit_context(motion_id, public_key, cts, j))
        for j, (m, r, ct) in enumerate(zip(ms, rs, cts, strict=True))
    )
    total = combine(cts)
    sum_proof = prove_equal(
        sum(rs) % L,
        G,
        public_key,
        total.a,
        sub(total.b, G),
        ("sum", motion_id, public_key, *(c.to_bytes() for c in cts)),
    )
    return Ballot(tuple(cts), bits, sum_proof)


def verify_ballot(ballot: Ballot, public_key: bytes, motion_id: int) -> bool:
    """Whether each ciphertext encrypts 0 or 1 and they sum to 1, for this motion and key."""
    cts = list(ballot.ciphertexts)
    if len(ballot.bit_proofs) != len(cts):
        return False
    for j, (ct, proof) in enumerate(zip(cts, ballot.bit_proofs, strict=True)):
        if not verify_bit(proof, ct, public_key, _bit_context(motion_id, public_key, cts, j)):
            return False
    total = combine(cts)
    return verify_equal(
        ballot.sum_proof,
        G,
        public_key,
        total.a,
        sub(total.b, G),
        ("sum", motion_id, public_key, *(c.to_bytes() for c in cts)),
    )


def partial_context(motion_id: int, index: int, j: int) -> tuple:
    return ("partial", motion_id, index, j)


def partial_decrypt(share: int, commitment: bytes, a: bytes, motion_id: int, index: int, j: int):
    """D = share·A with a proof that log_G commitment = log_A D."""
    d = mul(share, a)
    proof = prove_equal(share, G, a, commitment, d, partial_context(motion_id, index, j))
    return d, proof


def verify_partial(
    d: bytes, proof: EqualityProof, commitment: bytes, a: bytes, motion_id: int, index: int, j: int
) -> bool:
    try:
        check_point(d)
    except InvalidBallotData:
        return False
    return verify_equal(proof, G, a, commitment, d, partial_context(motion_id, index, j))


def proof_to_bytes(proof: EqualityProof) -> bytes:
    return scalar_from_int(proof.c) + scalar_from_int(proof.s)


def proof_from_bytes(data: bytes) -> EqualityProof:
    if len(data) != 2 * SCALAR_BYTES:
        raise InvalidBallotData("proof length")
    return EqualityProof(check_scalar(data[:32]), check_scalar(data[32:]))


__all__ = ["Ballot", "add", "make_ballot", "verify_ballot"]
