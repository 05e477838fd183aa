from django.apps import AppConfig


class SeriesConfig(AppConfig):
    name = "series"
    verbose_name = "Posts and series"

    def ready(self) -> None:
        import defusedxml.xmlrpc

        from ole import pagecache
        from ole.outbox import register_job

        # Importing these registers the deployment check and the comment emails.
        from . import checks, emails, mentions  # noqa: F401
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
        # Deleting a post or a comment, by whatever path (the admin, a cascade), erases its text from the cache;
        # so does moving it to the trash (and any save while it is there).
        pagecache.watch(Series, Contributor, Topic, TaggedPost, ContentNote, CrisisLine, CommunitySettings)
        pagecache.watch(Post, deleting_erases=True, hidden=in_trash)
        pagecache.watch(
            Comment,
            unless=lambda comment, created: comment.seen_by_nobody(created=created),
            deleting_erases=True,
            hidden=in_trash,
        )
        pagecache.bound_lifetime_by(Post.objects.next_publication)

        # The worker (ole's run_worker) runs these each round besides sending mail.
        register_job("mentions checked", mentions.verify_due)
        register_job("posts announced", mentions.notify_due)

        # The pingback endpoint parses XML from anyone: refuse entity expansion, external entities and DTDs.
        defusedxml.xmlrpc.monkey_patch()


def in_trash(item) -> bool:
    return item.trashed_at is not None
