"""Signing and verifying issued minutes PDFs (Art. 15, R-MIN-2, R-MIN-3).

What a signature is
-------------------
Issued minutes carry one *certification* signature made with pyHanko:

* DocMDP permission level 1 (``MDPPerm.NO_CHANGES``): the author forbids every later change,
  so any reader that honours certification reports a modified file as broken;
* sub-filter ``adbe.pkcs7.detached``, SHA-256, the signing time as the CMS ``signingTime``
  signed attribute (and ``/M`` in the signature dictionary), the signer's certificate and its
  chain (signer + CA) embedded;
* the ByteRange covers the whole file except the signature's own ``/Contents`` hole, so
  changing any byte of the signed file, or appending an incremental update after it, is
  detectable (R-MIN-3 conditions 3 and 4);
* a visible stamp, in a new signature field placed at the renderer's :class:`StampBox`,
  reading ``签发人：孙其信`` / ``2026-11-29 10:32`` (Asia/Shanghai) and ``演示签名`` under the
  demo backend. The stamp font must have Chinese glyphs (pyHanko's default Courier has none):
  ``INFOGOV_STAMP_FONT`` (a path) if set, otherwise FandolHei/FandolFang under
  ``VAR_DIR/fonts/fandol/``, otherwise Noto Sans/Serif CJK from fonts-noto-cjk, otherwise
  whatever ``fc-match :lang=zh-cn`` names; a collection (``.ttc``) is reduced to its Simplified
  Chinese face in memory. No usable font is a :class:`SigningUnavailable` naming the setting.

Signing and verifying are synchronous (pyHanko runs its own event loop): call them from
synchronous code, or through ``asgiref.sync.sync_to_async`` from an async view. pyHanko is
imported inside the functions that need it (about half a second), so importing this module
costs nothing until a PDF is signed or checked.

Who may sign is not decided here. ``meetings.services`` checks R-MIN-1 (only the body's
leader), re-authenticates the leader at the signing step and writes the audit entry (R-MIN-3
condition 2) *before* it calls :func:`get_signer`.

Pluggable signers: ``INFOGOV_SIGNER``
-------------------------------------
``get_signer(person) -> Signer`` returns an object with ``sign(pdf, *, stamp, name, reason,
location, signed_at) -> bytes``, ``certificate_subject`` and ``is_demo``. The backend is the
setting ``INFOGOV_SIGNER`` (default ``"demo"``):

``"demo"`` (default)
    A demo CA made on this machine and one key per signer, issued by it. Every certificate
    says in O/OU ``infogov DEMO CA — not legally reliable`` / ``演示用，不具法律效力``, so that a
    PDF reader shows it and the UI can label it (``Signer.is_demo``, :func:`is_demo_signature`).
    ``manage.py create_demo_ca`` makes the CA, ``manage.py create_demo_ca --signer USERNAME``
    a signer's key; both are idempotent. **Keys are also made automatically on first use**:
    ``get_signer(person)`` creates the CA and the person's key if they are missing, since the
    caller has already checked that the person may sign. A demo key is made and kept by the
    server, so it does not meet R-MIN-3 conditions 1-2 (the key belongs to and is controlled
    by the signer alone): it is for demonstrations only.

``"pkcs12"``
    One PKCS#12 file per signer, ``INFOGOV_SIGNING_DIR/<username>.p12``, holding the
    signer's key, certificate and (optionally) CA chain, e.g. issued by the university CA.
    Its passphrase is, in order: the ``passphrase=`` argument of :func:`get_signer` (so the
    signing form can ask the leader for it, which is the way to meet R-MIN-3 condition 2);
    the environment variable ``INFOGOV_SIGNING_PASSPHRASE_<USERNAME>`` (username upper-cased,
    every character outside A-Z0-9 replaced by ``_``); the environment variable
    ``INFOGOV_SIGNING_PASSPHRASE``; the file ``INFOGOV_SIGNING_DIR/<username>.pass`` (first
    line; refused unless it is mode 0600 or stricter). Trust the issuing CA by listing its
    certificate in ``INFOGOV_TRUST_ROOTS``.

``"pkcs11"``
    A key on a token or HSM (a USB key such as the university CA issues, or a network HSM)
    through pyHanko's PKCS#11 support. It needs ``pip install 'pyHanko[pkcs11]'``
    (python-pkcs11) and the setting ``INFOGOV_PKCS11 = {"module": "/path/to/lib.so",
    "token_label": "...", "slot": None, "pin_env": "INFOGOV_PKCS11_PIN"}``; the key and the
    certificate on the token carry the signer's username as label (``key_label`` /
    ``cert_label`` override it per backend). The PIN is the ``passphrase=`` argument of
    :func:`get_signer` if given, otherwise the variable named by ``pin_env``.

A remote signing service (CSC API: ``pyhanko.sign.signers.csc_signer``) would be a fourth
backend of the same shape.

Where keys live
---------------
Keys are files, never database rows, under ``INFOGOV_SIGNING_DIR`` (default
``VAR_DIR / "signing"``), a directory of mode 0700 whose files are mode 0600::

    demo/ca.p12                 demo CA key + certificate, PKCS#12
    demo/ca.pem                 demo CA certificate (a trust root for verification)
    demo/signers/<username>.p12 demo signer key + certificate + CA certificate
    <username>.p12              "pkcs12" backend (university CA)
    <username>.pass             optional passphrase file of the "pkcs12" backend

Every private key is encrypted (PKCS#12 with AES-256-CBC and PBKDF2, cryptography's
``BestAvailableEncryption``). The demo passphrase is derived from ``settings.SECRET_KEY`` with
HKDF-SHA256 and the fixed info label :data:`DEMO_PASSPHRASE_INFO`: changing the secret key
makes the demo keys unreadable (move ``demo/`` away and run ``create_demo_ca`` again; minutes
signed before stay verifiable as long as ``demo/ca.pem`` is kept as a trust root).

Verification
------------
:func:`verify_pdf` never raises on bad input; it returns a :class:`SignatureCheck` with short
human-readable problems. Trust roots are the demo CA certificate (when one exists) plus the
PEM files listed in ``INFOGOV_TRUST_ROOTS``, or exactly the ``trust_roots`` given. Revocation is
checked in "soft-fail" mode without network fetching (the demo CA publishes no CRL). Without a
timestamp from a TSA, certificates are checked at the time of verification: minutes remain
"valid" only while the signer's certificate is; long-term validation (PAdES-LTA) is future work.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import functools
import gc
import io
import logging
import os
import re
import shutil
import stat
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _

from meetings.documents import SignatureCheck, StampBox

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: The label every demo certificate carries, in O and OU of its subject.
DEMO_LABEL_EN = "infogov DEMO CA — not legally reliable"
DEMO_LABEL_ZH = "演示用，不具法律效力"
#: HKDF info label of the demo keys' passphrase (changing it orphans every demo key).
DEMO_PASSPHRASE_INFO = b"infogov meetings.signing demo key passphrase v1"
#: The name of the signature field the signer creates.
FIELD_NAME = "infogov-minutes-signature"

_RSA_BITS = 3072
_CA_YEARS = 10
_SIGNER_YEARS = 5
_USERNAME = re.compile(r"[\w.@+-]+")


class SigningUnavailable(Exception):
    """The configured signer cannot sign: missing or unreadable key, font or configuration.
    The message says what to do; it never contains a passphrase."""


# --- Settings and files ------------------------------------------------------------------------


def signing_dir() -> Path:
    return Path(getattr(settings, "INFOGOV_SIGNING_DIR", Path(settings.VAR_DIR) / "signing"))


def _demo_dir() -> Path:
    return signing_dir() / "demo"


def demo_ca_certificate_path() -> Path:
    return _demo_dir() / "ca.pem"


def _demo_ca_p12_path() -> Path:
    return _demo_dir() / "ca.p12"


def demo_signer_path(username: str) -> Path:
    return _demo_dir() / "signers" / f"{_checked_username(username)}.p12"


def _checked_username(username: str) -> str:
    if not _USERNAME.fullmatch(username) or username.startswith("."):
        raise SigningUnavailable(f"Not a username usable as a file name: {username!r}")
    return username


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


# --- The demo CA ---------------------------------------------------------------------------


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


def _load_p12(path: Path, passphrase: bytes | None):
    try:
        return pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
    except ValueError:
        raise SigningUnavailable(
            f"Cannot decrypt {path}: wrong passphrase (for demo keys: SECRET_KEY changed since "
            "they were made; move the demo directory away and run `manage.py create_demo_ca`)."
        ) from None


def _load_demo_ca() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key, cert, _chain = _load_p12(_demo_ca_p12_path(), demo_passphrase())
    return key, cert


def create_demo_ca() -> tuple[x509.Certificate, bool]:
    """Make the demo CA unless it exists. Returns its certificate and whether it was made."""
    with _creation_lock():
        return _create_demo_ca_locked()


def _create_demo_ca_locked() -> tuple[x509.Certificate, bool]:
    if _demo_ca_p12_path().exists():
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
        _demo_ca_p12_path(),
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


def create_demo_signer(username: str, full_name: str) -> tuple[x509.Certificate, bool]:
    """Make a demo key and certificate for a signer (and the CA if needed) unless they exist.
    Returns the signer's certificate and whether it was made."""
    path = demo_signer_path(username)
    with _creation_lock():
        ca_cert, _made = _create_demo_ca_locked()
        if path.exists():
            _key, cert, _chain = _load_p12(path, demo_passphrase())
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


