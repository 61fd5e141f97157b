"""The group ristretto255 (libsodium): points and scalars as 32-byte strings, ElGamal in the
exponent, the Fiat-Shamir hash, and the small discrete log of a total.

Encodings are fixed: a point is its canonical 32-byte ristretto255 encoding, a scalar its
32-byte little-endian value reduced mod ℓ. Python ints do the arithmetic mod ℓ (Shamir,
Lagrange); libsodium does every operation on points.
"""

import hashlib
import secrets
from dataclasses import dataclass

import pysodium

# The order ℓ of ristretto255.
L = 2**252 + 27742317777372353535851937790883648493
POINT_BYTES = 32
SCALAR_BYTES = 32
IDENTITY = bytes(32)
DOMAIN = b"infogov/ballot/v1"


class InvalidBallotData(ValueError):
    """A point, scalar, ciphertext or proof that is malformed or does not check."""


def scalar_from_int(n: int) -> bytes:
    return (n % L).to_bytes(SCALAR_BYTES, "little")


def int_from_scalar(s: bytes) -> int:
    return int.from_bytes(s, "little")


def random_scalar() -> int:
    """A uniformly random non-zero scalar mod ℓ."""
    while True:
        n = secrets.randbelow(L)
        if n:
            return n


def check_scalar(s: bytes) -> int:
    """The int of an outside scalar: exactly 32 bytes and already reduced."""
    if not isinstance(s, bytes) or len(s) != SCALAR_BYTES:
        raise InvalidBallotData("scalar length")
    n = int_from_scalar(s)
    if n >= L:
        raise InvalidBallotData("scalar not reduced")
    return n


def check_point(p: bytes, *, identity: bool = True) -> bytes:
    """An outside point: 32 bytes, a canonical ristretto255 encoding, the identity only if
    allowed."""
    if not isinstance(p, bytes) or len(p) != POINT_BYTES:
        raise InvalidBallotData("point length")
    if p == IDENTITY:
        if not identity:
            raise InvalidBallotData("identity point")
        return p
    if not pysodium.crypto_core_ristretto255_is_valid_point(p):
        raise InvalidBallotData("invalid point")
    return p


def base(n: int) -> bytes:
    """n·G; the identity for n ≡ 0 (libsodium refuses a zero scalar)."""
    n %= L
    if n == 0:
        return IDENTITY
    return pysodium.crypto_scalarmult_ristretto255_base(scalar_from_int(n))


def mul(n: int, p: bytes) -> bytes:
    """n·P; the identity for n ≡ 0 or P the identity."""
    n %= L
    if n == 0 or p == IDENTITY:
        return IDENTITY
    try:
        return pysodium.crypto_scalarmult_ristretto255(scalar_from_int(n), p)
    except ValueError:  # the result is the identity
        return IDENTITY


def add(p: bytes, q: bytes) -> bytes:
    if p == IDENTITY:
        return q
    if q == IDENTITY:
        return p
    return pysodium.crypto_core_ristretto255_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    if q == IDENTITY:
        return p
    return pysodium.crypto_core_ristretto255_sub(p, q)


G = base(1)


def challenge(*parts: bytes | int | str) -> int:
    """The Fiat-Shamir challenge: SHA-512 over the domain tag and each part, each
    length-prefixed (ints as 8 bytes big-endian, str as UTF-8), reduced mod ℓ."""
    h = hashlib.sha512()
    h.update(DOMAIN)
    for part in parts:
        if isinstance(part, int):
            data = part.to_bytes(8, "big", signed=False)
        elif isinstance(part, str):
            data = part.encode()
        else:
            data = part
        h.update(len(data).to_bytes(4, "big"))
        h.update(data)
    return int.from_bytes(h.digest(), "little") % L


@dataclass(frozen=True)
class Ciphertext:
    """ElGamal in the exponent: (A, B) = (r·G, m·G + r·X)."""

    a: bytes
    b: bytes

    def __add__(self, other: "Ciphertext") -> "Ciphertext":
        return Ciphertext(add(self.a, other.a), add(self.b, other.b))

    def to_bytes(self) -> bytes:
        return self.a + self.b


ZERO = Ciphertext(IDENTITY, IDENTITY)


def encrypt(m: int, public_key: bytes, r: int) -> Ciphertext:
    """Encrypt the small integer ``m`` under ``public_key`` with randomness ``r``."""
    return Ciphertext(base(r), add(base(m), mul(r, public_key)))


def combine(ciphertexts) -> Ciphertext:
    """The homomorphic sum: encrypts the sum of the plaintexts."""
    total = ZERO
    for c in ciphertexts:
        total = total + c
    return total


def small_log(point: bytes, bound: int) -> int | None:
    """The t in 0..bound with t·G = point (stepping t = 0, 1, 2 ...), or None."""
    current = IDENTITY
    for t in range(bound + 1):
        if current == point:
            return t
        current = add(current, G)
    return None
