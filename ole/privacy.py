"""Privacy helpers both apps use: pages behind a private link, and erasing what the admin's own history
remembers of a record whose personal data is removed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages behind a private link: never cached, never indexed, and the link never leaks as a referrer.

    The policy is "same-origin" rather than "no-referrer": under "no-referrer" browsers post forms with
    `Origin: null`, which Django's CSRF protection rightly refuses. Other sites still receive no referrer.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapper)


def scrub_admin_log(obj: models.Model, label: str) -> int:
    """Replace the remembered title and change messages of `obj` in the admin log with a neutral label."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
    ).update(object_repr=label, change_message="")
