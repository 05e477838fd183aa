"""Following by email: a reader follows everything, a series (or column) or a topic, and hears of new posts.

Double opt-in: nothing is sent to an address before it confirms, and unconfirmed addresses are forgotten after
`CONFIRM_DAYS`. When a post goes live, one `Delivery` per matching follower is made, once (a unique pair, made
by the one worker that claims the post): each new post alone, or gathered into Monday's digest.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ole import erasures
from ole.outbox import queue_email
from ole.ratelimit import keyed_digest
from ole.workflow import InvalidTransition

from .posts import Post, Series, Topic

CONFIRM_SALT = "ole.follow.confirm"
MANAGE_SALT = "ole.follow.manage"
CONFIRM_DAYS = 7
REFUSALS_TO_STOP = 3
FOLLOWER_KINDS = ["following.post", "following.moved"]  # the paced ones
STOPPED = "follower.stopped"  # the erasure ledger's name for a follow that was stopped or erased


class SubscriptionQuerySet(models.QuerySet):
    def active(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False, stopped_at__isnull=True)

    def following(self, post: Post) -> SubscriptionQuerySet:
        """Confirmed followers of everything, of the post's series or of one of its topics, who followed before
        it went live."""
        matches = models.Q(series__isnull=True, topic__isnull=True)
        if post.series_id:
            matches |= models.Q(series=post.series_id)
        matches |= models.Q(topic__in=post.tags.values("pk"))
        return self.active().filter(matches, confirmed_at__lte=post.publish_at)

    def unconfirmed_expired(self) -> SubscriptionQuerySet:
        cutoff = timezone.now() - datetime.timedelta(days=CONFIRM_DAYS)
        return self.filter(confirmed_at__isnull=True, created__lt=cutoff)


class Subscription(models.Model):
    """An address that follows one thing (everything, a series or a topic), at one pace."""

    class Frequency(models.TextChoices):
        EACH = "each", "Each new post"
        WEEKLY = "weekly", "A weekly digest (Monday morning)"

    email = models.EmailField(max_length=254)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.CASCADE, related_name="followers")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="followers")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.EACH)
    created = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="Where a follower moved in from, if anywhere.")
    refusals = models.PositiveSmallIntegerField(
        default=0, help_text="Permanent refusals by the address's mail server in a row."
    )
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text=f"Set after {REFUSALS_TO_STOP} refusals in a row: no more mail."
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            # One row per address and target; "everything" has neither a series nor a topic (NULLs, which a
            # plain unique constraint counts as all different).
            models.UniqueConstraint(
                "email",
                Coalesce("series", Value(0)),
                Coalesce("topic", Value(0)),
                name="subscription_once_per_target",
            ),
            models.CheckConstraint(
                condition=models.Q(series__isnull=True) | models.Q(topic__isnull=True),
                name="subscription_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Following {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.series_id:
            return f"“{self.series.title}”"
        if self.topic_id:
            return f"posts tagged “{self.topic.name}”"
        return "every new post"

    @classmethod
    def ask(cls, *, email: str, series: Series | None, topic: Topic | None, frequency: str) -> Subscription:
        """Someone asked to follow: a confirmation email goes to the address, unless it already follows that
        (whatever the case, the answer on the page is the same). Returns the subscription."""
        email = email.strip().lower()
        with transaction.atomic():
            subscription, _created = cls.objects.get_or_create(
                email=email, series=series, topic=topic, defaults={"frequency": frequency}
            )
            if subscription.confirmed_at is None:
                queue_email("following.confirm", subscription)
        return subscription

    # Links --------------------------------------------------------------------------------------

    def get_confirm_url(self) -> str:
        token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(self.pk))
        return reverse("series:follow_confirm", kwargs={"token": token})

    @classmethod
    def from_confirm_token(cls, token: str) -> Subscription | None:
        try:
            pk = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=datetime.timedelta(days=CONFIRM_DAYS))
        except signing.BadSignature:
            return None
        return cls.objects.filter(pk=pk).first() if pk.isdigit() else None

    def manage_token(self) -> str:
        return signing.Signer(salt=MANAGE_SALT).sign(str(self.pk))

    def get_manage_url(self) -> str:
        return reverse("series:follow_manage", kwargs={"token": self.manage_token()})

    def get_unsubscribe_url(self) -> str:
        return reverse("series:follow_unsubscribe", kwargs={"token": self.manage_token()})

    @classmethod
    def from_manage_token(cls, token: str) -> Subscription | None:
        try:
            pk = signing.Signer(salt=MANAGE_SALT).unsign(token)
        except signing.BadSignature:
            return None
        return cls.objects.select_related("series", "topic").filter(pk=pk).first() if pk.isdigit() else None

    # State ---------------------------------------------------------------------------------------

    def confirm(self) -> None:
        if self.confirmed_at is None:
            self.confirmed_at = timezone.now()
            self.save(update_fields=["confirmed_at"])

    def change_frequency(self, frequency: str) -> None:
        if frequency not in self.Frequency.values:
            raise InvalidTransition("Choose each new post or the weekly digest.")
        self.frequency = frequency
        self.save(update_fields=["frequency"])

    def refused(self) -> None:
        """The address's mail server refused a message for good; after a few in a row, no more mail."""
        self.refusals += 1
        fields = ["refusals"]
        if self.refusals >= REFUSALS_TO_STOP and self.stopped_at is None:
            self.stopped_at = timezone.now()
            fields.append("stopped_at")
        self.save(update_fields=fields)

    def delivered(self) -> None:
        if self.refusals:
            self.refusals = 0
            self.save(update_fields=["refusals"])

    def everything_of_this_address(self) -> SubscriptionQuerySet:
        return Subscription.objects.filter(email=self.email)

    def stop(self) -> None:
        """No more emails: the follow and its deliveries go, and a restored backup will not bring them back."""
        Subscription._forget(Subscription.objects.filter(pk=self.pk))

    def erase_address(self) -> None:
        """Everything this address follows goes, for good."""
        Subscription._forget(self.everything_of_this_address())

    @staticmethod
    def _forget(subscriptions: SubscriptionQuerySet) -> None:
        with transaction.atomic():
            for email in set(subscriptions.values_list("email", flat=True)):
                StoppedAddress.note(email)
            erasures.record_many(STOPPED, subscriptions.values_list("pk", "created"))
            subscriptions.delete()


