"""Anonymous public pages, kept in the shared cache under versioned keys, and the headers that let a proxy keep them.

A page is shared only with visitors who carry nothing personal for it: no session, no flash message, and for
a post page no comment or like this browser remembers on that post (no other page shows them). Such a page is rendered
without a CSRF token (the comment and like forms get one when they are sent: static/js/community.js, or the
confirm page of `series.views.csrf_failure` without JavaScript), so it can be handed to anyone, by this cache
or by a proxy.

Entries carry versions instead of being flushed: any change to what public pages show moves the site version
(`site_changed`), and likes move only their post's version (`post_changed`). An entry is served only while
the versions it was rendered under are still the current ones, read in the same round trip to the cache as
the entry itself. A version lost with the cache starts again from the clock, above any value it had before,
so an old entry is never taken for a current one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

# Besides the session: a flash message waiting makes any page personal. Pages that show more of a visitor
# (the post page: their own comments and likes there) say so themselves (`public_page(personal=...)`).
PERSONAL_COOKIES = ("messages",)
SITE_VERSION = "pages:v:site"
STORED_HEADERS = ("Content-Type", "Last-Modified", "Link", "X-Pingback", "Content-Language")
# Threads of one process that miss the same page wait for the first one's render, then look again. Without
# this, every thread of every worker rendered a popular page at once after each change (and in a worker's first
# second), all under one GIL, and each of them waited for all of the renders.
_rendering: dict[str, threading.Event] = {}
_rendering_guard = threading.Lock()
RENDER_WAIT_SECONDS = 10.0
# Versions are kept until the cache has to let them go (they are tiny); with the cache's default lifetime every
# page and fragment started again every five minutes.
VERSION_SECONDS = None


def is_personal(request: HttpRequest) -> bool:
    """Whether any page may differ for this visitor from anyone else's: signed in, or a message waiting."""
    names = (settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES)
    return any(name in request.COOKIES for name in names)


def site_changed() -> None:
    """Something every public page may show has changed: the next request renders afresh."""
    _bump(SITE_VERSION)


def post_changed(slug: str) -> None:
    """Something only the post's own page shows has changed (a like on it or on one of its comments)."""
    _bump(f"pages:v:post:{slug}")


def thread_changed(post_pk: int) -> None:
    """The comments under a post changed (one shown, edited, removed or liked): its thread renders afresh."""
    _bump(_thread_key(post_pk))


def _thread_key(post_pk: int) -> str:
    return f"pages:v:thread:{post_pk}"


def _bump(key: str) -> None:
    try:
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, time.time_ns(), VERSION_SECONDS)
    except Exception as error:  # a cache that is down holds no pages to go stale; it restarts versions from the clock
        logger.warning("Page cache: could not move version %s (%s).", key, type(error).__name__)


def site_version(request: HttpRequest | None = None) -> int | str:
    """The current site version: the key part of fragments every visitor sees alike (`{% cache %}` blocks)."""
    known = getattr(request, "ole_site_version", None)
    if known is not None:
        return known
    version = _version(SITE_VERSION)
    if request is not None:  # one read per request: every fragment of a page is keyed alike
        request.ole_site_version = version
    return version


def next_publication(request: HttpRequest | None = None) -> float | None:
    """When the next scheduled post goes live (a timestamp, or None), read once per site version in each process.

    Read again once that moment has passed: saving, scheduling or unscheduling a post moves the site version, and
    a post going live at its time is the one change no save marks.
    """
    from .models import Post  # the models tell this module of their changes

    return for_site_version(
        "next publication",
        Post.objects.next_publication,
        request=request,
        still_true=lambda moment: moment is None or moment > time.time(),
    )


def for_site_version(
    name: str,
    read: Callable[[], Any],
    *,
    request: HttpRequest | None = None,
    still_true: Callable[[Any], bool] = lambda value: True,
) -> Any:
    """What `read()` returns, kept in this process until the site version moves (or `still_true` says otherwise).

    For values every save may change and nothing else does (the community rules, the next publication). When the
    cache is down, every call reads again (the version is then a new one each time).
    """
    version = site_version(request)
    known = _kept_for_site_version.get(name)
    if known is not None and known[0] == version and still_true(known[1]):
        return known[1]
    value = read()
    _kept_for_site_version[name] = (version, value)
    return value


# Shared by the threads of a process; each entry only ever replaced whole, so a reader sees an old pair or a new one.
_kept_for_site_version: dict[str, tuple[int | str, Any]] = {}


def publication_version(request: HttpRequest) -> str:
    """The key part of a fragment of a post page that may change with any save or when a scheduled post goes
    live (a new part changes the series navigation and "part 2 of 5"), for the address the page was asked at
    (the fragment holds absolute links)."""
    return f"{site_version(request)}|{next_publication(request)}|{request.scheme}://{request.get_host()}"


def thread_version(post_pk: int) -> int | str:
    """The version of the comments under a post: the key part of its shared thread fragment.

    Kept apart from the site's and the post page's versions, so the thread, the costliest part of a post page to
    render, outlives what does not touch it: a like on the post, a comment or a publication anywhere else.
    """
    return _version(_thread_key(post_pk))


def _version(key: str) -> int | str:
    try:
        found = cache.get_many([key])
        _start_versions(found, [key])
        return found[key]
    except Exception as error:  # the cache is down: a value no fragment was kept under, so all render afresh
        logger.warning("Page cache: could not read version %s (%s).", key, type(error).__name__)
        return uuid.uuid4().hex


