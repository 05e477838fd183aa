from django import template
from django.http import HttpRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """An absolute URL for a path or for a URL that is already absolute (e.g. media on a CDN)."""
    request: HttpRequest = context["request"]
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's address without tracking or other parameters; only a page number is kept."""
    request: HttpRequest = context["request"]
    page = request.GET.get("page", "")
    suffix = f"?page={page}" if page.isdigit() and page != "1" else ""
    return request.build_absolute_uri(request.path) + suffix
