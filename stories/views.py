from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from series.models import Series


@require_safe
def share(request: HttpRequest) -> HttpResponse:
    """Placeholder for "Share your story" until the submission form lands."""
    series = Series.objects.filter(slug=request.GET.get("series", "")).first()
    return render(request, "stories/share.html", {"series": series})
