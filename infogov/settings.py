"""Settings for infogov.

Every value that differs between a laptop and production comes from the environment through
the small helpers below, which fail loudly on a value they cannot read. With no environment at
all the portal runs as a development server on an embedded SQLite database.
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("INFOGOV_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; anything unrecognised is an error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _development_secret_key() -> str:
    """Return a per-checkout key kept in var/, made on first use; never committed."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# --- Core -----------------------------------------------------------------------------------

# INFOGOV_DEV=0 marks a production install: no generated secret key, real mail.
DEV = env_bool("INFOGOV_DEV", default=True)
DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEV:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set outside development")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "guardian",
    # Signing in: allauth's login, password and two-factor pages; axes' lockout.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "members.apps.AxesConfig",  # django-axes, with a translated name
    "infogov",
    "members",
    "meetings",
    "projects",
    "followup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Serves collectstatic's files from gunicorn, so production needs no separate static host.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a body (the CSRF check parses POSTs, files and all): a body over
    # INFOGOV_MAX_REQUEST_BYTES is refused unread, with a message in the reader's language.
    "infogov.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # With INFOGOV_REQUIRE_MFA, who must use a second factor sets one up before anything else.
    "members.signin.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A 405 gets the error page in the user's language (infogov.errors).
    "infogov.errors.MethodNotAllowedMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into the login page that says so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "infogov.urls"
WSGI_APPLICATION = "infogov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meetings.context_processors.notifications",
                "infogov.context_processors.second_factor",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (the demo and a small office); PostgreSQL when DATABASE_URL is set.

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'infogov.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and permissions ---------------------------------------------------------

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users hold nothing
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Validates nothing: on a password set, a ballot key pair for a person who has none.
    {"NAME": "meetings.ballots.keys.BallotKeyOnPasswordSet"},
]

# A scrutineer's ballot key is wrapped under Argon2id of their password (meetings.ballots):
# "interactive" (libsodium's interactive limits) or "fast" (the least allowed; tests only).
BALLOT_KEY_ARGON2 = os.environ.get("BALLOT_KEY_ARGON2", "interactive")

# Signing in (django-allauth): by username and password; nobody signs up (the roster and the
# administrator make people); password change, and reset by mail to the person's address.
ACCOUNT_ADAPTER = "members.signin.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
# A mail is sent only to addresses that belong to someone.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# The person is told by mail when their password, address or second factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Changing the address or the second factor asks for the password (or a code) again.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_GET = False
# No "remember me": the session cookie ends with the browser, the session after a working day.
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins are counted by axes alone (below), so that one lockout can be lifted in admin.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery codes.
# INFOGOV_REQUIRE_MFA makes it compulsory for leaders, deputies, the Office and administrators
# (members.rules.requires_second_factor); on in production, off for `make run`'s demo, which
# then says so on every page.
INFOGOV_REQUIRE_MFA = env_bool("INFOGOV_REQUIRE_MFA", default=not DEV)
MFA_ADAPTER = "members.signin.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "infogov"
# Addresses are set by the roster and the administrator, not by a sign-up, so an unverified one
# does not stand in the way of setting up a second factor.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# A code of the 30 s before or after is accepted too: phone clocks drift.
MFA_TOTP_TOLERANCE = 1
# Signing minutes and counting a ballot need a second factor given within this many seconds
# (infogov/reauth.py).
INFOGOV_SECOND_FACTOR_MAX_AGE = env_int("INFOGOV_SECOND_FACTOR_MAX_AGE", 300)

