"""Reads go to the read replica, writes to the primary, when DATABASE_REPLICA_URL configures a replica."""

from __future__ import annotations

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"


class PrimaryReplicaRouter:
    """Send plain reads to the replica and everything else to the primary.

    Django asks db_for_write for writes and for locking reads (`select_for_update()` marks its query as a
    write), so those reach the primary already. A read inside a transaction on the primary also stays there:
    it must see the transaction's own uncommitted rows, and a replica lags behind besides.
    """

    def db_for_read(self, model, **hints) -> str:
        # The cache's versions must be read where they are written: a lagging replica would serve stale pages.
        if connections[PRIMARY].in_atomic_block or model._meta.app_label == "django_cache":
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the same rows as the primary, so objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == PRIMARY


CACHE = "cache"


class CacheRouter:
    """The database cache's table lives in a SQLite file of its own (the "cache" database), so that storing a
    page never waits behind a story being saved, and nothing but that table lives there."""

    def db_for_read(self, model, **hints) -> str | None:
        return CACHE if model._meta.app_label == "django_cache" else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool | None:
        if app_label == "django_cache" or db == CACHE:
            return app_label == "django_cache" and db == CACHE
        return None


LEDGER = "ledger"


class LedgerRouter:
    """The erasure ledger (ole.ErasureRecord) lives in a database of its own, and nothing else lives there: the
    backups copy the main database only, so the ledger is out of their reach and survives every restore."""

    def _is_ledger(self, model) -> bool:
        return model._meta.app_label == "ole" and model._meta.model_name == "erasurerecord"

    def db_for_read(self, model, **hints) -> str | None:
        return LEDGER if self._is_ledger(model) else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool | None:
        is_ledger = app_label == "ole" and model_name == "erasurerecord"
        if is_ledger or db == LEDGER:
            return is_ledger and db == LEDGER
        return None
