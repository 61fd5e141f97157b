"""The signers: one interface, ``Signer``, and its backends under ``INFOGOV_SIGNER`` ("demo",
"pkcs12", "pkcs11"; see the package docstring), chosen by :func:`get_signer`. Every backend
makes the same certification signature with the same stamp (:func:`_sign_pdf`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import io
import os
import re
import stat
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings

from meetings.minutes.documents import StampBox
from meetings.minutes.signing.config import (
    SHANGHAI,
    SigningUnavailable,
    checked_username,
    load_p12,
    signing_dir,
)
from meetings.minutes.signing.demo_ca import (
    create_demo_signer,
    demo_ca_p12_path,
    demo_passphrase,
    demo_signer_path,
    is_demo_certificate,
)
from meetings.minutes.signing.stamp import stamp_style, stamp_text

#: The name of the signature field the signer creates.
FIELD_NAME = "infogov-minutes-signature"


class Signer(ABC):
    """Signs a minutes PDF for one person. See the module docstring for the backends."""

    is_demo: bool = False

    @property
    @abstractmethod
    def certificate_subject(self) -> str:
        """The signer certificate's subject, RFC 4514 ("CN=孙其信,OU=…,O=…,C=CN")."""

    @abstractmethod
    def sign(
        self,
        pdf: bytes,
        *,
        stamp: StampBox,
        name: str,
        reason: str,
        location: str,
        signed_at: dt.datetime,
    ) -> bytes:
        """The PDF with a certification signature (DocMDP NO_CHANGES) and a visible stamp."""


@functools.cache
def _pdf_signer_class():
    from pyhanko.sign import signers

    class PdfSignerAt(signers.PdfSigner):
        """A PdfSigner whose signing time is given rather than read from the clock, so that
        the CMS signingTime, the /M entry and the stamp show the time the caller records."""

        def __init__(self, *args, signed_at: dt.datetime, **kwargs):
            super().__init__(*args, **kwargs)
            self.signed_at = signed_at

        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = self.signed_at
            return session

    return PdfSignerAt


