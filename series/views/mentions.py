"""Pingbacks and webmentions: other sites telling a post they link to it (verified later by the worker)."""

from __future__ import annotations

# Parsing is hardened with defusedxml.xmlrpc.monkey_patch() in SeriesConfig.ready.
import xmlrpc.client  # nosec B411

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ole import ratelimit

from .. import mentions
from ..models import Comment

PINGBACK_MAX_BYTES = 64 * 1024


def _mention_allowed(request: HttpRequest, source: str) -> bool:
    """Per-source and per-connection limits shared by the pingback and webmention endpoints."""
    per_source = settings.OLE_MENTIONS_PER_SOURCE_PER_HOUR
    return ratelimit.allow_key("mention-source", mentions.source_host(source), limit=per_source, window=3600) and (
        ratelimit.allow("mention", request, limit=per_source * 3, window=3600)
    )


def _xmlrpc_fault(code: int, message: str) -> HttpResponse:
    return HttpResponse(
        xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True), content_type="text/xml"
    )


@csrf_exempt  # other sites call this; nothing here acts for a signed-in user
@require_POST
def pingback(request: HttpRequest) -> HttpResponse:
    """Pingback 1.0 over XML-RPC: `pingback.ping(sourceURI, targetURI)`."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > PINGBACK_MAX_BYTES:
        return _xmlrpc_fault(-32700, "The request is too large or its length is not given.")
    try:
        params, method = xmlrpc.client.loads(request.body, use_builtin_types=True)
    except Exception:
        return _xmlrpc_fault(-32700, "The request is not valid XML-RPC.")
    if method != "pingback.ping":
        return _xmlrpc_fault(-32601, "Only pingback.ping is offered here.")
    if len(params) != 2 or not all(isinstance(value, str) for value in params):
        return _xmlrpc_fault(-32602, "pingback.ping takes two strings: the source and the target.")
    source, target = params
    if not _mention_allowed(request, source):
        return _xmlrpc_fault(mentions.ACCESS_DENIED, "Too many pingbacks; please try later.")
    try:
        mentions.receive(source=source, target=target, kind=Comment.Kind.PINGBACK)
    except mentions.MentionRefused as refusal:
        return _xmlrpc_fault(refusal.code, str(refusal))
    reply = xmlrpc.client.dumps(("Thank you: the pingback will appear once verified.",), methodresponse=True)
    return HttpResponse(reply, content_type="text/xml")


@csrf_exempt  # other sites call this; nothing here acts for a signed-in user
@require_POST
def webmention(request: HttpRequest) -> HttpResponse:
    """Webmention (W3C): form fields `source` and `target`; 202 when accepted for checking, 400 otherwise."""
    source, target = request.POST.get("source", ""), request.POST.get("target", "")
    if not source or not target:
        return HttpResponse("Both source and target are needed.", status=400, content_type="text/plain")
    if not _mention_allowed(request, source):
        return HttpResponse("Too many webmentions; please try later.", status=429, content_type="text/plain")
    try:
        mentions.receive(source=source, target=target, kind=Comment.Kind.WEBMENTION)
    except mentions.MentionRefused as refusal:
        return HttpResponse(str(refusal), status=400, content_type="text/plain")
    return HttpResponse("Accepted: the mention will appear once verified.", status=202, content_type="text/plain")
