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

Who may sign is not decided here. ``meetings.minutes.services`` checks R-MIN-1 (only the
body's leader), re-authenticates the leader at the signing step and writes the audit entry
(R-MIN-3 condition 2); ``meetings.minutes.issuing`` checks R-MIN-1 again *before* it calls
:func:`get_signer`.

The modules, by concern: ``config`` (the signing directory, the error every part raises),
``demo_ca`` (the demo CA and the demo signers' keys), ``stamp`` (the stamp's font and text),
``signers`` (``Signer`` and its backends, :func:`get_signer`) and ``verification``
(:func:`verify_pdf`, the trust roots). This package re-exports what callers use: call
``signing.get_signer`` and ``signing.verify_pdf`` through it (the tests stand in for them there).

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

from meetings.minutes.signing.config import SHANGHAI, SigningUnavailable, signing_dir
from meetings.minutes.signing.demo_ca import (
    DEMO_LABEL_EN,
    DEMO_LABEL_ZH,
    DEMO_PASSPHRASE_INFO,
    create_demo_ca,
    create_demo_signer,
    demo_ca_certificate_path,
    demo_passphrase,
    demo_signer_path,
    is_demo_certificate,
)
from meetings.minutes.signing.signers import (
    FIELD_NAME,
    DemoSigner,
    Pkcs11Signer,
    Pkcs12Signer,
    Signer,
    get_signer,
    pkcs12_passphrase,
)
from meetings.minutes.signing.stamp import stamp_font_path, stamp_text
from meetings.minutes.signing.verification import (
    is_demo_signature,
    load_certificates,
    trust_roots,
    verify_pdf,
)

__all__ = [
    "DEMO_LABEL_EN",
    "DEMO_LABEL_ZH",
    "DEMO_PASSPHRASE_INFO",
    "FIELD_NAME",
    "SHANGHAI",
    "DemoSigner",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "Signer",
    "SigningUnavailable",
    "create_demo_ca",
    "create_demo_signer",
    "demo_ca_certificate_path",
    "demo_passphrase",
    "demo_signer_path",
    "get_signer",
    "is_demo_certificate",
    "is_demo_signature",
    "load_certificates",
    "pkcs12_passphrase",
    "signing_dir",
    "stamp_font_path",
    "stamp_text",
    "trust_roots",
    "verify_pdf",
]