class StoppedAddress(models.Model):
    """An address that stopped following, kept only as a keyed hash: an import of an old list never signs it up
    again. (Asking again on the site, with its confirmation, is the reader's own choice and still works.)"""

    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"A stopped address ({self.created:%Y-%m-%d})"

    @classmethod
    def note(cls, email: str) -> None:
        cls.objects.get_or_create(digest=keyed_digest(email.strip().lower()))

    @classmethod
    def among(cls, emails: list[str]) -> set[str]:
        """Which of these addresses stopped following at some time."""
        digests = {keyed_digest(email.strip().lower()): email for email in emails}
        stopped = set()
        keys = list(digests)
        for start in range(0, len(keys), 500):
            stopped |= set(cls.objects.filter(digest__in=keys[start : start + 500]).values_list("digest", flat=True))
        return {digests[digest] for digest in stopped}


def _stop_again(ref: str, created: datetime.datetime) -> bool:
    return Subscription.objects.filter(pk=ref, created=created).delete()[0] > 0


erasures.register(STOPPED, _stop_again)


class Delivery(models.Model):
    """One post for one follower: made once, whatever saves, republishes or workers come after."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When its email (or digest) was queued.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "post"], name="delivery_once_per_post")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"Post {self.post_id} for follower {self.subscription_id}"


def move_in(emails: list[str], *, source: str) -> tuple[list[str], list[str]]:
    """Followers who moved in from elsewhere (where they had already agreed to hear from us): each address
    follows everything, confirmed now, and is queued one "we have moved" email, paced like the posts' emails.
    An address already following everything, or stopped, is left as it is. Returns (imported, left alone)."""

    now = timezone.now()
    everything = Subscription.objects.filter(series__isnull=True, topic__isnull=True)
    imported, left = [], []
    with transaction.atomic():
        known = {}
        for start in range(0, len(emails), 500):  # within any database's limit of query parameters
            chunk = everything.filter(email__in=emails[start : start + 500]).select_for_update()
            known.update((sub.email, sub) for sub in chunk)
        moved = []
        stopped_before = StoppedAddress.among(emails)
        for email in emails:
            subscription = known.get(email)
            if email in stopped_before or (subscription and (subscription.confirmed_at or subscription.stopped_at)):
                left.append(email)
                continue
            if subscription is None:
                subscription = Subscription(email=email, created=now)
            subscription.confirmed_at, subscription.source = now, source
            moved.append(subscription)
            imported.append(email)
        Subscription.objects.bulk_create([sub for sub in moved if sub.pk is None], batch_size=1000)
        Subscription.objects.bulk_update([sub for sub in moved if sub.pk], ["confirmed_at", "source"], batch_size=1000)
        _queue_paced("following.moved", [sub.pk for sub in moved], now=now)
    return imported, left


def _queue_paced(kind: str, object_ids: list[int], *, now: datetime.datetime) -> None:
    """Queue one email of `kind` per record, `OLE_FOLLOW_EMAILS_PER_MINUTE` apart, behind the followers' emails
    already waiting, so the pace holds across posts and imports."""
    from ole.models import OutboundEmail

    waiting = OutboundEmail.objects.filter(kind__in=FOLLOWER_KINDS, state=OutboundEmail.State.PENDING)
    last = waiting.order_by("-send_after").values_list("send_after", flat=True).first()
    start = max(now, last) if last else now
    per_minute = max(settings.OLE_FOLLOW_EMAILS_PER_MINUTE, 1)
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(kind=kind, object_id=pk, send_after=start + datetime.timedelta(minutes=n / per_minute))
            for n, pk in enumerate(object_ids)
        ],
        batch_size=1000,
    )


def announce_due(limit: int = 5) -> int:
    """For each post gone live since the last round (a scheduled one included, with nobody saving anything),
    make its deliveries and queue the emails, paced `OLE_FOLLOW_EMAILS_PER_MINUTE`. A post is claimed by one
    worker in the same transaction that makes its deliveries: two workers never announce it twice, and a post
    saved again, or unpublished and republished, is not announced again."""
    announced = 0
    for post in Post.objects.published().filter(followers_told_at__isnull=True).order_by("publish_at")[:limit]:
        with transaction.atomic():
            claimed = Post.objects.filter(pk=post.pk, followers_told_at__isnull=True).update(
                followers_told_at=timezone.now()
            )
            if claimed:
                _deliver(post)
                announced += 1
    return announced


def _deliver(post: Post) -> None:
    followers = list(Subscription.objects.following(post).order_by("pk").values_list("pk", "frequency"))
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [Delivery(subscription_id=pk, post=post, created=now) for pk, _frequency in followers], batch_size=1000
    )
    each = {pk for pk, frequency in followers if frequency == Subscription.Frequency.EACH}
    one_by_one = [delivery.pk for delivery in deliveries if delivery.subscription_id in each]
    _queue_paced("following.post", one_by_one, now=now)
    Delivery.objects.filter(pk__in=one_by_one).update(queued_at=now)


def digest_due(now: datetime.datetime | None = None) -> int:
    """Queue one digest per weekly follower of the posts that went live before the last Monday, 07:00 site
    time (a worker that was down on Monday catches up later). The deliveries a digest lists are marked with one
    moment, under a row lock of their own: a second worker finds nothing left to mark. Returns how many."""
    from ole.models import OutboundEmail

    now = now or timezone.now()
    local = timezone.localtime(now)
    monday = (local - datetime.timedelta(days=local.weekday())).replace(hour=7, minute=0, second=0, microsecond=0)
    if monday > local:
        monday -= datetime.timedelta(days=7)
    waiting = Delivery.objects.filter(
        queued_at__isnull=True, created__lt=monday, subscription__frequency=Subscription.Frequency.WEEKLY
    )
    queued = 0
    for subscription in list(waiting.values_list("subscription", flat=True).distinct()[:500]):
        with transaction.atomic():
            mine = waiting.filter(subscription=subscription)
            if mine.update(queued_at=now):
                first = Delivery.objects.filter(subscription=subscription, queued_at=now).order_by("pk").first()
                OutboundEmail.objects.create(kind="following.digest", object_id=first.pk)
                queued += 1
    return queued


def forget_unconfirmed() -> int:
    return Subscription.objects.unconfirmed_expired().delete()[0]
