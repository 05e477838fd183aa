"""Following by email, without an account: ask, confirm from the email, manage or stop from a signed link.

Every answer to "follow" is the same whether or not the address already follows (nobody learns who reads us),
and every page behind a link is private (never cached, never indexed, no referrer).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ole import ratelimit
from ole.privacy import private

from ..forms import FollowForm
from ..models import Subscription

PAGE = "series/follow.html"


@private
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    form = FollowForm(request.POST or None, initial={"target": request.GET.get("target", "")[:220]})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not ratelimit.allow("follow", request, limit=settings.OLE_FOLLOW_REQUESTS_PER_HOUR, window=3600):
            return render(request, PAGE, {"form": form, "too_many": True}, status=429)
        # Also per address: nobody can fill someone's inbox with confirmation emails from many connections.
        if ratelimit.allow_key("follow-address", email.lower(), limit=3, window=3600):
            series, topic = form.cleaned_data["target"]
            Subscription.ask(email=email, series=series, topic=topic, frequency=form.cleaned_data["frequency"])
        return render(request, PAGE, {"sent": True})
    return render(request, PAGE, {"form": form})


def _subscription(token: str, *, confirm: bool = False) -> Subscription:
    subscription = Subscription.from_confirm_token(token) if confirm else Subscription.from_manage_token(token)
    if subscription is None:
        raise Http404("This link has expired or is not valid.")
    return subscription


@private
@require_http_methods(["GET", "POST"])
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email shows a button (mail scanners open links; only a person presses)."""
    subscription = _subscription(token, confirm=True)
    if request.method == "POST":
        subscription.confirm()
        return redirect(subscription.get_manage_url() + "?confirmed=1")
    return render(request, "series/follow_confirm.html", {"subscription": subscription})


@private
@require_http_methods(["GET", "POST"])
def follow_manage(request: HttpRequest, token: str) -> HttpResponse:
    subscription = _subscription(token)
    if subscription.confirmed_at is None:
        raise Http404("This link has expired or is not valid.")
    context = {"subscription": subscription, "confirmed": "confirmed" in request.GET}
    action = request.POST.get("action")
    if action == "frequency" and request.POST.get("frequency") in Subscription.Frequency.values:
        subscription.change_frequency(request.POST["frequency"])
        context["saved"] = True
    elif action == "export":
        data = [
            {
                "email": other.email,
                "following": other.target_name,
                "how_often": other.get_frequency_display(),
                "since": other.confirmed_at.isoformat() if other.confirmed_at else None,
                "source": other.source,
            }
            for other in subscription.everything_of_this_address().select_related("series", "topic")
        ]
        response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="following.json"'
        return response
    elif action == "erase":
        subscription.erase_address()
        return render(request, "series/follow_unsubscribe.html", {"erased": True})
    return render(request, "series/follow_manage.html", context)


@csrf_exempt  # RFC 8058: a mail client posts "List-Unsubscribe=One-Click" with no cookie; the link is the key
@private
@require_http_methods(["GET", "POST"])
def follow_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = Subscription.from_manage_token(token)
    if request.method == "GET":
        if subscription is None:
            raise Http404("This link has expired or is not valid.")
        return render(request, "series/follow_unsubscribe.html", {"subscription": subscription})
    if subscription is not None:
        subscription.stop()
    return render(request, "series/follow_unsubscribe.html", {"stopped": True})
