from django.apps import AppConfig


class SeriesConfig(AppConfig):
    name = "series"
    verbose_name = "Posts and series"

    def ready(self) -> None:
        import defusedxml.xmlrpc

        from . import emails, signals  # noqa: F401 - registers the comment emails and the page-cache versions

        # The pingback endpoint parses XML from anyone: refuse entity expansion, external entities and DTDs.
        defusedxml.xmlrpc.monkey_patch()
