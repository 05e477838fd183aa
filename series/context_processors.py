from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import CrisisLine


def site(request: HttpRequest) -> dict:
    """Site-wide template context; the crisis lines are only queried by a page that shows them."""
    return {
        "site_name": settings.OLE_SITE_NAME,
        "footer_crisis_lines": SimpleLazyObject(lambda: list(CrisisLine.objects.all()[:3])),
    }
