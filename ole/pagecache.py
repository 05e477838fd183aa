"""Anonymous public pages, kept whole in the cache every process shares, and the headers that let a proxy keep them.

A page is stored and served only for a visitor with nothing personal on it: no session, no flash message, and
whatever the view itself names (`personal`; the post page: this browser's own comments or likes there). Such a
page is rendered without a CSRF token (`request.ole_public_page`; forms fetch one when sent), so anyone may get it.

An entry is kept under the path and only the query parameters its view reads, and carries the versions it was
rendered under: the site version (moved on commit by any change to what public pages show, see `watch`) and,
for a post page, the post's own (moved by a like). Each move writes a new unique value, so an entry is served only
while nothing it shows has changed. No entry outlives the next scheduled publication (see `bound_lifetime_by`).
Withdrawn or erased text must not wait for a version to move: `forget_pages` deletes every stored copy.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

PREFIX = "pages:"
SITE_VERSION = f"{PREFIX}v:site"
# Besides the session, a flash message waiting makes any page personal.
PERSONAL_COOKIES = ("messages",)
STORED_HEADERS = ("Content-Type", "Last-Modified", "Link", "X-Pingback", "Content-Language")

_next_change: Callable[[], float | None] = lambda: None  # noqa: E731 - replaced by the app that schedules posts


def bound_lifetime_by(next_change: Callable[[], float | None]) -> None:
    """Tell the cache when pages next change with no save (a scheduled post going live), as a timestamp."""
    global _next_change
    _next_change = next_change


def site_changed() -> None:
    """Something public pages may show has changed: every page renders afresh."""
    _now_and_on_commit(functools.partial(_move, SITE_VERSION))


def post_changed(slug: str) -> None:
    """Something only one post's page shows has changed (a like on it or on one of its comments)."""
    _now_and_on_commit(functools.partial(_move, f"{PREFIX}v:post:{slug}"))


def text_erased() -> None:
    """Text was withdrawn or erased: every page renders afresh, and every stored page goes (`forget_pages`)."""
    site_changed()
    _now_and_on_commit(forget_pages)


def _now_and_on_commit(change: Callable[[], None]) -> None:
    # Now, and again once the transaction commits: a page rendered in between from the data as it was before
    # the commit, and stored under the first new version, is not served after it.
    change()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(change)


def watch(
    *watched: type[models.Model],
    unless: Callable[[models.Model, bool], bool] | None = None,
    deleting_erases: bool = False,
    hidden: Callable[[models.Model], bool] | None = None,
) -> None:
    """Every save or delete of these models, and every change to their many-to-many relations, moves the site
    version; `unless(instance, created)` names changes nobody sees (a comment held for review, saved or deleted).
    With `deleting_erases`, a delete is an erasure (`text_erased`): whatever path deleted it, its text goes.
    A save after which `hidden(instance)` holds (moved to a trash) is an erasure too."""
    for model in watched:

        def saved(sender, instance, created=False, **kwargs) -> None:
            if hidden is not None and hidden(instance):
                text_erased()
            elif unless is None or not unless(instance, created):
                site_changed()

        def deleted(sender, instance, **kwargs) -> None:
            if unless is None or not unless(instance, False):
                text_erased() if deleting_erases else site_changed()

        post_save.connect(saved, sender=model, weak=False)
        post_delete.connect(deleted, sender=model, weak=False)
        for field in model._meta.many_to_many:
            m2m_changed.connect(_relation_changed, sender=field.remote_field.through, weak=False)


def _relation_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        site_changed()


def forget_pages() -> None:
    """Delete every stored page now: text that was withdrawn or erased must not stay in a copy (or a backup of it)."""
    store = caches["default"]
    try:
        if isinstance(store, RedisCache):
            # Only the page entries: the same Redis may hold sessions and other keys.
            client = store._cache.get_client(write=True)
            keys = list(client.scan_iter(match=store.make_and_validate_key(f"{PREFIX}*"), count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
        elif isinstance(store, DatabaseCache):
            database = router.db_for_write(store.cache_model_class)
            with transaction.atomic(using=database):  # a savepoint: a failure leaves the caller's transaction usable
                store.clear()
            if connections[database].vendor == "sqlite" and not connections[database].in_atomic_block:
                # Deleted rows are overwritten in the file (secure_delete); this empties the write-ahead log too.
                with connections[database].cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            store.clear()
    except Exception as error:  # the versions have moved all the same: no copy is served
        logger.error("Page cache: could not delete the stored pages (%s).", type(error).__name__)


def delete_expired() -> int:
    """Remove entries past their time from a database cache, which deletes them only when it is full (the
    retention command runs this; Redis expires keys by itself). Returns how many."""
    store = caches["default"]
    if not isinstance(store, DatabaseCache):
        return 0
    connection = connections[router.db_for_write(store.cache_model_class)]
    table = connection.ops.quote_name(store._table)
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608 - the cache's own table
        return cursor.rowcount


def is_personal(request: HttpRequest) -> bool:
    """Whether any page may differ for this visitor from anyone else's: signed in, or a message waiting."""
    return any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES))