# --- The stamp font ------------------------------------------------------------------------

_FONT_CANDIDATES = (
    "fonts/fandol/FandolHei-Regular.otf",  # relative to VAR_DIR
    "fonts/fandol/FandolFang-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def _font_candidates() -> Iterator[Path]:
    configured = getattr(settings, "INFOGOV_STAMP_FONT", None)
    if configured:
        yield Path(configured)
        return
    for candidate in _FONT_CANDIDATES:
        path = Path(candidate)
        if not path.is_absolute():
            yield Path(settings.VAR_DIR) / path
            yield Path(settings.BASE_DIR) / "var" / path
        else:
            yield path
    if shutil.which("fc-match"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(
                ["fc-match", "--format=%{file}", ":lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
            if found:
                yield Path(found)


@functools.lru_cache(maxsize=4)
def _font_bytes(path: str, mtime: float) -> bytes:
    """One OpenType font as bytes; from a collection, its Simplified Chinese face."""
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as handle:
        is_collection = handle.read(4) == b"ttcf"
    if not is_collection:
        TTFont(path, lazy=True).getBestCmap()  # fails early on a file that is not a font
        return Path(path).read_bytes()
    faces = TTCollection(path, lazy=True).fonts

    def rank(face) -> tuple[int, int]:
        family = face["name"].getDebugName(1) or ""
        return (" SC" not in family and "GB" not in family, "Mono" in family)

    face = min(faces, key=rank)
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=16)
def _has_chinese(path: str, mtime: float) -> bool:
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(_font_bytes(path, mtime)), lazy=True).getBestCmap() or {}
    return all(ord(char) in cmap for char in "签发人演示")


@functools.cache
def _stamp_font_factory_class():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class InMemoryGlyphAccumulatorFactory(GlyphAccumulatorFactory):
        """GlyphAccumulatorFactory over font bytes (a face extracted from a collection)."""

        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            data = _font_bytes(self.font_file, os.stat(self.font_file).st_mtime)
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=self.font_size,
                ot_script_tag=self.ot_script_tag,
                ot_language_tag=self.ot_language_tag,
                writing_direction=self.writing_direction,
                bcp47_lang_code=self.bcp47_lang_code,
                obj_stream=obj_stream,
            )

    return InMemoryGlyphAccumulatorFactory


def stamp_font_path() -> Path:
    """The font file the stamp uses (see the module docstring for the order)."""
    tried = []
    for path in _font_candidates():
        tried.append(str(path))
        if not path.is_file():
            continue
        try:
            if _has_chinese(str(path), path.stat().st_mtime):
                return path
        except Exception:  # a broken or unsupported font file: try the next one
            logger.warning("Cannot use %s as the stamp font", path, exc_info=True)
    raise SigningUnavailable(
        "No font with Chinese glyphs for the signature stamp (tried: "
        + ", ".join(tried)
        + "). Install fonts-noto-cjk or set INFOGOV_STAMP_FONT to an .otf/.ttf/.ttc file."
    )


def _stamp_style(font_size: int = 10):
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    font = _stamp_font_factory_class()(
        font_file=str(stamp_font_path()), font_size=font_size, bcp47_lang_code="zh-CN"
    )
    return TextStampStyle(
        stamp_text="%(infogov_stamp)s",
        text_box_style=TextBoxStyle(font=font, font_size=font_size, leading=font_size + 4),
        border_width=1,
        border_color=(0.8, 0.0, 0.0),
        background=None,
    )


def stamp_text(name: str, signed_at: dt.datetime, *, demo: bool) -> str:
    lines = [f"签发人：{name}", signed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")]
    if demo:
        lines.append("演示签名")
    return "\n".join(lines)


# --- Signers -------------------------------------------------------------------------------


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
        stamp_style=_stamp_style(),
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
    key, cert, others = _load_p12(path, passphrase)  # SigningUnavailable for a wrong passphrase
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
        if not (path.exists() and _demo_ca_p12_path().exists()):
            create_demo_signer(person.username, person.get_full_name())
        super().__init__(_pyhanko_signer_from_p12(path, demo_passphrase()), is_demo=True)


def _passphrase_env_name(username: str) -> str:
    return "INFOGOV_SIGNING_PASSPHRASE_" + re.sub(r"[^A-Z0-9]", "_", username.upper())


def pkcs12_passphrase(username: str) -> bytes:
    """The passphrase of ``<username>.p12`` from the environment or ``<username>.pass``."""
    for variable in (_passphrase_env_name(username), "INFOGOV_SIGNING_PASSPHRASE"):
        if os.environ.get(variable):
            return os.environ[variable].encode()
    path = signing_dir() / f"{_checked_username(username)}.pass"
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
        path = signing_dir() / f"{_checked_username(person.username)}.p12"
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
        username = _checked_username(person.username)
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


# --- Verification --------------------------------------------------------------------------


def load_certificates(items: Iterable) -> list[asn1_x509.Certificate]:
    certificates = []
    for item in items:
        if isinstance(item, asn1_x509.Certificate):
            certificates.append(item)
        elif isinstance(item, x509.Certificate):
            certificates.append(asn1_x509.Certificate.load(item.public_bytes(_DER)))
        else:
            data = item if isinstance(item, bytes) else Path(item).read_bytes()
            if b"-----BEGIN" in data:
                loaded = x509.load_pem_x509_certificates(data)
            else:
                loaded = [x509.load_der_x509_certificate(data)]
            certificates.extend(asn1_x509.Certificate.load(c.public_bytes(_DER)) for c in loaded)
    return certificates


_DER = serialization.Encoding.DER


def trust_roots() -> list[asn1_x509.Certificate]:
    """The demo CA certificate if there is one, plus every PEM file of INFOGOV_TRUST_ROOTS."""
    sources: list = []
    if demo_ca_certificate_path().is_file():
        sources.append(demo_ca_certificate_path())
    sources.extend(getattr(settings, "INFOGOV_TRUST_ROOTS", ()) or ())
    roots = []
    for source in sources:
        try:
            roots.extend(load_certificates([source]))
        except (OSError, ValueError):
            logger.warning("Cannot read trust root %s", source, exc_info=True)
    return roots


def _not_signed(problem: str, *, signed: bool = False) -> SignatureCheck:
    return SignatureCheck(
        signed=signed,
        intact=False,
        trusted=False,
        covers_whole_file=False,
        certified_no_changes=False,
        signer_name="",
        signed_at=None,
        problems=(problem,),
    )


def verify_pdf(data: bytes, *, trust_roots: Iterable | None = None) -> SignatureCheck:
    """Check the (first) signature of a PDF. Never raises on bad input.

    ``trust_roots``: certificates (cryptography or asn1crypto objects, PEM/DER bytes or
    paths); by default :func:`trust_roots` (the demo CA and ``INFOGOV_TRUST_ROOTS``)."""
    try:
        return _verify(data, trust_roots)
    except Exception as error:  # a PDF pyHanko cannot make sense of
        logger.info("Signature verification failed", exc_info=True)
        looks_signed = isinstance(data, bytes | bytearray) and b"/ByteRange" in data
        return _not_signed(
            _("The file cannot be checked: %(error)s") % {"error": _short(error)},
            signed=looks_signed,
        )


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


def _verify(data: bytes, roots: Iterable | None) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation import (
        SignatureCoverageLevel,
        read_certification_data,
        validate_pdf_signature,
    )
    from pyhanko_certvalidator import ValidationContext

    if not isinstance(data, bytes | bytearray) or b"%PDF-" not in data[:1024]:
        return _not_signed(_("The file is not a PDF."))
    try:
        reader = PdfFileReader(io.BytesIO(bytes(data)), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        return _not_signed(
            _("The PDF cannot be read: %(error)s") % {"error": _short(error)},
            signed=b"/ByteRange" in data,
        )
    if not embedded:
        return _not_signed(_("The PDF carries no signature."))

    problems: list[str] = []
    if len(embedded) > 1:
        problems.append(
            _("The PDF carries %(count)d signatures; minutes carry one. The first is checked.")
            % {"count": len(embedded)}
        )
    signature = embedded[0]
    roots = load_certificates(roots) if roots is not None else trust_roots()
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    status = validate_pdf_signature(signature, signer_validation_context=context)

    certificate = signature.signer_cert
    signer_name = certificate.subject.native.get("common_name", "") if certificate else ""
    signed_at = status.signer_reported_dt
    if signed_at is not None:
        signed_at = signed_at.astimezone(SHANGHAI)

    intact = bool(status.intact and status.valid)
    if not status.intact:
        problems.append(_("The signed bytes were changed after signing."))
    elif not status.valid:
        problems.append(_("The signature value does not match the signer's certificate."))

    trusted = bool(status.trusted)
    if not trusted and intact:  # pyHanko does not judge the chain of a broken signature
        reason = status.trust_problem_indic.name if status.trust_problem_indic else ""
        problems.append(
            _("The signer's certificate does not chain to a trusted root%(reason)s.")
            % {"reason": f" ({reason})" if reason else ""}
        )

    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not covers_whole_file:
        problems.append(
            _("The file was changed after signing: the signature does not cover all of it.")
        )

    certification = read_certification_data(reader)
    certified = (
        certification is not None
        and signature.sig_object.get("/Reference") is not None
        and signature.docmdp_level == MDPPerm.NO_CHANGES
        and certification.permission == MDPPerm.NO_CHANGES
    )
    certified_no_changes = bool(certified and status.docmdp_ok and covers_whole_file)
    if not certified:
        problems.append(_("The signature is not a certification forbidding changes."))
    elif not certified_no_changes:
        problems.append(_("The document was changed although its certification forbids it."))

    return SignatureCheck(
        signed=True,
        intact=intact,
        trusted=trusted,
        covers_whole_file=covers_whole_file,
        certified_no_changes=certified_no_changes,
        signer_name=signer_name,
        signed_at=signed_at,
        problems=tuple(problems),
    )


def is_demo_signature(data: bytes) -> bool:
    """Whether the (first) signature of a PDF was made with a demo certificate."""
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        certificate = signatures[0].signer_cert if signatures else None
    except Exception:
        return False
    return certificate is not None and is_demo_certificate(certificate)


def is_demo_certificate(certificate: asn1_x509.Certificate) -> bool:
    """Whether a certificate's subject carries the demo label (in O or OU)."""
    subject = certificate.subject.native
    labels = f"{subject.get('organization_name', '')} {subject.get('organizational_unit_name', '')}"
    return DEMO_LABEL_EN in labels or DEMO_LABEL_ZH in labels
