from django.apps import AppConfig


class SeriesConfig(AppConfig):
    name = "series"
    verbose_name = "Posts and series"

    def ready(self) -> None:
        import defusedxml.xmlrpc

        from ole.outbox import register_job

        # Importing these registers the deployment check, the comment emails and the page-cache versions.
        from . import checks, emails, mentions, signals  # noqa: F401

        # The worker (ole's run_worker) runs these each round besides sending mail.
        register_job("mentions checked", mentions.verify_due)
        register_job("posts announced", mentions.notify_due)

        # The pingback endpoint parses XML from anyone: refuse entity expansion, external entities and DTDs.
        defusedxml.xmlrpc.monkey_patch()
