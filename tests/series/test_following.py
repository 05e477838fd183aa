"""Following by email: double opt-in, one email per post per follower (never twice), paced, a weekly digest,
one-click unsubscribe, and a follower whose mail server keeps refusing stops receiving mail."""

import datetime
import itertools
import json
import re
import smtplib
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ole.mail import absolute
from ole.models import OutboundEmail
from ole.outbox import deliver_due
from series.models import CrisisLine, Delivery, Post, Subscription
from series.models.following import announce_due, digest_due, forget_unconfirmed
from tests.factories import CommentFactory, ContentNoteFactory, PostFactory, SeriesFactory, TopicFactory

pytestmark = pytest.mark.django_db
FOLLOW = reverse("series:follow")


def follower(email="reader@example.org", **fields) -> Subscription:
    return Subscription.objects.create(email=email, confirmed_at=timezone.now() - datetime.timedelta(days=1), **fields)


def send_all() -> list:
    mail.outbox.clear()
    OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING).update(send_after=timezone.now())
    deliver_due(limit=1000)
    return list(mail.outbox)


def link_in(body: str, name: str) -> str:
    return re.search(rf"https?://[^\s]+{re.escape(name)}[^\s]*", body).group(0)


def test_asking_sends_only_a_confirmation_and_confirming_starts_the_emails(client):
    response = client.post(FOLLOW, {"email": "Reader@Example.org", "frequency": "each", "target": ""})
    assert "we have emailed it a link to confirm" in response.content.decode()
    PostFactory(title="Before confirming")
    announce_due()
    [confirmation] = send_all()
    assert confirmation.to == ["reader@example.org"]
    assert Delivery.objects.count() == 0
    confirm_url = link_in(confirmation.body, "/follow/confirm/")
    page = client.get(confirm_url)
    assert "Yes, follow" in page.content.decode()
    assert Subscription.objects.get().confirmed_at is None  # opening the link is not confirming (mail scanners)
    response = client.post(confirm_url)
    assert response.status_code == 302 and "/follow/manage/" in response["Location"]
    assert Subscription.objects.get().confirmed_at is not None
    PostFactory(title="After confirming", publish_at=timezone.now())
    announce_due()
    [email] = send_all()
    assert email.subject == "After confirming"


def test_the_answer_never_tells_whether_an_address_already_follows(client):
    follower("known@example.org")
    known = client.post(FOLLOW, {"email": "known@example.org", "frequency": "each"}).content.decode()
    unknown = Client().post(FOLLOW, {"email": "new@example.org", "frequency": "each"}).content.decode()
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731 - csrf tokens differ
    assert strip(known) == strip(unknown)
    assert [email.to for email in send_all()] == [["new@example.org"]]


def test_a_post_going_live_reaches_each_matching_follower_once():
    series, topic, other_topic = SeriesFactory(), TopicFactory(), TopicFactory()
    everything = follower("all@example.org")
    of_series = follower("series@example.org", series=series)
    of_topic = follower("topic@example.org", topic=topic)
    follower("other@example.org", topic=other_topic)
    Subscription.objects.create(email="unconfirmed@example.org")
    follower("stopped@example.org", stopped_at=timezone.now())
    post = PostFactory(series=series, tags=[topic], scheduled=True)
    announce_due()
    assert Delivery.objects.count() == 0  # not live yet
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now())  # its time comes; nobody saves anything
    assert announce_due() == 1
    assert {d.subscription for d in Delivery.objects.all()} == {everything, of_series, of_topic}
    assert sorted(email.to[0] for email in send_all()) == ["all@example.org", "series@example.org", "topic@example.org"]
    # Saved again, unpublished and republished, a second worker round: nothing more.
    post.refresh_from_db()
    post.save()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)
    assert announce_due() == 0
    assert send_all() == []
    assert Delivery.objects.count() == 3


def test_a_post_already_claimed_by_another_worker_is_left_alone():
    follower()
    post = PostFactory()
    Post.objects.filter(pk=post.pk).update(followers_told_at=timezone.now())  # the other worker's claim
    assert announce_due() == 0
    assert Delivery.objects.count() == 0


def test_old_posts_are_no_news_to_a_new_follower():
    PostFactory(publish_at=timezone.now() - datetime.timedelta(days=3))
    follower()  # confirmed a day ago
    announce_due()
    assert Delivery.objects.count() == 0


def test_sending_is_paced(settings):
    settings.OLE_FOLLOW_EMAILS_PER_MINUTE = 2
    for n in range(4):
        follower(f"r{n}@example.org")
    PostFactory(publish_at=timezone.now())
    announce_due()
    times = sorted(OutboundEmail.objects.filter(kind="following.post").values_list("send_after", flat=True))
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert gaps == [30.0, 30.0, 30.0]
    assert deliver_due() == (1, 0)  # the others wait for their minute
    assert OutboundEmail.objects.filter(kind="following.post", state="pending").count() == 3


