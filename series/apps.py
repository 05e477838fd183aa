from django.apps import AppConfig


class SeriesConfig(AppConfig):
    name = "series"
    verbose_name = "Posts and series"

    def ready(self) -> None:
        from . import emails  # noqa: F401 - registers the comment emails with the outbox
