"""Django settings for csceval.web.

The database comes from ``DATABASE_URL``: a SQLite file by default (local, single user),
PostgreSQL when ``DATABASE_URL=postgresql://user[:password]@host[:port]/name``.
``CSCEVAL_SECRET_KEY`` gives the secret key; without it a random key is kept in a file next to
the SQLite database (local mode only).

Production mode (``CSCEVAL_ENV=production``; see docs/security.md) turns DEBUG off whatever
``CSCEVAL_DEBUG`` says, requires ``CSCEVAL_SECRET_KEY`` and ``CSCEVAL_ALLOWED_HOSTS``, sends
cookies only over HTTPS under ``__Host-`` names and redirects HTTP to HTTPS. Behind a
TLS-terminating proxy set ``CSCEVAL_TRUST_X_FORWARDED_PROTO=1`` (only if the proxy always
sets or strips that header). Local mode is for one person on 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from csceval.web.security.production import secret_key_problem, wildcard_hosts
from csceval.web.staticfiles import asset_fingerprint

WEB_DIR = Path(__file__).resolve().parent
REPO_ROOT = WEB_DIR.parents[2]
DATA_DIR = Path(os.environ.get("CSCEVAL_WEB_DATA", Path.cwd() / "var")).resolve()
CSCEVAL_DATA_DIR = DATA_DIR
"""Where the platform keeps its files: the SQLite database, analysis runs and their reports."""
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'csceval-web.sqlite3'}"


def database_from_url(url: str) -> dict[str, Any]:
    """Turn ``sqlite:///PATH`` or ``postgresql://USER[:PW]@HOST[:PORT]/NAME`` into DATABASES.

    As in SQLAlchemy: ``sqlite:///rel/path``, ``sqlite:////abs/path``, ``sqlite://`` (memory).
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        name = unquote(parts.path)[1:]
        # Writers take the lock when their transaction begins and wait up to 20 s for it, so
        # several people saving at once queue instead of failing with "database is locked".
        options = {"transaction_mode": "IMMEDIATE", "timeout": 20}
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or ":memory:",
            "OPTIONS": options,
        }
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # Keep each worker thread's connection between requests (a new PostgreSQL connection
            # costs a few milliseconds per request); checked before reuse after an error.
            "CONN_MAX_AGE": 300,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(f"DATABASE_URL must start with sqlite:// or postgresql://, not {url!r}")


PRODUCTION = os.environ.get("CSCEVAL_ENV", "local") == "production"


def _secret_key() -> str:
    key = os.environ.get("CSCEVAL_SECRET_KEY")
    if key and PRODUCTION and (why := secret_key_problem(key)):
        raise ImproperlyConfigured(
            f"CSC-E6007 CSCEVAL_SECRET_KEY is too weak for CSCEVAL_ENV=production: {why}. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "CSC-E6007 CSCEVAL_ENV=production needs the secret key in CSCEVAL_SECRET_KEY "
            "(at least 50 random characters, never stored in the repository)."
        )
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


def _allowed_hosts() -> list[str]:
    hosts = [h.strip() for h in os.environ.get("CSCEVAL_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if PRODUCTION and not hosts:
        raise ImproperlyConfigured(
            "CSC-E6008 CSCEVAL_ENV=production needs CSCEVAL_ALLOWED_HOSTS "
            "(comma-separated host names the service answers to)."
        )
    if PRODUCTION and wildcard_hosts(hosts):
        raise ImproperlyConfigured(
            f"CSC-E6008 CSCEVAL_ALLOWED_HOSTS may not hold a wildcard in production "
            f"({', '.join(wildcard_hosts(hosts))}): name each host the service answers to."
        )
    return hosts or ["127.0.0.1", "localhost"]


SECRET_KEY = _secret_key()
DEBUG = not PRODUCTION and os.environ.get("CSCEVAL_DEBUG", "") == "1"
ALLOWED_HOSTS = _allowed_hosts()

DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
DATABASES = {"default": database_from_url(DATABASE_URL)}


def _strand_apps() -> list[str]:
    """The Django apps of the registered strands (csceval.strands.WebApp)."""
    from csceval.registry import registered_strands

    return [s.web.app for s in registered_strands() if s.web is not None]


INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "axes",
    "csceval.web.accounts",
    "csceval.web.audit_trail",
    "csceval.web.evaluation",
    "csceval.web.exports",
    "csceval.web.returns",
    "csceval.web.links",
    *_strand_apps(),
    "django_tasks",
    "django_tasks_db",
]

# Background jobs (analysis runs) in the database: run by `csceval worker`, which `csceval serve`
# starts beside the web server (csceval.web.evaluation.jobs).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csceval.web.staticfiles.AssetMiddleware",  # WhiteNoise: hashed assets, cached a year
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or process_view (CSRF) reads the body; after auth, to audit who it was.
    "csceval.web.security.limits.RequestSizeLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "csceval.web.security.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "csceval.web.security.middleware.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "csceval.web.access.MethodNotAllowedPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csceval.web.security.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "csceval.web.urls"
WSGI_APPLICATION = "csceval.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [WEB_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "csceval.web.jinja2env.environment",
            "context_processors": ["csceval.web.jinja2env.govuk"],
            # GOV.UK template.html calls macros without params: only ChainableUndefined works.
            "undefined": jinja2.ChainableUndefined,
            "autoescape": True,
        },
    }
]

