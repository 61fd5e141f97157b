"""Signing and verifying minutes PDFs (R-MIN-2, R-MIN-3): meetings.minutes.signing and its commands.

Poppler's pdfsig is the "standard PDF reader" of these tests: it must find the signature valid,
and notice a changed byte and an appended incremental update.
"""

import datetime as dt
import io
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from meetings.minutes import signing
from meetings.minutes.documents import StampBox
from members.models import User

needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="needs poppler-utils")

STAMP = StampBox(page=0, x1=350, y1=80, x2=520, y2=150)
SIGNED_AT = dt.datetime.now(dt.UTC).replace(microsecond=0)
PDFSIG_VALID = "Signature Validation: Signature is Valid."


# --- Fixtures --------------------------------------------------------------------------------


def make_pdf(pages: int) -> bytes:
    import weasyprint

    body = "".join(
        f'<section style="page-break-after: always"><h1>信息化工作领导小组纪要</h1>'
        f"<p>第{n}页。会议听取了网络与教育技术中心关于校园网升级改造的汇报。</p></section>"
        for n in range(1, pages + 1)
    )
    html = f'<html lang="zh-CN"><body style="font-family: sans-serif">{body}</body></html>'
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """A tiny unsigned three-page PDF from WeasyPrint."""
    return make_pdf(3)


@pytest.fixture(scope="module")
def _demo_keys(tmp_path_factory) -> Path:
    """A demo CA and 孙其信's demo key, made once (RSA-3072 key generation is slow) and copied
    into each test's signing directory."""
    directory = tmp_path_factory.mktemp("signing-template")
    with override_settings(INFOGOV_SIGNING_DIR=directory):
        # No database here: the seat is checked where the key is used (get_signer).
        signing.create_demo_signer("sunqixin", "孙其信", check_seat=False)
    return directory


@pytest.fixture
def signing_dir(settings, tmp_path) -> Path:
    """An empty signing directory; the demo backend; only the demo CA is trusted."""
    settings.INFOGOV_SIGNING_DIR = tmp_path / "signing"
    settings.INFOGOV_SIGNER = "demo"
    settings.INFOGOV_TRUST_ROOTS = []
    return settings.INFOGOV_SIGNING_DIR


@pytest.fixture
def demo_keys(signing_dir, _demo_keys) -> Path:
    shutil.copytree(_demo_keys, signing_dir)
    return signing_dir


@pytest.fixture
def sun(roster) -> User:
    """孙其信, the Leading Group's leader, who signs its minutes (from the roster)."""
    return User.objects.get(username="sunqixin", full_name="孙其信")


@pytest.fixture
def signed(demo_keys, sun, pdf) -> bytes:
    return signing.get_signer(sun).sign(
        pdf,
        stamp=STAMP,
        name="孙其信",
        reason="签发会议纪要",
        location="信息化工作领导小组",
        signed_at=SIGNED_AT,
    )


def pdfsig(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdfsig", "-no-ocsp", str(path)], capture_output=True, text=True, timeout=60
    )
    return result.stdout + result.stderr


