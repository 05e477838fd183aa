from django.apps import AppConfig
from django.db import connections, transaction
from django.db.models.signals import post_delete, post_migrate


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
            Page,
            Post,
            Series,
            TaggedPost,
            Topic,
            following,
        )

        # Everything public pages show: any change renders them afresh. A new comment held for moderation
        # (or a mention not yet verified) changes nothing anyone else sees.
        # Deleting a post or a comment, by whatever path (the admin, a cascade), erases its text from the cache;
        # so does moving it to the trash (and any save while it is there).
        pagecache.watch(Series, Contributor, Topic, TaggedPost, ContentNote, CrisisLine, CommunitySettings)
        pagecache.watch(Post, unless=being_imported, deleting_erases=True, hidden=in_trash)
        pagecache.watch(
            Comment,
            unless=lambda comment, created: comment.seen_by_nobody(created=created),
            deleting_erases=True,
            hidden=in_trash,
        )
        # A page unticked is hidden at once, stored copies included (its text may be why it was hidden).
        pagecache.watch(Page, deleting_erases=True, hidden=lambda page: not page.published)
        pagecache.bound_lifetime_by(Post.objects.next_publication)

        # The worker (ole's run_worker) runs these each round besides sending mail.
        register_job("mentions checked", mentions.verify_due)
        register_job("posts announced", mentions.notify_due)
        register_job("followers told of new posts", following.announce_due)
        register_job("weekly digests queued", following.digest_due)
        register_job("unconfirmed followers forgotten", following.forget_unconfirmed)

        # Search on SQLite: the index and its triggers survive migrations that rebuild the posts table, and the
        # words of a deleted post leave the index's file.
        post_migrate.connect(install_search_index, sender=self, dispatch_uid="series.install_search_index")
        post_delete.connect(post_deleted, sender=Post, dispatch_uid="series.search_forgets_deleted")
        # A post deleted for good takes its old addresses (they name its old slug); one in the trash keeps them,
        # to work again if it is restored (meanwhile they lead to the usual 404).
        post_delete.connect(forget_old_addresses, sender=Post, dispatch_uid="series.forget_old_addresses")

        # The pingback endpoint parses XML from anyone: refuse entity expansion, external entities and DTDs.
        defusedxml.xmlrpc.monkey_patch()


def install_search_index(sender, using: str = "default", **kwargs) -> None:
    from . import search

    search.install(connections[using])


def post_deleted(sender, using: str = "default", **kwargs) -> None:
    from . import search

    transaction.on_commit(lambda: search.forget_deleted_text(using), using=using)


def in_trash(item) -> bool:
    return item.trashed_at is not None


def being_imported(post, created: bool) -> bool:
    """A post an import wrote but has not shown: nobody has seen it, so deleting it erases nothing."""
    return post.status == post.Status.IMPORTING


def forget_old_addresses(sender, instance, using: str = "default", **kwargs) -> None:
    from .models import OldAddress

    if instance.slug:
        OldAddress.objects.using(using).forget_targets_under(instance.get_absolute_url())