# --- Passwords (SEC-B2, SEC-B3): Argon2id only; length 15..128, no composition rules. --------
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "csceval.web.accounts.passwords.LengthValidator"},
    {"NAME": "csceval.web.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "csceval.web.accounts.passwords.SimilarityValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # throttles every authenticate(request=...) call
    "csceval.web.accounts.backends.AccountBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Login throttling (SEC-B4): per username AND IP, so nobody can lock a victim out from
# elsewhere; 5 failures give a 15-minute cool-off that further attempts do not extend.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# --- Sessions (SEC-C1..C3, C5): server-side (database), limits enforced by middleware. -----
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CSCEVAL_SESSION_IDLE = timedelta(minutes=30)
CSCEVAL_SESSION_ABSOLUTE = timedelta(hours=12)
SESSION_COOKIE_AGE = int(CSCEVAL_SESSION_ABSOLUTE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- 2FA (SEC-B1): TOTP, issuer shown in the authenticator app. -----------------------------
OTP_TOTP_ISSUER = "csceval"

# --- Headers (SEC-C6). HSTS is sent only over HTTPS (SecurityMiddleware). -------------------
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
    }
}

if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("CSCEVAL_SSL_REDIRECT", "1") != "0"
    if os.environ.get("CSCEVAL_TRUST_X_FORWARDED_PROTO", "") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if "*" not in host]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Static assets: GOV.UK Frontend and htmx from npm (`npm ci`, run by `make install`). -----
# The ready-built CSS points at /assets/fonts and /assets/images, so STATIC_URL is /assets/.
# Exactly the files csceval.web.staticfiles.AssetFinder lists are collected (by `csceval serve`,
# or on a process's first request) into STATIC_ROOT under hashed names, which pages link to and
# csceval.web.staticfiles.AssetMiddleware (WhiteNoise) serves cached for a year.
NODE_MODULES = Path(os.environ.get("CSCEVAL_NODE_MODULES", REPO_ROOT / "node_modules"))
STATIC_URL = "/assets/"
STATICFILES_FINDERS = ["csceval.web.staticfiles.AssetFinder"]
STATIC_ROOT = DATA_DIR / "assets" / asset_fingerprint(NODE_MODULES)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "csceval.web.staticfiles.AssetStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False


# --- Request size (SEC-E5): refused above the cap before the body is read; accepted uploads stay
# in memory (never spooled to disk). The proxy in docs/deployment.md has the same limit.
def _max_request_bytes() -> int:
    text = os.environ.get("CSCEVAL_MAX_REQUEST_BYTES", str(6 * 1024 * 1024)).strip()
    if not text.isdigit() or int(text) < 1024 * 1024:
        raise ImproperlyConfigured(
            f"CSC-E6010 CSCEVAL_MAX_REQUEST_BYTES must be a whole number of bytes, at least "
            f"1048576 (1 MiB), not {text!r}."
        )
    return int(text)


CSCEVAL_MAX_REQUEST_BYTES = _max_request_bytes()
FILE_UPLOAD_MAX_MEMORY_SIZE = CSCEVAL_MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: form fields without files

# --- Application log (docs/security.md, log inventory): warnings and errors to stderr. --------
# Django's default sends request errors nowhere when DEBUG is off; this keeps them (tracebacks
# only, never request bodies) in the process's stderr, which the host's journal collects.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"one_line_403": {"()": "csceval.web.security.limits.OneLineForbidden"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_403"],
        }
    },
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "WARNING"},
        "axes": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "csceval": {"handlers": ["stderr"], "level": "WARNING"},
    },
}