def _start_versions(found: dict, keys: list[str]) -> None:
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), VERSION_SECONDS)
            found[key] = cache.get(key, 0)


def _lifetime(next_change: Callable[[], float | None] | None) -> int:
    """Seconds a page may stay: never past the moment a scheduled post goes live, since no save marks that."""
    lifetime = settings.OLE_PAGE_CACHE_SECONDS
    if next_change is not None:
        at = next_change()
        if at is not None:
            lifetime = min(lifetime, max(1, int(at - timezone.now().timestamp())))
    return lifetime


def public_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    scope: Callable[[dict], str] | None = None,
    next_change: Callable[[], float | None] | None = None,
    personal: Callable[[HttpRequest, dict, int | None], bool] | None = None,
):
    """Serve a public view from the shared cache to visitors without personal state, and mark it shareable.

    `scope` names a version besides the site's (e.g. the post a page shows); `next_change` tells when the
    page will change by itself (a scheduled post going live); `personal(request, kwargs, about)` tells whether
    this page shows something of this visitor's own besides what every page may show (the session, messages);
    `about` is what a cached copy says the page is about (`response.ole_page_about`, e.g. the post's pk), or
    None when there is no copy.
    """

    def decorator(view_func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view_func)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or is_personal(request):
                return _private(view_func(request, *args, **kwargs))
            scope_name = scope(kwargs) if scope else None
            key, versions, entry = _lookup(request, scope_name) if settings.OLE_PAGE_CACHE else (None, None, None)
            if personal is not None and personal(request, kwargs, entry[3] if entry else None):
                return _private(view_func(request, *args, **kwargs))
            request.ole_public_page = True
            if entry is None and key is not None:
                with _render_turn(key) as waited:
                    if waited:
                        key, versions, entry = _lookup(request, scope_name)
                    if entry is None:
                        return _fresh(view_func(request, *args, **kwargs), key, versions, next_change)
            if entry is not None:
                return _from_cache(entry)
            return _fresh(view_func(request, *args, **kwargs), key, versions, next_change)

        return wrapped

    return decorator(view) if view is not None else decorator


@contextlib.contextmanager
def _render_turn(key: str) -> Iterator[bool]:
    """Yields False to the thread that renders a missed page; True to one that waited for that render instead.

    A thread that waited looks again and, if the page is still not there (a 404, a page that is never stored, a
    render that failed or took longer than RENDER_WAIT_SECONDS), renders it itself: waiters never queue.
    """
    with _rendering_guard:
        running = _rendering.get(key)
        if running is None:
            done = _rendering[key] = threading.Event()
    if running is not None:
        running.wait(RENDER_WAIT_SECONDS)
        yield True
        return
    try:
        yield False
    finally:
        with _rendering_guard:
            del _rendering[key]
        done.set()


def _private(response: HttpResponse) -> HttpResponse:
    response = _rendered(response)
    patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ("Cookie",))
    return response


def _from_cache(entry: tuple) -> HttpResponse:
    status, headers, content, _about = entry
    response = HttpResponse(content, status=status, headers=headers)
    response["X-Page-Cache"] = "hit"
    return _shareable(response)


def _fresh(
    response: HttpResponse,
    key: str | None,
    versions: tuple | None,
    next_change: Callable[[], float | None] | None = None,
) -> HttpResponse:
    """A page just rendered: kept under `key` when it may be shared, and marked shareable."""
    response = _rendered(response)
    if key is not None and _storable(response):
        _store(key, versions, response, _lifetime(next_change))
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


def _page_key(request: HttpRequest) -> str:
    # The host was checked against ALLOWED_HOSTS by CommonMiddleware before any view runs.
    address = "|".join(
        (request.scheme, request.META.get("HTTP_HOST", ""), request.path, request.META.get("QUERY_STRING", ""))
    )
    # "e3": entries that carry their own end and what they are about; servers still running the code before
    # them read other keys.
    return "pages:e3:" + hashlib.blake2b(address.encode(), digest_size=16).hexdigest()


def _lookup(request: HttpRequest, scope: str | None) -> tuple[str | None, tuple | None, tuple | None]:
    """The page's key, the current versions, and the entry if it was rendered under exactly those versions."""
    try:
        key = _page_key(request)
        names = [SITE_VERSION] + ([f"pages:v:{scope}"] if scope else [])
        found = cache.get_many([*names, key])
        entry = found.pop(key, None)
        _start_versions(found, names)
        versions = tuple(found[name] for name in names)
        request.ole_site_version = versions[0]
        # An entry carries its versions and the moment it stops being good (a copy kept in another process
        # does not learn of Redis's expiry time).
        if entry is not None and len(entry) == 6 and entry[0] == versions and entry[1] > time.time():
            return key, versions, entry[2:]
        return key, versions, None
    except Exception as error:  # the cache is down: serve the page without it
        logger.warning("Page cache: lookup failed (%s).", type(error).__name__)
        return None, None, None


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not response.has_header("Vary")
    )


def _store(key: str, versions: tuple, response: HttpResponse, lifetime: int) -> None:
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    # Computed once here rather than on every hit (ConditionalGetMiddleware keeps an ETag it is given).
    headers["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    try:
        about = getattr(response, "ole_page_about", None)
        entry = (versions, time.time() + lifetime, response.status_code, headers, response.content, about)
        cache.set(key, entry, lifetime)
    except Exception as error:
        logger.warning("Page cache: store failed (%s).", type(error).__name__)