def public_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    params: Iterable[str] = (),
    scope: Callable[[dict], str] | None = None,
    personal: Callable[[HttpRequest, dict], bool] | None = None,
):
    """Serve a public view from the shared cache to visitors without personal state, and mark it shareable.

    `params` are the query parameters the view reads (others map to the same entry); `scope(kwargs)` names a
    version besides the site's (e.g. the post a page shows); `personal(request, kwargs)` tells whether the page
    shows something of this visitor's own besides what every page may show.
    """
    kept_params = tuple(sorted(params))

    def decorator(view_func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view_func)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if (
                request.method not in ("GET", "HEAD")
                or is_personal(request)
                or (personal is not None and personal(request, kwargs))
            ):
                return _private(view_func(request, *args, **kwargs))
            request.ole_public_page = True
            if not settings.OLE_PAGE_CACHE:
                return _fresh(view_func(request, *args, **kwargs), None, [], ())
            names = [SITE_VERSION] + ([f"{PREFIX}v:{scope(kwargs)}"] if scope else [])
            key, versions, entry = _lookup(request, kept_params, names)
            if entry is not None:
                return _from_cache(entry)
            return _fresh(view_func(request, *args, **kwargs), key, names, versions)

        return wrapped

    return decorator(view) if view is not None else decorator


def _move(name: str) -> None:
    try:
        before = cache.get(name)
        # Read back: a cache may refuse a write without raising (Django's database cache returns False). Any new
        # value will do, this one or another process's.
        for _attempt in range(3):
            cache.set(name, uuid.uuid4().hex, _version_seconds(name))
            if cache.get(name) not in (None, before):
                return
        logger.error("Page cache: version %s did not move; pages may be stale until they expire.", name)
    except Exception as error:  # a cache that is down serves no pages, so none can go stale meanwhile
        logger.warning("Page cache: could not move version %s (%s).", name, type(error).__name__)


def _version_seconds(name: str) -> int | None:
    # The site's version is kept until it moves; a post's is kept no longer than its pages (an address made up
    # for a post that does not exist leaves nothing behind).
    return None if name == SITE_VERSION else settings.OLE_PAGE_CACHE_SECONDS


def _page_key(request: HttpRequest, kept_params: tuple[str, ...]) -> str:
    query = QueryDict(mutable=True)
    for name in kept_params:
        if name in request.GET:
            query.setlist(name, request.GET.getlist(name))
    # The host was checked against ALLOWED_HOSTS before any view runs; pages hold absolute links for it.
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query.urlencode()}"
    return PREFIX + hashlib.blake2b(address.encode(), digest_size=16).hexdigest()


def _lookup(request: HttpRequest, kept_params: tuple[str, ...], names: list[str]) -> tuple:
    """The page's key, the current versions, and the stored entry if it was rendered under exactly those."""
    try:
        key = _page_key(request, kept_params)
        found = cache.get_many([*names, key])
        for name in names:
            if name not in found:  # never moved, or lost with the cache: start it with a value of its own
                cache.add(name, uuid.uuid4().hex, _version_seconds(name))
                found[name] = cache.get(name)
        versions = tuple(found[name] for name in names)
        entry = found.get(key)
        if entry is not None and entry[0] == versions:
            return key, versions, entry
        return key, versions, None
    except Exception as error:  # the cache is down: serve the page without it
        logger.warning("Page cache: lookup failed (%s).", type(error).__name__)
        return None, (), None


def _private(response: HttpResponse) -> HttpResponse:
    response = _rendered(response)
    patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ("Cookie",))
    return response


def _from_cache(entry: tuple) -> HttpResponse:
    _versions, status, headers, content = entry
    response = HttpResponse(content, status=status, headers=headers)
    response["X-Page-Cache"] = "hit"
    return _shareable(response)


def _fresh(response: HttpResponse, key: str | None, names: list[str], versions: tuple) -> HttpResponse:
    response = _rendered(response)
    if key is not None and _storable(response):
        _store(key, names, versions, response)
    if response.status_code == 200 and not response.has_header("Cache-Control"):
        _shareable(response)
    return response


def _rendered(response: HttpResponse) -> HttpResponse:
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def _shareable(response: HttpResponse) -> HttpResponse:
    # Proxies keep the page briefly; browsers ask again each time (a cheap 304 when nothing changed), so a
    # reader coming back after a comment or a like never sees their own older copy.
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.OLE_PUBLIC_MAX_AGE}"
    return response


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not response.has_header("Vary")
    )


def _lifetime() -> int:
    """Seconds a page may stay: never past the moment a scheduled post goes live, since no save marks that."""
    lifetime = settings.OLE_PAGE_CACHE_SECONDS
    at = _next_change()
    if at is not None:
        lifetime = min(lifetime, max(1, int(at - timezone.now().timestamp())))
    return lifetime


def _store(key: str, names: list[str], versions: tuple, response: HttpResponse) -> None:
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    # Computed once here rather than on every hit (ConditionalGetMiddleware keeps an ETag it is given).
    headers["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    try:
        cache.set(key, (versions, response.status_code, headers, response.content), _lifetime())
        # A change committed while the page rendered (an erasure among them) makes this copy one never served:
        # it does not stay either.
        now = cache.get_many(names)
        if tuple(now.get(name) for name in names) != versions:
            cache.delete(key)
    except Exception as error:
        logger.warning("Page cache: store failed (%s).", type(error).__name__)