def _sign_pdf(
    pyhanko_signer,
    pdf: bytes,
    *,
    stamp: StampBox,
    name: str,
    reason: str,
    location: str,
    signed_at: dt.datetime,
    demo: bool,
) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if signed_at.tzinfo is None:
        raise ValueError("signed_at must be timezone-aware")
    signed_at = signed_at.astimezone(SHANGHAI)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        name=name,
        reason=reason or None,
        location=location or None,
    )
    field_spec = fields.SigFieldSpec(
        sig_field_name=FIELD_NAME,
        on_page=stamp.page,
        box=(round(stamp.x1), round(stamp.y1), round(stamp.x2), round(stamp.y2)),
    )
    pdf_signer = _pdf_signer_class()(
        meta,
        pyhanko_signer,
        stamp_style=stamp_style(),
        new_field_spec=field_spec,
        signed_at=signed_at,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = pdf_signer.sign_pdf(
        writer,
        appearance_text_params={"infogov_stamp": stamp_text(name, signed_at, demo=demo)},
    )
    data = out.getvalue()
    # pyHanko's font engine leaves reference cycles that hold the parsed CJK font (~14 MB a
    # signature); collect them now, or a long-running worker grows until the GC gets to them.
    del pdf_signer, writer, out
    gc.collect()
    return data


class _InMemoryKeySigner(Signer):
    """A signer whose key is decrypted into memory from a PKCS#12 file."""

    def __init__(self, pyhanko_signer, *, is_demo: bool):
        self._signer = pyhanko_signer
        self.is_demo = is_demo

    @property
    def certificate_subject(self) -> str:
        return _rfc4514(self._signer.signing_cert)

    def sign(self, pdf, *, stamp, name, reason, location, signed_at):
        return _sign_pdf(
            self._signer,
            pdf,
            stamp=stamp,
            name=name,
            reason=reason,
            location=location,
            signed_at=signed_at,
            demo=self.is_demo,
        )


def _rfc4514(cert: asn1_x509.Certificate) -> str:
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


def _pyhanko_signer_from_p12(path: Path, passphrase: bytes | None):
    key, cert, others = load_p12(path, passphrase)  # SigningUnavailable for a wrong passphrase
    if key is None or cert is None:
        raise SigningUnavailable(f"{path} holds no private key and certificate.")
    return _kept_key_signer_class().from_pyca(key, cert, others)


@functools.cache
def _kept_key_signer_class():
    from asn1crypto import keys as asn1_keys
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class KeptKeySigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner with the private key kept as the key object loaded from the
        PKCS#12 file. SimpleSigner parses its key from DER again for every raw signature, and
        OpenSSL 3 checks an RSA key's primes on each parse: 130 ms for a 3072-bit key, twice a
        PDF (the size estimate signs too). Other keys and mechanisms take SimpleSigner's path."""

        pyca_key: PrivateKeyTypes  # set by from_pyca

        @classmethod
        def from_pyca(cls, key, cert, others):
            def asn1_cert(pyca_cert):
                return asn1_x509.Certificate.load(
                    pyca_cert.public_bytes(serialization.Encoding.DER)
                )

            registry = SimpleCertificateStore()
            registry.register_multiple(map(asn1_cert, others))
            der_key = key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            signer = cls(
                signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
                signing_cert=asn1_cert(cert),
                cert_registry=registry,
            )
            signer.pyca_key = key
            return signer

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism != "rsassa_pkcs1v15" or not isinstance(self.pyca_key, rsa.RSAPrivateKey):
                return super().sign_raw(data, digest_algorithm)
            algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self.pyca_key.sign(data, padding.PKCS1v15(), algorithm)

    return KeptKeySigner


class DemoSigner(_InMemoryKeySigner):
    """The demo backend: the person's demo key, made (with the CA) on first use."""

    def __init__(self, person):
        path = demo_signer_path(person.username)
        if not (path.exists() and demo_ca_p12_path().exists()):
            create_demo_signer(person.username, person.get_full_name())
        super().__init__(_pyhanko_signer_from_p12(path, demo_passphrase()), is_demo=True)


def _passphrase_env_name(username: str) -> str:
    return "INFOGOV_SIGNING_PASSPHRASE_" + re.sub(r"[^A-Z0-9]", "_", username.upper())


def pkcs12_passphrase(username: str) -> bytes:
    """The passphrase of ``<username>.p12`` from the environment or ``<username>.pass``."""
    for variable in (_passphrase_env_name(username), "INFOGOV_SIGNING_PASSPHRASE"):
        if os.environ.get(variable):
            return os.environ[variable].encode()
    path = signing_dir() / f"{checked_username(username)}.pass"
    if path.is_file():
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise SigningUnavailable(f"{path} is readable by others: chmod 600 it.")
        return path.read_text().splitlines()[0].encode() if path.read_text() else b""
    raise SigningUnavailable(
        f"No passphrase for {username}.p12: set {_passphrase_env_name(username)} (or "
        f"INFOGOV_SIGNING_PASSPHRASE), or write it to {path} (mode 0600)."
    )


class Pkcs12Signer(_InMemoryKeySigner):
    def __init__(self, person, *, passphrase: bytes | None = None):
        path = signing_dir() / f"{checked_username(person.username)}.p12"
        if not path.is_file():
            raise SigningUnavailable(f"No signing key for {person.username}: {path} is missing.")
        if passphrase is None:
            passphrase = pkcs12_passphrase(person.username)
        signer = _pyhanko_signer_from_p12(path, passphrase)
        super().__init__(signer, is_demo=is_demo_certificate(signer.signing_cert))


class Pkcs11Signer(Signer):
    """A key on a PKCS#11 token or HSM (pyHanko + python-pkcs11); see the module docstring.
    The session is opened for each signature and closed after it."""

    def __init__(self, person, *, passphrase: bytes | None = None):
        try:
            from pyhanko.config.pkcs11 import (
                PKCS11PinEntryMode,
                PKCS11SignatureConfig,
                TokenCriteria,
            )
            from pyhanko.sign import pkcs11  # noqa: F401 - needs python-pkcs11
        except ImportError:
            raise SigningUnavailable(
                "INFOGOV_SIGNER='pkcs11' needs python-pkcs11: pip install 'pyHanko[pkcs11]'."
            ) from None
        options = dict(getattr(settings, "INFOGOV_PKCS11", None) or {})
        if not options.get("module"):
            raise SigningUnavailable(
                "INFOGOV_SIGNER='pkcs11' needs INFOGOV_PKCS11 = {'module': '/path/to/lib.so', "
                "'token_label': ...}."
            )
        username = checked_username(person.username)
        pin: str | None
        if passphrase is not None:
            pin = passphrase.decode()
        else:
            pin = os.environ.get(options.get("pin_env") or "INFOGOV_PKCS11_PIN")
        self._config = PKCS11SignatureConfig(
            module_path=options["module"],
            token_criteria=(
                TokenCriteria(label=options["token_label"]) if options.get("token_label") else None
            ),
            slot_no=options.get("slot"),
            cert_label=options.get("cert_label") or username,
            key_label=options.get("key_label") or username,
            user_pin=pin,
            prompt_pin=PKCS11PinEntryMode.SKIP if pin is None else PKCS11PinEntryMode.PROMPT,
            other_certs_to_pull=None,  # every certificate on the token: the chain
        )
        self._subject: str | None = None

    @contextlib.contextmanager
    def _token(self) -> Iterator:
        """A pyHanko PKCS11Signer on an open session; token errors become SigningUnavailable."""
        from pyhanko.sign.general import SigningError
        from pyhanko.sign.pkcs11 import PKCS11SigningContext

        context = PKCS11SigningContext(self._config)
        try:
            signer = context.__enter__()
            self._subject = _rfc4514(signer.signing_cert)  # loads key and certificate
        except SigningError as error:
            raise SigningUnavailable(f"Cannot use the PKCS#11 token: {error}") from None
        try:
            yield signer
        finally:
            context.__exit__(None, None, None)

    @property
    def certificate_subject(self) -> str:
        if self._subject is None:
            with self._token():
                pass
        return self._subject or ""

    def sign(self, pdf, *, stamp, name, reason, location, signed_at):
        with self._token() as signer:
            return _sign_pdf(
                signer,
                pdf,
                stamp=stamp,
                name=name,
                reason=reason,
                location=location,
                signed_at=signed_at,
                demo=False,
            )


def get_signer(person, *, passphrase: bytes | None = None) -> Signer:
    """The signer of ``person`` (a members.models.User) under ``INFOGOV_SIGNER``.

    ``passphrase`` unlocks the key of the "pkcs12" backend or is the PIN of the "pkcs11" one
    (ignored by "demo"). Raises :class:`SigningUnavailable` when the key cannot be used."""
    from members.permissions import is_seated_leader

    # Art. 15 / R-MIN-1: a key is used only by a body's seated leader, whatever the backend.
    if not is_seated_leader(person):
        raise SigningUnavailable(
            f"{person.username} is not the seated leader of a body: no signing key is used."
        )
    backend = getattr(settings, "INFOGOV_SIGNER", "demo")
    if backend == "demo":
        return DemoSigner(person)
    if backend == "pkcs12":
        return Pkcs12Signer(person, passphrase=passphrase)
    if backend == "pkcs11":
        return Pkcs11Signer(person, passphrase=passphrase)
    raise SigningUnavailable(
        f"Unknown INFOGOV_SIGNER {backend!r}: use 'demo', 'pkcs12' or 'pkcs11'."
    )
