"""The project's own deployment checks, for what Django's `check --deploy` does not look at."""

from __future__ import annotations

import sqlite3

from django.conf import settings
from django.core.checks import Error, Warning, register

DEVELOPMENT_EMAIL = ("console", "locmem", "dummy", "filebased")
PER_PROCESS_CACHES = ("LocMemCache", "DummyCache")


@register(deploy=True)
def cache_is_shared(app_configs, **kwargs) -> list[Error]:
    """Pages are invalidated by whichever process changes them: every process must see the same cache."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.rsplit(".", 1)[-1] in PER_PROCESS_CACHES:
        return [
            Error(
                "The cache is kept in each process: a change made in one would leave the others serving old pages.",
                hint="Set REDIS_URL, or leave CACHES to OLE's default (a table in the database).",
                id="ole.E001",
            )
        ]
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and not settings.REDIS_URL:
        return [
            Error(
                "Pages are cached in the PostgreSQL database: every erasure and cache store then shares the "
                "transactions of the requests, and the app servers share no fast cache.",
                hint="Set REDIS_URL (OLE's production shape is PostgreSQL with Redis).",
                id="ole.E002",
            )
        ]
    return []


@register
def sqlite_is_new_enough(app_configs, **kwargs) -> list[Error]:
    """The rate-limit counters count in one statement (an upsert with RETURNING): SQLite 3.35 or later."""
    on_sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if on_sqlite and sqlite3.sqlite_version_info < (3, 35):
        return [
            Error(
                f"SQLite {sqlite3.sqlite_version} is too old: the rate-limit counters need 3.35 or later.",
                hint="Use a newer Python build or system SQLite, or PostgreSQL.",
                id="ole.E003",
            )
        ]
    return []


@register(deploy=True)
def no_development_secret(app_configs, **kwargs) -> list[Error]:
    """OLE_ALLOW_DEV_SECRET lets the site start on a key everyone can read, which would forge private links."""
    if settings.OLE_ALLOW_DEV_SECRET:
        return [
            Error(
                "OLE_ALLOW_DEV_SECRET is set: without a SECRET_KEY the site would run on the public development "
                "key, and anyone could forge a writer's private link.",
                hint="Unset OLE_ALLOW_DEV_SECRET and set SECRET_KEY.",
                id="ole.E004",
            )
        ]
    return []


@register(deploy=True)
def staff_second_factor(app_configs, **kwargs) -> list[Error]:
    """Editors read writers' emails and crisis texts: a password alone must not open the admin."""
    if not settings.OLE_STAFF_2FA:
        return [
            Error(
                "OLE_STAFF_2FA is off: staff sign in to the admin with a password alone.",
                hint="Unset OLE_STAFF_2FA (it is on by default); it is off only for the local demo.",
                id="ole.E005",
            )
        ]
    return []


@register(deploy=True)
def production_settings(app_configs, **kwargs) -> list[Warning]:
    problems = []
    if not settings.DEBUG and any(name in settings.EMAIL_BACKEND for name in DEVELOPMENT_EMAIL):
        problems.append(
            Warning(
                "A development email backend is set with DEBUG off: writers would never receive their links.",
                hint="Set EMAIL_BACKEND to an SMTP (or provider) backend and the EMAIL_* variables.",
                id="ole.W001",
            )
        )
    if not settings.DEBUG and settings.OLE_SERVE_MEDIA:
        problems.append(
            Warning(
                "Uploaded media is served by the app with DEBUG off.",
                hint="Serve MEDIA_ROOT from the proxy or object storage and unset OLE_SERVE_MEDIA.",
                id="ole.W002",
            )
        )
    return problems


@register(deploy=True)
def erasure_ledger_apart(app_configs, **kwargs) -> list[Error | Warning]:
    """The erasure ledger must outlive every restore of the main database, and be one for every app server."""
    main, ledger = settings.DATABASES["default"], settings.DATABASES["ledger"]
    where = ("ENGINE", "NAME", "HOST", "PORT")
    if [main.get(key) for key in where] == [ledger.get(key) for key in where]:
        return [
            Error(
                "The erasure ledger is the main database: a restore would overwrite it and bring erased text back.",
                hint="Point OLE_LEDGER_DATABASE_URL at a database of its own.",
                id="ole.E006",
            )
        ]
    if main["ENGINE"] != "django.db.backends.sqlite3" and ledger["ENGINE"] == "django.db.backends.sqlite3":
        return [
            Warning(
                "The erasure ledger is a SQLite file on this machine while the database is shared: each app server "
                "would keep its own ledger, and a restore would miss the erasures recorded on the others.",
                hint="Set OLE_LEDGER_DATABASE_URL to a PostgreSQL database of its own that every app server reaches.",
                id="ole.W003",
            )
        ]
    return []
