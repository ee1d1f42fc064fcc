"""pytest-django set-up for csceval.web: SQLite by default, PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csceval.web.settings")
os.environ.setdefault("CSCEVAL_SECRET_KEY", "tests-only-not-secret")

import django

django.setup()
