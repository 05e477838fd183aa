from django.apps import AppConfig


class OleConfig(AppConfig):
    """Project-wide pieces both apps use: safety word lists and the outgoing-mail queue."""

    name = "ole"
    verbose_name = "Site-wide settings"
