"""Small helpers for building emails: absolute links, and who the editors are."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

EDITORS_GROUP = "Editors"


def absolute(path: str) -> str:
    return settings.OLE_SITE_URL.rstrip("/") + path


def editor_addresses() -> list[str]:
    """Active staff in the Editors group who have an email address."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=EDITORS_GROUP)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