def test_the_email_says_what_it_is_and_how_to_stop(settings):
    settings.OLE_FOLLOW_FULL_TEXT = False
    subscription = follower()
    note = ContentNoteFactory(name="Withdrawal symptoms")
    PostFactory(
        title="Week six",
        body="The whole text, paragraph one.",
        excerpt="A short excerpt.",
        content_notes=[note],
        publish_at=timezone.now(),
    )
    announce_due()
    [email] = send_all()
    message = email.message()
    unsubscribe = absolute(subscription.get_unsubscribe_url())
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] and message["Date"]
    body = email.body
    assert body.index("Content notes: Withdrawal symptoms") < body.index("A short excerpt.")
    assert "paragraph one" not in body
    line = CrisisLine.objects.first()
    assert body.index("Read it on the site") < body.index(f"- {line.name}")
    assert subscription.get_manage_url() in body and unsubscribe in body
    assert "<img" not in body and "http" in body


def test_full_text_when_the_site_says_so_but_never_for_a_readers_story(settings):
    settings.OLE_FOLLOW_FULL_TEXT = True
    follower()
    PostFactory(title="Editorial", body="Every word of it.", publish_at=timezone.now())
    PostFactory(
        title="A reader's",
        body="Words the writer may withdraw.",
        excerpt="Just this.",
        from_reader=True,
        publish_at=timezone.now(),
    )
    announce_due()
    bodies = {email.subject: email.body for email in send_all()}
    assert "Every word of it." in bodies["Editorial"]
    assert "Words the writer may withdraw." not in bodies["A reader's"] and "Just this." in bodies["A reader's"]


def test_a_withdrawn_post_sends_nothing_that_has_not_left():
    follower()
    post = PostFactory(publish_at=timezone.now())
    announce_due()
    post.delete()
    assert send_all() == []


def test_one_click_unsubscribe_needs_no_cookie_and_no_token_of_ours():
    subscription = follower()
    strict = Client(enforce_csrf_checks=True)
    url = subscription.get_unsubscribe_url()
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert strict.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # again: same answer
    assert Client().get(url).status_code == 404
    assert Client().get("/follow/stop/forged:token/").status_code == 404


def test_the_manage_page_changes_pace_exports_and_erases(client):
    subscription = follower("me@example.org")
    follower("me@example.org", topic=TopicFactory())
    url = subscription.get_manage_url()
    page = client.get(url)
    assert "You follow every new post" in page.content.decode()
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    client.post(url, {"action": "frequency", "frequency": "weekly"})
    subscription.refresh_from_db()
    assert subscription.frequency == "weekly"
    exported = json.loads(client.post(url, {"action": "export"}).content)
    assert len(exported) == 2 and exported[0]["email"] == "me@example.org"
    response = client.post(url, {"action": "erase"})
    assert "erased from every list" in response.content.decode()
    assert not Subscription.objects.filter(email="me@example.org").exists()
    assert client.get(url).status_code == 404


def test_weekly_followers_get_one_digest_on_monday():
    weekly = follower(frequency=Subscription.Frequency.WEEKLY)
    follower("each@example.org")
    first = PostFactory(title="First of the week", publish_at=timezone.now() - datetime.timedelta(hours=2))
    second = PostFactory(title="Second of the week", publish_at=timezone.now() - datetime.timedelta(hours=1))
    Post.objects.filter(pk__in=[first.pk, second.pk]).update(followers_told_at=None)
    Subscription.objects.update(confirmed_at=timezone.now() - datetime.timedelta(days=3))
    announce_due()
    assert [email.to for email in send_all()] == [["each@example.org"], ["each@example.org"]]
    assert digest_due(now=timezone.now() - datetime.timedelta(days=8)) == 0  # before these posts' Monday
    next_monday = timezone.localtime() + datetime.timedelta(days=7 - timezone.localtime().weekday())
    monday_morning = next_monday.replace(hour=7, minute=5)
    assert digest_due(now=monday_morning) == 1
    assert digest_due(now=monday_morning + datetime.timedelta(minutes=1)) == 0
    [digest] = send_all()
    assert digest.to == [weekly.email]
    assert digest.body.index("First of the week") < digest.body.index("Second of the week")
    assert digest.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


class RefusingBackend(EmailBackend):
    refuse = True

    def send_messages(self, messages):
        if RefusingBackend.refuse:
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such mailbox")})
        return super().send_messages(messages)