def byte_range(data: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert found, "no /ByteRange"
    return tuple(int(n) for n in found.groups())


def flipped(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def foreign_pkcs12(passphrase: bytes) -> tuple[bytes, x509.Certificate]:
    """A key and certificate from a CA that is not among the trust roots."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some Other CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "孙其信")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
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
        .sign(ca_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"sunqixin", key, certificate, [ca], serialization.BestAvailableEncryption(passphrase)
    )
    return data, ca


# --- Signing and verifying -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_pdf_verifies(signed, sun):
    check = signing.verify_pdf(signed)

    assert check.valid, check.problems
    assert (check.signed, check.intact, check.trusted) == (True, True, True)
    assert check.covers_whole_file and check.certified_no_changes
    assert check.problems == ()
    assert check.signer_name == "孙其信"
    assert abs(check.signed_at - SIGNED_AT) < dt.timedelta(seconds=1)
    assert check.signed_at.utcoffset() == dt.timedelta(hours=8)  # shown in Asia/Shanghai
    assert signing.is_demo_signature(signed)


@pytest.mark.django_db
def test_an_rsa_key_is_parsed_once_not_for_each_signature(demo_keys, sun, pdf, monkeypatch):
    """pyHanko's SimpleSigner parses its key again for every raw signature (twice a PDF, and
    OpenSSL checks an RSA key's primes each time); the signer keeps the key it loaded. An EC
    key takes SimpleSigner's own path (test_a_key_outside_the_trust_roots_is_not_trusted)."""
    from pyhanko.sign.signers import pdf_cms

    signer = signing.get_signer(sun)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the private key was parsed again")

    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key", no_parsing)
    data = signer.sign(pdf, stamp=STAMP, name="孙其信", reason="", location="", signed_at=SIGNED_AT)
    assert signing.verify_pdf(data).valid


@pytest.mark.django_db
def test_the_signer_reports_its_demo_certificate(demo_keys, sun):
    signer = signing.get_signer(sun)

    assert signer.is_demo
    assert "CN=孙其信" in signer.certificate_subject
    assert signing.DEMO_LABEL_EN in signer.certificate_subject
    assert signing.DEMO_LABEL_ZH in signer.certificate_subject


def test_the_stamp_names_the_signer_and_the_time_in_shanghai():
    at = dt.datetime(2026, 11, 29, 2, 32, 7, tzinfo=dt.UTC)
    assert (
        signing.stamp_text("孙其信", at, demo=True) == "签发人：孙其信\n2026-11-29 10:32\n演示签名"
    )
    assert signing.stamp_text("孙其信", at, demo=False) == "签发人：孙其信\n2026-11-29 10:32"


@pytest.mark.django_db
def test_a_naive_signing_time_is_refused(demo_keys, sun, pdf):
    with pytest.raises(ValueError, match="timezone-aware"):
        signing.get_signer(sun).sign(
            pdf, stamp=STAMP, name="孙其信", reason="", location="", signed_at=dt.datetime.now()
        )


@pytest.mark.django_db
def test_the_signature_is_a_certification_over_the_whole_file(signed):
    start, _first_length, second_start, second_length = byte_range(signed)

    assert start == 0
    assert second_start + second_length == len(signed)  # nothing after the signed range
    assert b"/TransformMethod /DocMDP" in signed
    assert re.search(rb"/P\s+1\b", signed)  # DocMDP level 1: no changes
    assert b"/SubFilter /adbe.pkcs7.detached" in signed


@needs_pdfsig
@pytest.mark.django_db
def test_pdfsig_finds_the_signature_valid(signed, tmp_path):
    output = pdfsig(tmp_path, signed)

    assert PDFSIG_VALID in output, output
    assert "Total document signed" in output
    assert "Signer Certificate Common Name: 孙其信" in output
    assert "Signing Hash Algorithm: SHA-256" in output
    assert signing.DEMO_LABEL_EN in output  # the reader shows the demo label


def _in_first_range(data: bytes) -> int:
    """A byte inside a content stream of the first signed range."""
    _start, first_length, _second, _length = byte_range(data)
    position = data.index(b"stream", data.index(b"/Length")) + 40
    assert position < first_length
    return position


def _in_second_range(data: bytes) -> int:
    """A digit of the signing time /M in the signature dictionary, after /Contents."""
    _start, _length, second_start, _second_length = byte_range(data)
    m = data.index(b"/M (D", second_start)
    return m + data[m:].index(b"2026")


@needs_pdfsig
@pytest.mark.django_db
@pytest.mark.parametrize("where", [_in_first_range, _in_second_range])
def test_a_changed_byte_breaks_the_signature(signed, tmp_path, where, english):
    tampered = flipped(signed, where(signed))

    check = signing.verify_pdf(tampered)
    assert check.signed
    assert not check.intact
    assert not check.valid
    assert "The signed bytes were changed after signing." in check.problems

    output = pdfsig(tmp_path, tampered)
    assert PDFSIG_VALID not in output, output
    assert "Signature Validation: Digest Mismatch." in output


def _appended(data: bytes, how: str) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if how == "metadata":
        writer.set_info(
            generic.DictionaryObject(
                {generic.NameObject("/Title"): generic.TextStringObject("改过的纪要")}
            )
        )
    else:  # a text annotation on the first page
        page_ref = writer.root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        annotation = writer.add_object(
            generic.DictionaryObject(
                {
                    generic.NameObject("/Type"): generic.NameObject("/Annot"),
                    generic.NameObject("/Subtype"): generic.NameObject("/Text"),
                    generic.NameObject("/Rect"): generic.ArrayObject(
                        [generic.NumberObject(n) for n in (50, 50, 70, 70)]
                    ),
                    generic.NameObject("/Contents"): generic.TextStringObject("改为同意"),
                }
            )
        )
        annotations = page.get("/Annots", generic.ArrayObject())
        annotations.append(annotation)
        page[generic.NameObject("/Annots")] = annotations
        writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@needs_pdfsig
@pytest.mark.django_db
@pytest.mark.parametrize("how", ["metadata", "annotation"])
def test_an_appended_incremental_update_is_a_change(signed, tmp_path, how):
    changed = _appended(signed, how)
    assert changed.startswith(signed)

    check = signing.verify_pdf(changed)
    assert check.signed and check.intact  # the signed bytes themselves are untouched
    assert not check.covers_whole_file
    assert not check.certified_no_changes
    assert not check.valid
    assert check.problems

    output = pdfsig(tmp_path, changed)
    assert "Not total document signed" in output, output
    assert "Total document signed" not in output


@pytest.mark.django_db
def test_a_key_outside_the_trust_roots_is_not_trusted(
    signing_dir, settings, sun, pdf, monkeypatch, english
):
    settings.INFOGOV_SIGNER = "pkcs12"
    data, foreign_ca = foreign_pkcs12(b"correct horse")
    signing_dir.mkdir(mode=0o700)
    (signing_dir / "sunqixin.p12").write_bytes(data)
    monkeypatch.setenv("INFOGOV_SIGNING_PASSPHRASE_SUNQIXIN", "correct horse")
    signing.create_demo_ca()  # the demo CA is a trust root, but did not issue this key

    signer = signing.get_signer(sun)
    assert not signer.is_demo
    other = signer.sign(
        pdf, stamp=STAMP, name="孙其信", reason="", location="", signed_at=SIGNED_AT
    )

    check = signing.verify_pdf(other)
    assert check.signed and check.intact and check.covers_whole_file
    assert check.certified_no_changes
    assert not check.trusted
    assert not check.valid
    assert any("trusted root" in problem for problem in check.problems)
    assert not signing.is_demo_signature(other)
    # Trusted once its CA is given as a root (e.g. a university CA in INFOGOV_TRUST_ROOTS).
    assert signing.verify_pdf(other, trust_roots=[foreign_ca]).valid
    settings.INFOGOV_TRUST_ROOTS = [_write_pem(signing_dir / "university-ca.pem", foreign_ca)]
    assert signing.verify_pdf(other).valid


def _write_pem(path: Path, certificate: x509.Certificate) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


# --- Keys on disk ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_keys_are_made_on_first_use_encrypted_and_private(signing_dir, sun):
    assert not signing_dir.exists()

    signing.get_signer(sun)

    assert stat.S_IMODE(signing_dir.stat().st_mode) == 0o700
    key_files = sorted(signing_dir.rglob("*.p12"))
    assert [p.relative_to(signing_dir).as_posix() for p in key_files] == [
        "demo/ca.p12",
        "demo/signers/sunqixin.p12",
    ]
    for path in [*key_files, signing.demo_ca_certificate_path()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in key_files:
        data = path.read_bytes()
        with pytest.raises(ValueError):
            pkcs12.load_key_and_certificates(data, None)
        with pytest.raises(ValueError):
            pkcs12.load_key_and_certificates(data, b"wrong")
        key, certificate, _chain = pkcs12.load_key_and_certificates(data, signing.demo_passphrase())
        assert key is not None
        organization = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        unit = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        assert organization[0].value == "infogov DEMO CA — not legally reliable"
        assert unit[0].value == "演示用，不具法律效力"
    # No private key in clear anywhere in the directory.
    for path in signing_dir.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes()


def test_the_demo_passphrase_comes_from_the_secret_key(settings):
    first = signing.demo_passphrase()
    assert first == signing.demo_passphrase()
    assert settings.SECRET_KEY.encode() not in first
    settings.SECRET_KEY = "another secret key, long enough for the test only"
    assert signing.demo_passphrase() != first


@pytest.mark.django_db
def test_demo_keys_become_unusable_when_the_secret_key_changes(demo_keys, settings, sun):
    settings.SECRET_KEY = "another secret key, long enough for the test only"
    with pytest.raises(signing.SigningUnavailable, match="create_demo_ca"):
        signing.get_signer(sun)


@pytest.mark.django_db
def test_pkcs12_passphrase_sources(signing_dir, settings, sun, monkeypatch):
    settings.INFOGOV_SIGNER = "pkcs12"
    monkeypatch.delenv("INFOGOV_SIGNING_PASSPHRASE", raising=False)
    monkeypatch.delenv("INFOGOV_SIGNING_PASSPHRASE_SUNQIXIN", raising=False)
    with pytest.raises(signing.SigningUnavailable, match=r"sunqixin\.p12 is missing"):
        signing.get_signer(sun)

    signing_dir.mkdir(mode=0o700)
    (signing_dir / "sunqixin.p12").write_bytes(foreign_pkcs12(b"s3cret")[0])
    with pytest.raises(signing.SigningUnavailable, match="INFOGOV_SIGNING_PASSPHRASE_SUNQIXIN"):
        signing.get_signer(sun)

    assert not signing.get_signer(sun, passphrase=b"s3cret").is_demo  # asked at signing
    with pytest.raises(signing.SigningUnavailable, match="wrong passphrase"):
        signing.get_signer(sun, passphrase=b"guess")

    pass_file = signing_dir / "sunqixin.pass"
    pass_file.write_text("s3cret\n")
    pass_file.chmod(0o644)
    with pytest.raises(signing.SigningUnavailable, match="chmod 600"):
        signing.get_signer(sun)
    pass_file.chmod(0o600)
    assert signing.get_signer(sun).certificate_subject == "CN=孙其信"

    monkeypatch.setenv("INFOGOV_SIGNING_PASSPHRASE", "s3cret")
    pass_file.unlink()
    assert signing.get_signer(sun).certificate_subject == "CN=孙其信"


@pytest.mark.django_db
def test_an_unknown_backend_is_refused(signing_dir, settings, sun):
    settings.INFOGOV_SIGNER = "smartcard"
    with pytest.raises(signing.SigningUnavailable, match="Unknown INFOGOV_SIGNER"):
        signing.get_signer(sun)


@pytest.mark.django_db
def test_the_pkcs11_backend_says_what_it_needs(signing_dir, settings, sun):
    settings.INFOGOV_SIGNER = "pkcs11"
    settings.INFOGOV_PKCS11 = {}
    with pytest.raises(signing.SigningUnavailable, match=r"pkcs11|INFOGOV_PKCS11"):
        signing.get_signer(sun)


SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
PINS = ("--so-pin", "5678", "--pin", "1234")


@pytest.mark.django_db
@pytest.mark.skipif(
    not SOFTHSM.is_file() or not shutil.which("softhsm2-util"), reason="needs softhsm2"
)
def test_the_pkcs11_backend_signs_with_a_key_on_a_token(
    demo_keys, settings, sun, pdf, tmp_path, monkeypatch
):
    """Only where python-pkcs11 (pip install 'pyHanko[pkcs11]') and SoftHSM2 are installed:
    孙其信's demo key and certificate, and the CA's, copied onto a SoftHSM token."""
    pkcs11 = pytest.importorskip("pkcs11")
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

    tokens = tmp_path / "tokens"
    tokens.mkdir()
    config = tmp_path / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    subprocess.run(
        [*("softhsm2-util", "--init-token", "--free", "--label", "infogov"), *PINS],
        check=True,
        capture_output=True,
    )
    key, certificate, chain = pkcs12.load_key_and_certificates(
        signing.demo_signer_path("sunqixin").read_bytes(), signing.demo_passphrase()
    )
    numbers = key.private_numbers()

    def big(n: int) -> bytes:
        return n.to_bytes((n.bit_length() + 7) // 8, "big")

    token = pkcs11.lib(str(SOFTHSM)).get_token(token_label="infogov")
    with token.open(rw=True, user_pin="1234") as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                Attribute.KEY_TYPE: KeyType.RSA,
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.SIGN: True,
                Attribute.LABEL: "sunqixin",
                Attribute.ID: b"\x01",
                Attribute.MODULUS: big(numbers.public_numbers.n),
                Attribute.PUBLIC_EXPONENT: big(numbers.public_numbers.e),
                Attribute.PRIVATE_EXPONENT: big(numbers.d),
                Attribute.PRIME_1: big(numbers.p),
                Attribute.PRIME_2: big(numbers.q),
                Attribute.EXPONENT_1: big(numbers.dmp1),
                Attribute.EXPONENT_2: big(numbers.dmq1),
                Attribute.COEFFICIENT: big(numbers.iqmp),
            }
        )
        for label, ident, cert in (("sunqixin", b"\x01", certificate), ("ca", b"\x02", chain[0])):
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.ID: ident,
                    Attribute.SUBJECT: cert.subject.public_bytes(),
                    Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                }
            )
    settings.INFOGOV_SIGNER = "pkcs11"
    settings.INFOGOV_PKCS11 = {"module": str(SOFTHSM), "token_label": "infogov"}

    signer = signing.get_signer(sun, passphrase=b"1234")
    assert "CN=孙其信" in signer.certificate_subject
    data = signer.sign(pdf, stamp=STAMP, name="孙其信", reason="", location="", signed_at=SIGNED_AT)
    check = signing.verify_pdf(data)
    assert check.valid, check.problems
    assert check.signer_name == "孙其信"

    with pytest.raises(signing.SigningUnavailable, match="PinIncorrect"):
        signing.get_signer(sun, passphrase=b"0000").sign(
            pdf, stamp=STAMP, name="孙其信", reason="", location="", signed_at=SIGNED_AT
        )


