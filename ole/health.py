"""/healthz and /readyz, for the proxy, the service manager and a monitor.

/healthz says the process answers: it touches neither the database nor the cache, so it may be asked often.
/readyz says the site can do its work: the database answers and has every migration this code knows applied, the
shared cache answers, no email has waited in the outbox longer than OLE_OUTBOX_MAX_WAIT_MINUTES, and the worker
began a round within the last minute. Both answer a small JSON body naming each check (never any personal data),
are never cached, and a 503 from /readyz is an answer, not an error: it is not logged as one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import Heartbeat, OutboundEmail

WORKER = "worker"
# The worker begins a round every few seconds (`run_worker --loop`, 5 s by default).
WORKER_SILENT_AFTER = datetime.timedelta(minutes=1)

# Checked until the database first has every migration, then remembered for the life of the process: the migration
# files are those the process loaded at its start, and applied ones only change through `migrate`, which a deploy
# runs before or after restarting the app servers (an app server that started first answers 503 until it has run).
# Only a migration undone by hand while the site runs goes unnoticed; docs/deploying.md says to restart after one.
# Loading the migration files costs tens of milliseconds; a probe every few seconds should not pay that each time.
_migrated = False


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _migrations() -> str | None:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"{len(plan)} migration(s) not applied"
        _migrated = True
    return None


def _cache() -> str | None:
    cache.get("health:probe")  # a miss is fine: the question is whether the cache answers at all
    return None


def _outbox() -> str | None:
    limit = datetime.timedelta(minutes=settings.OLE_OUTBOX_MAX_WAIT_MINUTES)
    late = OutboundEmail.objects.waiting_since_before(timezone.now() - limit).count()
    return f"{late} email(s) waiting over {settings.OLE_OUTBOX_MAX_WAIT_MINUTES} minutes" if late else None


def _worker() -> str | None:
    silent = Heartbeat.silent_for(WORKER)
    if silent is None:
        return "never seen"
    if silent > WORKER_SILENT_AFTER:
        return f"not seen for {int(silent.total_seconds())} seconds"
    return None


# Each returns None when all is well, or what is wrong in a few words; the later ones need the database.
CHECKS: dict[str, Callable[[], str | None]] = {
    "database": _database,
    "migrations": _migrations,
    "cache": _cache,
    "outbox": _outbox,
    "worker": _worker,
}
NEEDS_DATABASE = {"migrations", "outbox", "worker"}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and results["database"] != "ok":
            results[name] = "not checked"
            continue
        try:
            problem = check()
        except Exception as error:
            # The kind of error only: its text may name a host or a user.
            problem = f"failed ({type(error).__name__})"
        results[name] = problem or "ok"
    failed = sorted(name for name, result in results.items() if result != "ok")
    response = JsonResponse(
        {"status": "fail" if failed else "ok", "failed": failed, "checks": results},
        status=503 if failed else 200,
    )
    # Django logs every 5xx answer as an error (django.request), which would also email the administrators on each
    # probe; this answer is the report. (Django's own flag for a response it has already logged.)
    response._has_been_logged = True
    return response