def test_three_refusals_in_a_row_stop_the_mail_and_a_success_resets_the_count(settings):
    settings.EMAIL_BACKEND = "tests.series.test_following.RefusingBackend"
    subscription = follower()
    for _n in range(2):
        PostFactory(publish_at=timezone.now())
        announce_due()
        send_all()
    subscription.refresh_from_db()
    assert subscription.refusals == 2 and subscription.stopped_at is None
    assert OutboundEmail.objects.filter(kind="following.post", state="failed").count() == 2  # not retried
    RefusingBackend.refuse = False
    try:
        PostFactory(publish_at=timezone.now())
        announce_due()
        send_all()
        subscription.refresh_from_db()
        assert subscription.refusals == 0
    finally:
        RefusingBackend.refuse = True
    for _n in range(3):
        PostFactory(publish_at=timezone.now())
        announce_due()
        send_all()
    subscription.refresh_from_db()
    assert subscription.stopped_at is not None
    PostFactory(publish_at=timezone.now())
    announce_due()
    assert Delivery.objects.filter(subscription=subscription).count() == 6


def test_unconfirmed_addresses_are_forgotten_after_a_week():
    Subscription.objects.create(email="old@example.org", created=timezone.now() - datetime.timedelta(days=8))
    recent = Subscription.objects.create(email="new@example.org")
    assert forget_unconfirmed() == 1
    assert list(Subscription.objects.all()) == [recent]


def test_asking_is_limited_per_address_and_per_connection(client, settings):
    for _ in range(5):
        Client().post(FOLLOW, {"email": "target@example.org", "frequency": "each"})
    assert len(send_all()) == 3  # nobody fills someone's inbox from many connections
    settings.OLE_FOLLOW_REQUESTS_PER_HOUR = 2
    for n in range(2):
        client.post(FOLLOW, {"email": f"me{n}@example.org", "frequency": "each"})
    response = client.post(FOLLOW, {"email": "typed@example.org", "frequency": "each"})
    assert response.status_code == 429
    assert 'value="typed@example.org"' in response.content.decode()


@pytest.mark.parametrize(
    "data, error",
    [
        ({"email": "nope"}, "That does not look like an email address"),
        ({"email": ""}, "Please give the email address"),
        ({"email": "a@example.org", "target": "series:no-such-series"}, "We could not tell what you wanted to follow"),
        ({"email": "a@example.org", "frequency": "hourly"}, "Select a valid choice"),
        ({"email": "x" * 300 + "@example.org"}, "at most 254 characters"),
    ],
)
def test_bad_input_explains_itself_and_keeps_what_was_typed(client, data, error):
    response = client.post(FOLLOW, {"frequency": "each", **data})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert not Subscription.objects.exists()


def test_wrong_methods_and_missing_csrf_are_refused():
    assert Client(enforce_csrf_checks=True).post(FOLLOW, {"email": "a@example.org"}).status_code == 403
    assert Client().put(FOLLOW).status_code == 405
    assert not Subscription.objects.exists()


def test_a_commenter_can_ask_to_hear_about_new_posts(client):
    post = PostFactory()
    CommentFactory(post=post, email="known@example.org")
    client.post(
        reverse("series:comment_create", kwargs={"slug": post.slug}),
        {
            "name": "Zanele",
            "email": "known@example.org",
            "body": "Thank you.",
            "follow": "on",
            "form_key": uuid.uuid4(),
        },
    )
    subscription = Subscription.objects.get()
    assert subscription.email == "known@example.org" and subscription.confirmed_at is None
    assert any("/follow/confirm/" in email.body for email in send_all())


def test_the_follow_form_is_on_the_home_series_and_topic_pages(client):
    series, topic = SeriesFactory(slug="long-road"), TopicFactory(slug="sleep")
    PostFactory(series=series, tags=[topic])
    assert 'name="target" value=""' in client.get("/").content.decode()
    assert 'name="target" value="series:long-road"' in client.get(series.get_absolute_url()).content.decode()
    assert 'name="target" value="topic:sleep"' in client.get(topic.get_absolute_url()).content.decode()


def test_editors_see_counts_and_never_addresses_superusers_see_and_export(editor_client, admin_client):
    series = SeriesFactory(title="The long road")
    follower("hidden.one@example.org", series=series)
    follower("hidden.two@example.org", series=series)
    Subscription.objects.create(email="unconfirmed@example.org", series=series)
    listing = editor_client.get(reverse("admin:series_series_changelist")).content.decode()
    assert "hidden.one@example.org" not in listing
    assert re.search(r'<td class="field-followers">2</td>', listing)
    assert editor_client.get(reverse("admin:series_subscription_changelist")).status_code == 403
    everyone = admin_client.get(reverse("admin:series_subscription_changelist")).content.decode()
    assert "hidden.one@example.org" in everyone
    exported = admin_client.post(
        reverse("admin:series_subscription_changelist"),
        {"action": "export_followers", "_selected_action": list(Subscription.objects.values_list("pk", flat=True))},
    )
    assert exported["Content-Type"] == "text/csv"
    assert "hidden.two@example.org,“The long road”,each" in exported.content.decode()