# --- The stamp font --------------------------------------------------------------------------

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@needs_pdfsig
@pytest.mark.django_db
@pytest.mark.skipif(not NOTO_CJK.is_file(), reason="needs fonts-noto-cjk")
def test_a_font_collection_serves_as_the_stamp_font(demo_keys, settings, sun, pdf, tmp_path):
    settings.INFOGOV_STAMP_FONT = str(NOTO_CJK)
    data = signing.get_signer(sun).sign(
        pdf, stamp=STAMP, name="孙其信", reason="", location="", signed_at=SIGNED_AT
    )
    path = tmp_path / "noto.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "NotoSansCJKsc-Regular" in fonts, fonts
    assert signing.verify_pdf(data).valid


@pytest.mark.django_db
def test_no_chinese_font_is_a_clear_error(demo_keys, settings, sun, pdf, tmp_path):
    settings.INFOGOV_STAMP_FONT = str(tmp_path / "missing.otf")
    with pytest.raises(signing.SigningUnavailable, match="INFOGOV_STAMP_FONT"):
        signing.get_signer(sun).sign(
            pdf, stamp=STAMP, name="孙其信", reason="", location="", signed_at=SIGNED_AT
        )


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"%PDF-1.7\n%garbage, not a PDF at all",
        bytes(range(256)) * 40,
        "not bytes",
    ],
    ids=["empty", "text", "pdf-header-only", "binary", "str"],
)
def test_garbage_is_not_signed_and_raises_nothing(data, signing_dir):
    check = signing.verify_pdf(data)

    assert not check.signed
    assert not check.valid
    assert check.problems


