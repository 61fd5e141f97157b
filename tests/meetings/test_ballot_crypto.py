"""The secret ballot's mathematics (meetings.ballots, BALLOT.md), without the database:
encryption and proofs, forged ballots, partial decryptions, k-of-n shares, wrapped keys."""

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.ballots import crypto, proofs, shares
from meetings.ballots.crypto import IDENTITY, Ciphertext, G, InvalidBallotData, L

MOTION = 42
CHOICES = 3


def count(ballots, split, indices, bound):
    """The totals from the partial decryptions of scrutineers ``indices``, checking each proof."""
    sums = [crypto.combine(b.ciphertexts[j] for b in ballots) for j in range(CHOICES)]
    totals = []
    for j, ct in enumerate(sums):
        partials = {}
        for i in indices:
            d, proof = proofs.partial_decrypt(
                split.shares[i - 1], split.commitments[i - 1], ct.a, MOTION, i, j
            )
            assert proofs.verify_partial(d, proof, split.commitments[i - 1], ct.a, MOTION, i, j)
            partials[i] = d
        totals.append(crypto.small_log(crypto.sub(ct.b, shares.interpolate(partials)), bound))
    return totals


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, CHOICES - 1), min_size=1, max_size=500), st.sampled_from([2, 3]))
def test_counted_totals_equal_the_plaintext_sums(choices, n):
    split = shares.split(n)
    ballots = [proofs.make_ballot(c, CHOICES, split.public_key, MOTION) for c in choices]
    assert all(proofs.verify_ballot(b, split.public_key, MOTION) for b in ballots)

    totals = count(ballots, split, [1, n], len(choices))

    assert totals == [choices.count(j) for j in range(CHOICES)]


@given(st.lists(st.integers(0, CHOICES - 1), min_size=1, max_size=20))
@settings(max_examples=10, deadline=None)
def test_any_two_of_three_scrutineers_count_the_same(choices):
    split = shares.split(3)
    ballots = [proofs.make_ballot(c, CHOICES, split.public_key, MOTION) for c in choices]
    expected = [choices.count(j) for j in range(CHOICES)]
    for pair in ([1, 2], [1, 3], [2, 3]):
        assert count(ballots, split, pair, len(choices)) == expected


def test_one_share_alone_does_not_give_the_key():
    split = shares.split(3)
    assert shares.interpolate({1: split.commitments[0]}) != split.public_key
    assert shares.interpolate({1: split.commitments[0], 3: split.commitments[2]}) == (
        split.public_key
    )


def _forge(split, ms):
    """A ballot encrypting ``ms`` (any integers) with proofs made as if each were a bit."""
    rs = [crypto.random_scalar() for _ in ms]
    cts = [crypto.encrypt(m, split.public_key, r) for m, r in zip(ms, rs, strict=True)]
    bits = tuple(
        proofs.prove_bit(
            m if m in (0, 1) else 1,
            r,
            ct,
            split.public_key,
            proofs._bit_context(MOTION, split.public_key, cts, j),
        )
        for j, (m, r, ct) in enumerate(zip(ms, rs, cts, strict=True))
    )
    total = crypto.combine(cts)
    sum_proof = proofs.prove_equal(
        sum(rs) % L,
        G,
        split.public_key,
        total.a,
        crypto.sub(total.b, G),
        ("sum", MOTION, split.public_key, *(c.to_bytes() for c in cts)),
    )
    return proofs.Ballot(tuple(cts), bits, sum_proof)


@pytest.mark.parametrize(
    "ms",
    [[2, 0, 0], [1, 1, 0], [0, 0, 0], [1, 1, 1], [-1, 1, 1]],
    ids=["a two", "two ones", "none", "three", "minus one"],
)
def test_a_forged_ballot_does_not_verify(ms):
    split = shares.split(2)
    forged = _forge(split, ms)
    assert not proofs.verify_ballot(forged, split.public_key, MOTION)


def test_a_bad_proof_or_another_motion_does_not_verify():
    split = shares.split(2)
    good = proofs.make_ballot(1, CHOICES, split.public_key, MOTION)
    assert proofs.verify_ballot(good, split.public_key, MOTION)
    # Replayed on another motion: the challenges hash the motion id.
    assert not proofs.verify_ballot(good, split.public_key, MOTION + 1)
    # A flipped byte anywhere in the proofs.
    data = bytearray(good.to_bytes())
    data[-1] ^= 1
    try:
        tampered = proofs.Ballot.from_bytes(bytes(data), CHOICES)
    except InvalidBallotData:  # the scalar is no longer reduced
        pass
    else:
        assert not proofs.verify_ballot(tampered, split.public_key, MOTION)
    # A ciphertext swapped for another's.
    other = proofs.make_ballot(1, CHOICES, split.public_key, MOTION)
    mixed = proofs.Ballot(
        (other.ciphertexts[0], *good.ciphertexts[1:]), good.bit_proofs, good.sum_proof
    )
    assert not proofs.verify_ballot(mixed, split.public_key, MOTION)