# --- Request sizes --------------------------------------------------------------------------
# The largest request body (an agenda material or a PDF to verify, 20 MB each, and the form
# around it); larger is refused unread with 413 (infogov.middleware). Form fields without
# files stay within Django's 2.5 MB; files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a
# temporary file only once the request is known to be within the limit.
INFOGOV_MAX_REQUEST_BYTES = env_int("INFOGOV_MAX_REQUEST_MB", 21) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Lockout (django-axes): 5 wrong passwords for one username from one address lock that pair
# out for 15 minutes; an administrator lifts it earlier in admin (Axes · access attempts).
AXES_FAILURE_LIMIT = env_int("INFOGOV_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("INFOGOV_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "members.signin.lockout_response"
# The client's address, behind INFOGOV_TRUSTED_PROXIES proxies (infogov/client.py).
AXES_CLIENT_IP_CALLABLE = "infogov.client.client_ip"
# How many reverse proxies in front of the portal append to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR); or the header one of them sets to the client's address.
INFOGOV_TRUSTED_PROXIES = env_int("INFOGOV_TRUSTED_PROXIES", 0)
INFOGOV_CLIENT_IP_HEADER = os.environ.get("INFOGOV_CLIENT_IP_HEADER", "")

# --- Internationalisation -------------------------------------------------------------------
# Chinese is the default language, English the second.

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves STATIC_ROOT after collectstatic; in development it finds the files in
# place, and the empty folder spares a warning on every request.
WHITENOISE_USE_FINDERS = DEV
WHITENOISE_AUTOREFRESH = DEV
if DEV:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# infogov/assets/build holds the npm libraries that `make assets` copies there (chart.js).
STATICFILES_DIRS = [BASE_DIR / "infogov" / "static", BASE_DIR / "infogov" / "assets" / "build"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# --- Mail -----------------------------------------------------------------------------------

# Django 6.1 mailers. Development prints mail to the console; production sends through SMTP.
_MAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEV
    else "django.core.mail.backends.smtp.EmailBackend"
)
_MAIL_OPTIONS: dict[str, object] = {}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": env_int("DJANGO_EMAIL_PORT", 25),
        "username": os.environ.get("DJANGO_EMAIL_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=False),
    }
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "infogov@localhost")

# --- Cache and sessions ---------------------------------------------------------------------
# Without REDIS_URL each process keeps its own cache and sessions live in the database. That is
# right for `make run` and still correct with several gunicorn workers: nothing cached must be
# seen at once by another process. With REDIS_URL (redis://host:6379/0) the processes share one
# cache, sessions are read from it and written through to the database (cached_db: a restart
# of Redis logs nobody out), and the verification page's rate limit is counted across processes.
# Django's Redis cache, keeping one redis-py client per connection pool (infogov/cache.py says
# what that saves).

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "infogov.cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "infogov",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Security -------------------------------------------------------------------------------
# Production sets DJANGO_SECURE=1 behind TLS; `manage.py check --deploy` must then be silent.

SECURE = env_bool("DJANGO_SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Links in mail (a password reset) say https behind TLS.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE else "http"
# A session ends after a working day (and when the person changes their password: Django
# checks each session against the password hash).
SESSION_COOKIE_AGE = env_int("INFOGOV_SESSION_HOURS", 10) * 3600

# Content-Security-Policy (Django's own): scripts, styles and images from the portal alone, no
# inline script or style anywhere (htmx's indicator style is in site.css), no framing, forms
# posted only here. The QR code of an authenticator app is a data: image.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    # pyHanko logs a whole traceback for every certificate it cannot chain to a trusted root;
    # the verification page reports that itself.
    "loggers": {
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# --- infogov --------------------------------------------------------------------------------

# Where the portal is reached: the verification link printed on issued minutes.
INFOGOV_BASE_URL = os.environ.get("INFOGOV_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Who signs minutes: "demo" (a demo CA made on this machine), "pkcs12" or "pkcs11".
INFOGOV_SIGNER = os.environ.get("INFOGOV_SIGNER", "demo")
INFOGOV_SIGNING_DIR = Path(os.environ.get("INFOGOV_SIGNING_DIR", VAR_DIR / "signing"))

# Rendering and signing minutes run in the background (django-tasks-db; `manage.py
# db_worker` is started by `make run`). INFOGOV_TASKS_IMMEDIATE=1 runs them inline.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if env_bool("INFOGOV_TASKS_IMMEDIATE", default=False)
        else "django_tasks_db.DatabaseBackend"
    }
}

# Art. 12 / R-MEET-4: the academic year starts on this month and day.
INFOGOV_ACADEMIC_YEAR_START = (9, 1)

# --- Projects ---------------------------------------------------------------------------------
# The hook through which an overdue project milestone opens a follow-up item (督办):
# a dotted path to a callable taking unit=, title=, due_date=, source_label=, source_url=,
# responsible=. Empty turns it off; if it cannot be imported (followup not installed),
# `manage.py check_project_milestones` logs and opens nothing.
INFOGOV_OPEN_FOLLOWUP = os.environ.get("INFOGOV_OPEN_FOLLOWUP", "followup.hooks.open_item")
