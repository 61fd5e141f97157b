"""What every part of signing shares: where the keys live, usernames as file names, reading
a PKCS#12 file, the time zone of stamps and signing times, and the error they all raise."""

import re
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings

SHANGHAI = ZoneInfo("Asia/Shanghai")

_USERNAME = re.compile(r"[\w.@+-]+")


class SigningUnavailable(Exception):
    """The configured signer cannot sign: missing or unreadable key, font or configuration.
    The message says what to do; it never contains a passphrase."""


def signing_dir() -> Path:
    return Path(getattr(settings, "INFOGOV_SIGNING_DIR", Path(settings.VAR_DIR) / "signing"))


def checked_username(username: str) -> str:
    if not _USERNAME.fullmatch(username) or username.startswith("."):
        raise SigningUnavailable(f"Not a username usable as a file name: {username!r}")
    return username


def load_p12(path: Path, passphrase: bytes | None):
    try:
        return pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
    except ValueError:
        raise SigningUnavailable(
            f"Cannot decrypt {path}: wrong passphrase (for demo keys: SECRET_KEY changed since "
            "they were made; move the demo directory away and run `manage.py create_demo_ca`)."
        ) from None
