from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Reader stories"

    def ready(self) -> None:
        from . import emails  # noqa: F401 - registers the email builders with the outbox
