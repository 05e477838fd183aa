from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Reader stories"

    def ready(self) -> None:
        from django.contrib import admin
        from django.db.models.signals import m2m_changed

        from series.models import Post

        from . import emails  # noqa: F401 - registers the email builders with the outbox
        from .admin_views import calendar_view
        from .dashboard import gather
        from .models import keep_writers_content_notes

        m2m_changed.connect(
            keep_writers_content_notes, sender=Post.content_notes.through, dispatch_uid="stories.keep_writers_notes"
        )
        admin.site.register_dashboard(gather)
        admin.site.register_page("calendar/", calendar_view, name="calendar")
        admin.site.register_page("calendar/<int:year>/<int:month>/", calendar_view, name="calendar_month")
