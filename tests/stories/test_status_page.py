"""The writer's private page: the link is the only key; reply, approve edits, edit, withdraw, lost link."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from ole.outbox import deliver_due
from series.models import Post
from stories.models import LostLinkRequest, Story
from stories.services import story_promote
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Story.Status


@pytest.fixture
def story(db):
    return StoryFactory(title="My year off the tablets", email="tumi@example.org", credit_name="Tumi")


class TestAccess:
    def test_the_link_opens_the_page_with_private_headers(self, client, story):
        response = client.get(story.get_status_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "My year off the tablets" in html and story.plain_status in html
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"]
        assert '<meta name="referrer" content="same-origin">' in html

    @pytest.mark.parametrize(
        "token",
        ["nope", "x" * 300, "eyJzIjoiMDAifQ:1abc:def", "%00", "..%2F..%2Fetc", "' OR 1=1 --"],
    )
    def test_a_wrong_token_is_not_found(self, client, story, token):
        response = client.get(reverse("stories:status", kwargs={"token": "placeholder"}).replace("placeholder", token))
        assert response.status_code == 404

    def test_a_token_for_another_story_id_does_not_open_it(self, client, story):
        from django.core import signing

        forged = signing.dumps({"s": story.public_id.hex, "v": story.link_version}, salt="another-salt")
        assert client.get(reverse("stories:status", kwargs={"token": forged})).status_code == 404

    def test_an_expired_link_stops_working_when_a_new_one_is_issued(self, client, story):
        old_url = story.get_status_url()
        story.issue_new_link()
        assert client.get(old_url).status_code == 404
        assert client.get(story.get_status_url()).status_code == 200

    @pytest.mark.parametrize("who", ["anonymous", "user", "editor"])
    def test_nobody_but_the_link_sees_the_page(self, client, story, who, editor):
        if who == "user":
            client.force_login(UserFactory())
        if who == "editor":
            client.force_login(editor)
        for url in [f"/stories/status/{story.public_id}/", f"/stories/status/{story.pk}/"]:
            assert client.get(url).status_code == 404

    def test_the_email_never_appears_on_public_pages(self, client, story, editor):
        story.status = S.APPROVED
        story.save()
        post = story_promote(story=story, editor=editor, series=None)
        for url in ["/", post.get_absolute_url(), "/feed/", "/feed/atom/", "/sitemap-posts.xml", "/search/?q=tablets"]:
            assert "tumi@example.org" not in client.get(url).content.decode(), url


class TestConversation:
    def test_writer_replies_and_the_editors_see_it(self, client, story):
        response = client.post(story.get_status_url(), {"body": "Thank you for reading it."})
        assert response.status_code == 302
        message = story.messages.get()
        assert not message.from_editor and message.body == "Thank you for reading it."

    @pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
    def test_an_empty_or_overlong_reply_is_refused_and_kept(self, client, story, body):
        response = client.post(story.get_status_url(), {"body": body})
        assert response.status_code == 200
        assert response.context["form"].errors["body"]
        assert not story.messages.exists()

    def test_a_withdrawn_story_takes_no_reply(self, client, story):
        url = story.get_status_url()
        story.withdraw()
        assert client.post(url, {"body": "hello"}).status_code == 404


class TestEdits:
    def test_side_by_side_proposal_and_approval(self, client, story, editor):
        Story.objects.filter(pk=story.pk).update(status=S.IN_REVIEW)
        story.refresh_from_db()
        edited = story.body.replace("tell you", "share with you", 1)
        story.propose_edits(editor=editor, title="A year off the tablets", body=edited, message="Light edits.")
        html = client.get(story.get_status_url()).content.decode()
        assert "<del>My</del>" in html and "<ins>A</ins>" in html
        assert "<ins>share with</ins>" in html
        assert "Light edits." in html
        response = client.post(reverse("stories:accept_edits", kwargs={"token": story.status_token()}))
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.status == S.IN_REVIEW and story.title == "A year off the tablets"

    def test_approving_without_a_proposal_is_explained(self, client, story):
        response = client.post(reverse("stories:accept_edits", kwargs={"token": story.status_token()}), follow=True)
        assert "cannot be approved by the writer" in response.content.decode()
        assert Story.objects.get(pk=story.pk).status == S.SUBMITTED

    def test_writer_edits_a_submitted_story(self, client, story):
        url = reverse("stories:edit", kwargs={"token": story.status_token()})
        body = "A calmer version of my story. " * 10
        response = client.post(url, {"title": "Calmer", "body": body})
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.title == "Calmer" and story.body == body.strip()

    def test_a_bad_edit_keeps_what_was_typed_and_changes_nothing(self, client, story):
        url = reverse("stories:edit", kwargs={"token": story.status_token()})
        response = client.post(url, {"title": "   ", "body": "Too short now."})
        assert response.status_code == 200
        assert response.context["form"]["body"].value() == "Too short now."
        assert Story.objects.get(pk=story.pk).title == "My year off the tablets"

    def test_editing_is_closed_while_the_editors_have_it(self, client, story):
        Story.objects.filter(pk=story.pk).update(status=S.IN_REVIEW)
        url = reverse("stories:edit", kwargs={"token": story.status_token()})
        response = client.post(url, {"title": "Sneaky", "body": "word " * 60})
        assert response.status_code == 302
        assert Story.objects.get(pk=story.pk).title == "My year off the tablets"


class TestWithdrawal:
    def test_withdrawing_a_published_story_removes_it_everywhere(self, client, story, editor):
        Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
        story.refresh_from_db()
        post = story_promote(story=story, editor=editor, series=None)
        assert client.get(post.get_absolute_url()).status_code == 200
        for surface in ["/", "/feed/"]:
            assert "My year off the tablets" in client.get(surface).content.decode()
        assert post.get_absolute_url() in client.get("/sitemap-posts.xml").content.decode()
        url = reverse("stories:withdraw", kwargs={"token": story.status_token()})
        assert "Withdraw" in client.get(url).content.decode()
        response = client.post(url)
        assert response.status_code == 302
        assert client.get(post.get_absolute_url()).status_code == 404
        for surface in ["/", "/feed/"]:
            assert "My year off the tablets" not in client.get(surface).content.decode()
        assert post.get_absolute_url() not in client.get("/sitemap-posts.xml").content.decode()
        assert not Post.objects.filter(pk=post.pk).exists()
        page = client.get(story.get_status_url()).content.decode()
        assert "You withdrew this story" in page


class TestLostLink:
    def test_same_answer_whether_or_not_the_address_has_a_story(self, client, story):
        known = client.post(reverse("stories:lost_link"), {"email": "TUMI@example.org"})
        unknown = client.post(reverse("stories:lost_link"), {"email": "nobody@example.org"})
        assert known.status_code == unknown.status_code == 200
        strip = lambda r: r.content.decode().replace("TUMI@example.org", "").replace("nobody@example.org", "")  # noqa: E731
        assert strip(known) == strip(unknown)
        deliver_due()  # resolves both requests: one link email for the address with a story
        deliver_due()
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tumi@example.org"]
        story.refresh_from_db()
        # Links carry a signing time: follow the one in the email rather than compare it with a new one.
        link = re.search(r"/stories/status/\S+/", mail.outbox[0].body).group(0)
        assert story.title in client.get(link).content.decode()

    def test_the_request_does_the_same_work_whether_or_not_the_address_has_a_story(self, story):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        def ask(email: str):
            with CaptureQueriesContext(connection) as queries:
                response = Client().post(reverse("stories:lost_link"), {"email": email})
            # The same statements in the same order; only the values in them (address, time) differ.
            shape = re.compile(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b")
            return response, [shape.sub("?", query["sql"]) for query in queries]

        Client().get(reverse("stories:lost_link"))  # a first request of its own: what a first request alone costs
        known, known_sql = ask("tumi@example.org")
        unknown, unknown_sql = ask("nobody@example.org")
        assert known_sql == unknown_sql and known_sql
        assert "stories_story" not in " ".join(known_sql)  # the worker looks the stories up, later
        assert known.status_code == unknown.status_code == 200
        assert known.content == unknown.content
        assert LostLinkRequest.objects.count() == 2
        deliver_due()
        assert not LostLinkRequest.objects.exists()  # the addresses go once resolved

    def test_a_bad_address_is_explained(self, client):
        response = client.post(reverse("stories:lost_link"), {"email": "not an address"})
        assert response.status_code == 200
        assert response.context["form"].errors["email"]

    def test_lost_link_requests_are_limited(self, client, settings, story):
        settings.OLE_LOST_LINK_REQUESTS_PER_HOUR = 1
        client.post(reverse("stories:lost_link"), {"email": "a@example.org"})
        response = client.post(reverse("stories:lost_link"), {"email": "tumi@example.org"})
        assert response.status_code == 429
        from ole.models import OutboundEmail

        assert not OutboundEmail.objects.filter(kind="story.link").exists()
