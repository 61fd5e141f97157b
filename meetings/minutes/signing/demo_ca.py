"""The demo certificate authority and the demo signers' keys, made on this machine and labelled
"demo — not legally reliable" (see the package docstring for where they live and why they do not
meet R-MIN-3)."""

import base64
import contextlib
import datetime as dt
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

from meetings.minutes.signing.config import (
    SigningUnavailable,
    checked_username,
    load_p12,
    signing_dir,
)

logger = logging.getLogger(__name__)

#: The label every demo certificate carries, in O and OU of its subject.
DEMO_LABEL_EN = "infogov DEMO CA — not legally reliable"
DEMO_LABEL_ZH = "演示用，不具法律效力"
#: HKDF info label of the demo keys' passphrase (changing it orphans every demo key).
DEMO_PASSPHRASE_INFO = b"infogov meetings.signing demo key passphrase v1"

_RSA_BITS = 3072
_CA_YEARS = 10
_SIGNER_YEARS = 5


def _demo_dir() -> Path:
    return signing_dir() / "demo"


def demo_ca_certificate_path() -> Path:
    return _demo_dir() / "ca.pem"


def demo_ca_p12_path() -> Path:
    return _demo_dir() / "ca.p12"


def demo_signer_path(username: str) -> Path:
    return _demo_dir() / "signers" / f"{checked_username(username)}.p12"


def demo_passphrase() -> bytes:
    """The passphrase of every demo PKCS#12 file: HKDF-SHA256 of SECRET_KEY, fixed label."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DEMO_PASSPHRASE_INFO).derive(
        settings.SECRET_KEY.encode()
    )
    return base64.urlsafe_b64encode(key)


def _make_private_dir(path: Path) -> None:
    """Make ``path`` and its parents up to the signing directory, each of mode 0700."""
    root = signing_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for directory in (path, *path.parents):
        directory.chmod(0o700)
        if directory == root or root not in directory.parents:
            break


def _write_private_file(path: Path, data: bytes) -> None:
    """Write atomically, mode 0600 from the start (never readable by others, even briefly)."""
    _make_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _creation_lock() -> Iterator[None]:
    """Serialise key creation between processes (two workers signing at once)."""
    _make_private_dir(_demo_dir())
    fd = os.open(_demo_dir() / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _demo_name(common_name: str, username: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_LABEL_EN),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL_ZH),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if username:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, username))
    return x509.Name(attributes)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _load_demo_ca() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key, cert, _chain = load_p12(demo_ca_p12_path(), demo_passphrase())
    return key, cert


def create_demo_ca() -> tuple[x509.Certificate, bool]:
    """Make the demo CA unless it exists. Returns its certificate and whether it was made."""
    with _creation_lock():
        return _create_demo_ca_locked()


def _create_demo_ca_locked() -> tuple[x509.Certificate, bool]:
    if demo_ca_p12_path().exists():
        _key, cert = _load_demo_ca()
        if not demo_ca_certificate_path().exists():
            _write_private_file(
                demo_ca_certificate_path(), cert.public_bytes(serialization.Encoding.PEM)
            )
        return cert, False
    key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    name = _demo_name("infogov 演示 CA / infogov DEMO CA")
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * _CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private_file(
        demo_ca_p12_path(),
        pkcs12.serialize_key_and_certificates(
            b"infogov demo CA",
            key,
            cert,
            None,
            serialization.BestAvailableEncryption(demo_passphrase()),
        ),
    )
    _write_private_file(demo_ca_certificate_path(), cert.public_bytes(serialization.Encoding.PEM))
    logger.warning("Created the infogov demo CA in %s (not legally reliable)", _demo_dir())
    return cert, True


def _check_seated_leader(username: str) -> None:
    from members.models import User
    from members.permissions import is_seated_leader

    person = User.objects.filter(username=username).first()
    # Art. 15 / R-MIN-1: the demo CA issues a key only to a body's seated leader.
    if person is None or not is_seated_leader(person):
        raise SigningUnavailable(
            f"{username} is not the seated leader of a body: no signing key is issued."
        )


def create_demo_signer(
    username: str, full_name: str, *, check_seat: bool = True
) -> tuple[x509.Certificate, bool]:
    """Make a demo key and certificate for a signer (and the CA if needed) unless they exist.
    Returns the signer's certificate and whether it was made. Only a seated leader gets one;
    ``check_seat=False`` is for the benchmark and the tests' key templates, made without a
    database."""
    if check_seat:
        _check_seated_leader(username)
    path = demo_signer_path(username)
    with _creation_lock():
        ca_cert, _made = _create_demo_ca_locked()
        if path.exists():
            _key, cert, _chain = load_p12(path, demo_passphrase())
            return cert, False
        ca_key, ca_cert = _load_demo_ca()
        key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(_demo_name(full_name, username))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(
                min(now + dt.timedelta(days=365 * _SIGNER_YEARS), ca_cert.not_valid_after_utc)
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_private_file(
            path,
            pkcs12.serialize_key_and_certificates(
                username.encode(),
                key,
                cert,
                [ca_cert],
                serialization.BestAvailableEncryption(demo_passphrase()),
            ),
        )
        logger.warning("Created a demo signing key for %s (not legally reliable)", username)
        return cert, True


def is_demo_certificate(certificate: asn1_x509.Certificate) -> bool:
    """Whether a certificate's subject carries the demo label (in O or OU)."""
    subject = certificate.subject.native
    labels = f"{subject.get('organization_name', '')} {subject.get('organizational_unit_name', '')}"
    return DEMO_LABEL_EN in labels or DEMO_LABEL_ZH in labels
