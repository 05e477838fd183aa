from django.apps import AppConfig


class SeriesConfig(AppConfig):
    name = "series"
    verbose_name = "Posts and series"

    def ready(self) -> None:
        import defusedxml.xmlrpc

        from ole import pagecache

        from . import emails  # noqa: F401 - registers the comment emails
        from .models import (
            Comment,
            CommunitySettings,
            ContentNote,
            Contributor,
            CrisisLine,
            Post,
            Series,
            TaggedPost,
            Topic,
        )

        # Everything public pages show: any change renders them afresh. A new comment held for moderation
        # (or a mention not yet verified) changes nothing anyone else sees.
        pagecache.watch(Post, Series, Contributor, Topic, TaggedPost, ContentNote, CrisisLine, CommunitySettings)
        pagecache.watch(Comment, unless=lambda comment, created: created and comment.status in Comment.HIDDEN_WHEN_NEW)
        pagecache.bound_lifetime_by(Post.objects.next_publication)

        # The pingback endpoint parses XML from anyone: refuse entity expansion, external entities and DTDs.
        defusedxml.xmlrpc.monkey_patch()
