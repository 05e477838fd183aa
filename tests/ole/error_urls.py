"""The site's URLs plus a view that fails after reading a form, behind a path shaped like a private link."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def explode(request: HttpRequest, token: str) -> HttpResponse:
    email = request.POST.get("email")  # noqa: F841 - local variables a report must not show
    story_text = request.POST.get("text")  # noqa: F841
    raise RuntimeError(f"Could not save the story for {request.POST.get('email')}")


urlpatterns = [
    path("stories/status/<str:token>/explode/", explode),
    path("", include("ole.urls")),
]
