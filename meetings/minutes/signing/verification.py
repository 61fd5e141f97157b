"""Checking a signed minutes PDF (R-MIN-2, R-MIN-3) against the trust roots; never raises on
bad input (see the package docstring)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils.translation import gettext as _

from meetings.minutes.documents import SignatureCheck
from meetings.minutes.signing.config import SHANGHAI
from meetings.minutes.signing.demo_ca import demo_ca_certificate_path, is_demo_certificate

logger = logging.getLogger(__name__)


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
    except Exception:  # a PDF pyHanko cannot make sense of
        logger.info("Signature verification failed", exc_info=True)
        looks_signed = isinstance(data, bytes | bytearray) and b"/ByteRange" in data
        # The reader is told in their language, never the library's own (English, internal)
        # text: that goes to the log above.
        return _not_signed(
            _("The file cannot be checked: it is damaged or not a PDF that can be verified."),
            signed=looks_signed,
        )


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
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        logger.info("Cannot read a PDF to verify", exc_info=True)
        return _not_signed(
            _("The PDF cannot be read: it is damaged."), signed=b"/ByteRange" in data
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
        logger.info("Untrusted signer certificate: %s", status.trust_problem_indic)
        problems.append(_("The signer's certificate does not chain to a trusted root."))

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