def test_outside_points_and_scalars_are_validated():
    with pytest.raises(InvalidBallotData):
        crypto.check_point(b"\xff" * 32)
    with pytest.raises(InvalidBallotData):
        crypto.check_point(IDENTITY, identity=False)
    with pytest.raises(InvalidBallotData):
        crypto.check_scalar(crypto.scalar_from_int(0)[:31])
    with pytest.raises(InvalidBallotData):
        crypto.check_scalar((L + 1).to_bytes(32, "little"))
    split = shares.split(2)
    good = proofs.make_ballot(0, CHOICES, split.public_key, MOTION).to_bytes()
    with pytest.raises(InvalidBallotData):
        proofs.Ballot.from_bytes(good[:-1], CHOICES)
    with pytest.raises(InvalidBallotData):  # the identity as an A
        proofs.Ballot.from_bytes(IDENTITY + good[32:], CHOICES)


def test_a_wrong_partial_decryption_is_refused():
    split = shares.split(3)
    ballots = [proofs.make_ballot(c, CHOICES, split.public_key, MOTION) for c in (0, 1, 1)]
    a = crypto.combine(b.ciphertexts[0] for b in ballots).a
    d, proof = proofs.partial_decrypt(split.shares[0], split.commitments[0], a, MOTION, 1, 0)
    assert proofs.verify_partial(d, proof, split.commitments[0], a, MOTION, 1, 0)
    # Another share's decryption under this scrutineer's commitment, or a shifted point.
    d2, proof2 = proofs.partial_decrypt(split.shares[1], split.commitments[1], a, MOTION, 2, 0)
    assert not proofs.verify_partial(d2, proof2, split.commitments[0], a, MOTION, 1, 0)
    assert not proofs.verify_partial(crypto.add(d, G), proof, split.commitments[0], a, MOTION, 1, 0)
    assert not proofs.verify_partial(d, proof, split.commitments[0], a, MOTION + 1, 1, 0)


def test_the_tracker_is_the_hash_of_the_ballot():
    split = shares.split(2)
    ballot = proofs.make_ballot(2, CHOICES, split.public_key, MOTION)
    assert ballot.tracker == hashlib.sha256(ballot.to_bytes()).hexdigest()
    assert proofs.make_ballot(2, CHOICES, split.public_key, MOTION).tracker != ballot.tracker


def test_the_homomorphic_sum_and_the_small_log():
    x = crypto.random_scalar()
    key = crypto.base(x)
    total = crypto.combine(crypto.encrypt(m, key, crypto.random_scalar()) for m in (1, 0, 1, 1))
    assert isinstance(total, Ciphertext)
    assert crypto.small_log(crypto.sub(total.b, crypto.mul(x, total.a)), 10) == 3
    assert crypto.small_log(IDENTITY, 5) == 0
    assert crypto.small_log(crypto.base(7), 5) is None


def test_a_sealed_share_opens_only_with_its_key():
    box = shares.new_key_pair("secret-1", shares.FAST)
    other = shares.new_key_pair("secret-2", shares.FAST)
    sealed = shares.seal_share(12345, box.public_key)
    assert shares.open_share(sealed, box.public_key, shares.unwrap(box, "secret-1")) == 12345
    with pytest.raises(InvalidBallotData):
        shares.open_share(sealed, other.public_key, shares.unwrap(other, "secret-2"))


def test_a_wrapped_key_opens_with_its_password_and_survives_a_rewrap():
    key = shares.new_key_pair("old password", shares.FAST)
    secret = shares.unwrap(key, "old password")
    with pytest.raises(InvalidBallotData):
        shares.unwrap(key, "wrong")
    rewrapped = shares.rewrap(key, "old password", "new password")
    assert rewrapped.public_key == key.public_key and rewrapped.salt != key.salt
    assert shares.unwrap(rewrapped, "new password") == secret
    with pytest.raises(InvalidBallotData):
        shares.unwrap(rewrapped, "old password")
