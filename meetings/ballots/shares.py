"""The ballot's secret key in k-of-n Shamir shares sealed to the scrutineers, and each
person's long-term box key pair wrapped under their password (Argon2id + secretbox).

Shares: f(z) = x + a₁z + … + a_{k−1}z^{k−1} mod ℓ; share i is f(i) for i = 1..n, its
commitment f(i)·G; any k of them give x·A = Σ λᵢ·(xᵢ·A) with Lagrange coefficients at 0.
"""

import secrets
from dataclasses import dataclass

import pysodium

from meetings.ballots.crypto import (
    IDENTITY,
    InvalidBallotData,
    L,
    add,
    base,
    check_scalar,
    mul,
    random_scalar,
    scalar_from_int,
)

K = 2  # scrutineers needed to count


@dataclass(frozen=True)
class Split:
    public_key: bytes
    shares: list[int]  # share i+1 at index i
    commitments: list[bytes]


def split(n: int, k: int = K) -> Split:
    """A fresh ballot key x, split k-of-n; x itself is not returned (nor kept)."""
    if not 2 <= k <= n:
        raise ValueError("k-of-n")
    coefficients = [random_scalar() for _ in range(k)]  # coefficients[0] is x
    shares = []
    for i in range(1, n + 1):
        value = 0
        for c in reversed(coefficients):
            value = (value * i + c) % L
        shares.append(value)
    public_key = base(coefficients[0])
    coefficients.clear()
    return Split(public_key, shares, [base(s) for s in shares])


def lagrange_at_zero(index: int, indices: list[int]) -> int:
    """λᵢ for share ``index`` among ``indices`` (1-based), at z = 0."""
    num, den = 1, 1
    for j in indices:
        if j != index:
            num = num * j % L
            den = den * (j - index) % L
    return num * pow(den, -1, L) % L


def interpolate(points: dict[int, bytes]) -> bytes:
    """Σ λᵢ·Pᵢ over {index: Pᵢ}: x·A from partial decryptions, or X from commitments."""
    indices = sorted(points)
    total = IDENTITY
    for i in indices:
        total = add(total, mul(lagrange_at_zero(i, indices), points[i]))
    return total


# --- Sealing a share to a scrutineer --------------------------------------------------------


def seal_share(share: int, box_public_key: bytes) -> bytes:
    return pysodium.crypto_box_seal(scalar_from_int(share), box_public_key)


def open_share(sealed: bytes, box_public_key: bytes, box_secret_key: bytes) -> int:
    try:
        data = pysodium.crypto_box_seal_open(sealed, box_public_key, box_secret_key)
    except ValueError as error:
        raise InvalidBallotData("sealed share") from error
    return check_scalar(data)


# --- A person's key pair, wrapped under their password ---------------------------------------


@dataclass(frozen=True)
class Limits:
    ops: int
    mem: int


INTERACTIVE = Limits(
    pysodium.crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
    pysodium.crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
)
# For tests only: the least libsodium allows.
FAST = Limits(pysodium.crypto_pwhash_OPSLIMIT_MIN, pysodium.crypto_pwhash_MEMLIMIT_MIN)


@dataclass(frozen=True)
class WrappedKey:
    public_key: bytes
    wrapped: bytes  # nonce ‖ secretbox(secret key)
    salt: bytes
    limits: Limits


def _derive(password: str, salt: bytes, limits: Limits) -> bytes:
    return pysodium.crypto_pwhash(
        pysodium.crypto_secretbox_KEYBYTES,
        password.encode(),
        salt,
        limits.ops,
        limits.mem,
        pysodium.crypto_pwhash_ALG_ARGON2ID13,
    )


def wrap(secret_key: bytes, public_key: bytes, password: str, limits: Limits) -> WrappedKey:
    salt = secrets.token_bytes(pysodium.crypto_pwhash_SALTBYTES)
    nonce = secrets.token_bytes(pysodium.crypto_secretbox_NONCEBYTES)
    box = pysodium.crypto_secretbox(secret_key, nonce, _derive(password, salt, limits))
    return WrappedKey(public_key, nonce + box, salt, limits)


def new_key_pair(password: str, limits: Limits) -> WrappedKey:
    public_key, secret_key = pysodium.crypto_box_keypair()
    return wrap(secret_key, public_key, password, limits)


def unwrap(key: WrappedKey, password: str) -> bytes:
    """The secret key; InvalidBallotData if the password does not open it."""
    n = pysodium.crypto_secretbox_NONCEBYTES
    try:
        return pysodium.crypto_secretbox_open(
            key.wrapped[n:], key.wrapped[:n], _derive(password, key.salt, key.limits)
        )
    except ValueError as error:
        raise InvalidBallotData("password") from error


def rewrap(key: WrappedKey, old_password: str, new_password: str) -> WrappedKey:
    return wrap(unwrap(key, old_password), key.public_key, new_password, key.limits)