def test_an_unsigned_pdf_is_not_signed(pdf, signing_dir, english):
    check = signing.verify_pdf(pdf)

    assert not check.signed
    assert check.problems == ("The PDF carries no signature.",)


@pytest.mark.django_db
def test_a_truncated_signed_pdf_is_not_valid(signed):
    check = signing.verify_pdf(signed[: len(signed) // 2])

    assert not check.valid
    assert check.problems


# --- Commands --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_demo_ca_is_idempotent(signing_dir, sun):
    out = io.StringIO()
    call_command("create_demo_ca", "--signer", "sunqixin", stdout=out)
    first = out.getvalue()
    assert "DEMO ONLY" in first
    assert "Created demo CA" in first
    assert "Created demo signer sunqixin" in first
    ca_pem = signing.demo_ca_certificate_path().read_bytes()

    out = io.StringIO()
    call_command("create_demo_ca", "--signer", "sunqixin", stdout=out)
    assert "Exists  demo CA" in out.getvalue()
    assert "Exists  demo signer sunqixin" in out.getvalue()
    assert signing.demo_ca_certificate_path().read_bytes() == ca_pem

    with pytest.raises(CommandError, match="nobody"):
        call_command("create_demo_ca", "--signer", "nobody", stdout=io.StringIO())


@pytest.mark.django_db
def test_verify_minutes_exit_status(signed, tmp_path):
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(flipped(signed, _in_first_range(signed)))

    out = io.StringIO()
    call_command("verify_minutes", str(good), stdout=out)  # returns: exit status 0
    assert "Result:                 VALID" in out.getvalue()
    assert "孙其信" in out.getvalue()
    assert "not legally reliable" in out.getvalue()

    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_minutes", str(bad), stdout=out)
    assert raised.value.returncode == 1
    assert "Intact:                 NO" in out.getvalue()
    assert "NOT VALID" in out.getvalue()


@pytest.mark.django_db
def test_verify_minutes_exit_status_from_the_shell(signed, tmp_path):
    """The real exit status of manage.py, in a process that knows nothing of the test's
    settings: the demo CA is passed as --trust-root."""
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"not a pdf")
    environment = {**os.environ, "INFOGOV_VAR_DIR": str(tmp_path / "var")}
    manage = [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py"), "verify_minutes"]
    root = str(signing.demo_ca_certificate_path())

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*manage, *args], capture_output=True, text=True, env=environment, timeout=120
        )

    valid = run(str(good), "--trust-root", root)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    untrusted = run(str(good))
    assert untrusted.returncode == 1
    assert "Trusted signer:         NO" in untrusted.stdout
    not_pdf = run(str(garbage))
    assert not_pdf.returncode == 1
    assert "Signed:                 NO" in not_pdf.stdout
    missing = run(str(tmp_path / "missing.pdf"))
    assert missing.returncode == 1
    assert "Cannot read" in missing.stderr


# --- Keys for seated leaders only (Art. 15, R-MIN-1) ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["马博虎", "阎祖书"])
def test_no_signing_key_for_anyone_but_a_seated_leader(signing_dir, roster, name):
    person = User.objects.get(full_name=name)  # a deputy, a member

    with pytest.raises(signing.SigningUnavailable, match="not the seated leader"):
        signing.get_signer(person)
    with pytest.raises(signing.SigningUnavailable, match="not the seated leader"):
        signing.create_demo_signer(person.username, person.full_name)
    assert not signing.demo_signer_path(person.username).exists()


@pytest.mark.django_db
def test_a_vacated_leader_can_no_longer_sign(demo_keys, roster, sun, admin):
    from members import services

    seat = sun.appointments.get(ended_on=None, seat__body=roster.leading_group).seat
    services.vacate_seat(
        actor=admin,
        seat=seat,
        ended_on=dt.date(2025, 1, 1),
        document_number="校任〔2025〕1号",
        document_date=dt.date(2024, 12, 30),
    )

    with pytest.raises(signing.SigningUnavailable, match="not the seated leader"):
        signing.get_signer(sun)
