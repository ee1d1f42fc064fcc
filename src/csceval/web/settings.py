"""Django settings for csceval.web.

The database comes from ``DATABASE_URL``: a SQLite file by default (local, single user),
PostgreSQL when ``DATABASE_URL=postgresql://user[:password]@host[:port]/name``.
``CSCEVAL_SECRET_KEY`` gives the secret key; without it a random key is kept in a file next to
the SQLite database (local mode only).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2

WEB_DIR = Path(__file__).resolve().parent
REPO_ROOT = WEB_DIR.parents[2]
DATA_DIR = Path(os.environ.get("CSCEVAL_WEB_DATA", Path.cwd() / "var")).resolve()
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'csceval-web.sqlite3'}"


def database_from_url(url: str) -> dict[str, Any]:
    """Turn ``sqlite:///PATH`` or ``postgresql://USER[:PW]@HOST[:PORT]/NAME`` into DATABASES.

    As in SQLAlchemy: ``sqlite:///rel/path``, ``sqlite:////abs/path``, ``sqlite://`` (memory).
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        name = unquote(parts.path)[1:]
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name or ":memory:"}
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    raise ValueError(f"DATABASE_URL must start with sqlite:// or postgresql://, not {url!r}")


def _secret_key() -> str:
    key = os.environ.get("CSCEVAL_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("CSCEVAL_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("CSCEVAL_ALLOWED_HOSTS", "").split(",") if h] or [
    "127.0.0.1",
    "localhost",
]

DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
DATABASES = {"default": database_from_url(DATABASE_URL)}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "csceval.web.accounts",
    "csceval.web.audit_trail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# GOV.UK Frontend from npm (`npm ci` in the repo root, run by `make install`).
# The ready-built CSS points at /assets/fonts and /assets/images, so STATIC_URL is /assets/.
GOVUK_DIST = Path(
    os.environ.get(
        "CSCEVAL_GOVUK_FRONTEND_DIST", REPO_ROOT / "node_modules/govuk-frontend/dist/govuk"
    )
)
STATIC_URL = "/assets/"
STATICFILES_DIRS: list[Any] = (
    [GOVUK_DIST / "assets", ("govuk", GOVUK_DIST)] if GOVUK_DIST.is_dir() else []
)
