"""Comments: threading, moderation rules, closing, the edit window, likes, notifications and unsubscribing."""

import datetime
import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from ole.models import OutboundEmail
from ole.outbox import deliver_due
from ole.workflow import InvalidTransition
from series.community import MY_COMMENTS_COOKIE, remember_comment
from series.models import Comment, CommunitySettings
from series.services import comment_submit
from tests.factories import PostFactory, StaffFactory, UserFactory, days_ago

pytestmark = pytest.mark.django_db

A = Comment.Status.APPROVED
P = Comment.Status.PENDING


def approved(post, *, parent=None, email="known@example.org", name="Known", body="A kind word.", **extra):
    depth = parent.depth + 1 if parent else 0
    return Comment.objects.create(
        post=post, parent=parent, depth=depth, name=name, email=email, body=body, status=A, **extra
    )


def submit(post, *, parent=None, email="known@example.org", body="Thank you for writing this.", **extra):
    defaults = {"name": "Reader", "website": "", "notify_replies": False, "sender": "203.0.113.7"}
    defaults.update(extra)
    return comment_submit(post=post, parent=parent, email=email, body=body, **defaults)


def proven(post, email="known@example.org") -> dict:
    """What a browser that wrote an approved comment from this address sends with its next one."""
    return {"own_comment_ids": [approved(post, email=email).pk]}


def prove(client, comment) -> None:
    """Give a browser the signed cookie it got when it sent this comment."""
    response = HttpResponse()
    remember_comment(RequestFactory().get("/"), response, comment)
    client.cookies[MY_COMMENTS_COOKIE] = response.cookies[MY_COMMENTS_COOKIE].value


def post_form(client, post, **data):
    payload = {"name": "Reader", "email": "known@example.org", "body": "Thank you for writing this.", **data}
    return client.post(reverse("series:comment_create", kwargs={"slug": post.slug}), payload)


def set_rules(**values) -> None:
    """Change the community rules as an editor does in the admin (a save, which moves the site version)."""
    rules = CommunitySettings.current()
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()


@pytest.fixture
def post():
    return PostFactory()


class TestModeration:
    def test_first_comment_from_an_address_waits(self, post):
        outcome = submit(post, email="new@example.org")
        assert outcome.comment.status == P
        assert "First comment" in outcome.comment.held_reason

    def test_a_commenter_proven_by_this_browser_appears_at_once(self, post):
        outcome = submit(post, email="KNOWN@example.org", **proven(post))
        assert outcome.comment.status == A
        post.refresh_from_db()
        assert post.comment_count == 2

    def test_an_approved_address_without_proof_waits(self, post):
        approved(post)
        outcome = submit(post, name="Someone else")
        assert outcome.comment.status == P
        assert "not commented with it" in outcome.comment.held_reason

    def test_proof_from_a_comment_with_another_address_is_no_proof(self, post):
        approved(post)
        outcome = submit(post, **proven(post, email="mine@example.org"))
        assert outcome.comment.status == P

    def test_proof_from_a_comment_still_waiting_is_no_proof(self, post):
        waiting = submit(post, email="new@example.org").comment
        outcome = submit(post, email="new@example.org", own_comment_ids=[waiting.pk])
        assert outcome.comment.status == P

    @pytest.mark.parametrize(
        "body, reason",
        [
            ("See https://a.example https://b.example https://c.example", "More than 2 links"),
            ("Please dm me about this", "hold list"),
            ("Call me on 082 123 4567", "phone number or email"),
            ("I was on 2 mg a night", "doses"),
            ("Does anyone know where to buy them?", "doses or where to get"),
        ],
    )
    def test_rules_hold_a_comment_with_the_reason(self, post, body, reason):
        outcome = submit(post, body=body, **proven(post))
        assert outcome.comment.status == P
        assert reason in outcome.comment.held_reason

    def test_block_list_discards_spam(self, post):
        outcome = submit(post, body="Huge casino bonus here")
        assert outcome.discarded and not Comment.objects.exists()

    def test_crisis_words_hold_and_alert_the_editors(self, post, editor):
        outcome = submit(post, body="I can't go on like this, I want to end it all", **proven(post))
        assert outcome.crisis and outcome.comment.status == P
        kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
        assert {"comment.crisis", "comments.held"} <= kinds
        deliver_due()
        alert = next(m for m in mail.outbox if "urgent" in m.subject)
        assert alert.to == [editor.email] and "known@example.org" not in alert.body

    def test_held_digest_goes_at_most_once_a_quarter_hour(self, post, editor):
        for n in range(3):
            submit(post, email=f"new{n}@example.org")
        assert OutboundEmail.objects.filter(kind="comments.held").count() == 1
        deliver_due()
        submit(post, email="later@example.org")
        digests = OutboundEmail.objects.filter(kind="comments.held").order_by("pk")
        assert digests.count() == 2
        assert digests[1].send_after >= digests[0].send_after + datetime.timedelta(minutes=15)
        assert "3 comment(s) waiting" in mail.outbox[0].subject

    def test_staff_comment_as_themselves_with_a_role(self, post):
        staff = StaffFactory()
        outcome = submit(post, email="new@example.org", user=staff)
        assert outcome.comment.status == A and outcome.comment.role == "editor"
        post.contributor.user = staff
        post.contributor.save()
        assert submit(post, user=staff).comment.role == "author"

    def test_approve_and_spam_are_guarded(self, post):
        comment = submit(post, email="new@example.org").comment
        comment.approve()
        with pytest.raises(InvalidTransition):
            comment.approve()
        comment.mark_spam()
        with pytest.raises(InvalidTransition):
            comment.mark_spam()
        post.refresh_from_db()
        assert post.comment_count == 0


class TestAnAddressAloneProvesNothing:
    """Only this browser's own signed cookie, naming an approved comment from the same address, skips moderation."""

    def send(self, browser, post, email):
        response = post_form(browser, post, name="Not Them", email=email, body="Words under a borrowed name.")
        page = browser.get(response["Location"])
        return response, page

    def shape(self, response, page) -> tuple:
        """What the writer gets back, without what differs from one comment to the next (ids, keys, tokens)."""
        html = page.content.decode()
        html = re.sub(r'name="(csrfmiddlewaretoken|form_key)" value="[^"]*"', "", html)
        html = re.sub(r"/comments/\d+/edit/[^\"]+/", "/comments/N/edit/T/", html)
        html = re.sub(r"\d+", "N", html)
        location = re.sub(r"\d+", "N", response["Location"])
        return response.status_code, location, page.status_code, html

    def test_another_readers_address_in_other_letters_is_held_and_answered_as_an_unknown_one(self, post):
        approved(post, email="reader@example.org", name="Reader")
        impostor, stranger = Client(), Client()
        borrowed = self.shape(*self.send(impostor, post, "READER@Example.org"))
        unknown = self.shape(*self.send(stranger, post, "nobody@example.org"))
        assert Comment.objects.get(email="READER@Example.org").status == P
        assert Comment.objects.get(email="nobody@example.org").status == P
        assert borrowed == unknown
        assert "waiting for moderation" in borrowed[3]
        assert "Words under a borrowed name." not in Client().get(post.get_absolute_url()).content.decode()

    def test_a_browser_whose_cookie_names_an_approved_comment_from_the_address_is_published(self, client, post):
        prove(client, approved(post, email="reader@example.org"))
        self.send(client, post, "Reader@Example.org")
        assert Comment.objects.get(email="Reader@Example.org").status == A
        assert "Words under a borrowed name." in Client().get(post.get_absolute_url()).content.decode()

    def test_a_cookie_naming_a_comment_from_another_address_proves_nothing(self, client, post):
        approved(post, email="reader@example.org")
        prove(client, approved(post, email="mine@example.org"))
        self.send(client, post, "reader@example.org")
        assert Comment.objects.filter(email="reader@example.org").latest("pk").status == P


class TestGuards:
    def test_only_a_waiting_or_shown_comment_is_held(self, post):
        comment = approved(post)
        comment.mark_spam()
        with pytest.raises(InvalidTransition):
            comment.hold(["Edited"])

    def test_an_editor_removing_a_comment_with_replies_leaves_a_note_and_the_replies(self, client, post):
        root = approved(post, body="Hurtful words")
        approved(post, parent=root, body="A calm answer")
        root.remove()
        html = client.get(post.get_absolute_url()).content.decode()
        assert "Comment removed by the editors" in html and "Hurtful words" not in html and "A calm answer" in html
        with pytest.raises(InvalidTransition):
            root.remove()

    def test_an_editor_removing_a_comment_without_replies_deletes_it(self, post):
        approved(post).remove()
        assert not Comment.objects.exists()

    def test_the_writer_cannot_delete_a_comment_marked_as_spam(self, post):
        comment = approved(post)
        comment.mark_spam()
        with pytest.raises(InvalidTransition):
            comment.remove_by_writer()

    def test_a_removed_comment_cannot_be_marked_as_spam(self, post):
        root = approved(post)
        approved(post, parent=root)
        root.remove_by_writer()
        with pytest.raises(InvalidTransition):
            root.mark_spam()

    def test_only_an_unverified_mention_is_verified(self, post):
        with pytest.raises(InvalidTransition):
            approved(post).verify_mention(hold_reasons=())
        mention = Comment.objects.create(post=post, kind="webmention", name="x", status="unverified")
        mention.verify_mention(hold_reasons=())
        with pytest.raises(InvalidTransition):
            mention.verify_mention(hold_reasons=())

    def test_erasing_reaches_comments_in_any_state(self, client, post):
        comment = approved(post, email="me@example.org")
        comment.mark_spam()
        assert client.post(comment.erase_url()).status_code == 200
        assert not Comment.objects.exists()

    def test_the_remove_action_in_the_admin_reports_refusals(self, editor_client, post):
        root = approved(post)
        approved(post, parent=root)
        gone = approved(post)
        approved(post, parent=gone)
        gone.remove_by_writer()
        changelist = reverse("admin:series_comment_changelist") + "?queue=all"
        selected = {"action": "remove_comments", "_selected_action": [root.pk, gone.pk]}
        html = editor_client.post(changelist, selected, follow=True).content.decode()
        assert "1 comment removed" in html and "it cannot be removed" in html
        root.refresh_from_db()
        assert root.status == Comment.Status.TAKEN_DOWN


class TestThreads:
    def test_replies_nest_and_beyond_the_depth_join_the_deepest_level(self, post):
        set_rules(reply_depth=3)
        root = approved(post)
        child = approved(post, parent=root)
        grandchild = approved(post, parent=child)
        reply = submit(post, parent=grandchild).comment
        assert reply.parent == child and reply.depth == 2

    def test_reply_to_a_comment_on_another_post_is_refused(self, post):
        other = approved(PostFactory())
        with pytest.raises(InvalidTransition):
            submit(post, parent=other)

    @pytest.mark.parametrize("status", [P, Comment.Status.SPAM])
    def test_reply_to_a_hidden_comment_is_refused(self, post, status):
        hidden = approved(post)
        Comment.objects.filter(pk=hidden.pk).update(status=status)
        hidden.refresh_from_db()
        with pytest.raises(InvalidTransition):
            submit(post, parent=hidden)

    def test_page_shows_threads_oldest_first_with_permalinks(self, client, post):
        first = approved(post, body="First words")
        approved(post, parent=first, body="A reply")
        approved(post, body="Second words")
        html = client.get(post.get_absolute_url()).content.decode()
        assert html.index("First words") < html.index("A reply") < html.index("Second words")
        assert f'id="comment-{first.pk}"' in html and f'href="#comment-{first.pk}"' in html

    def test_a_deleted_comment_with_replies_stays_as_removed(self, client, post):
        root = approved(post, body="Original")
        approved(post, parent=root, body="Answer")
        root.remove_by_writer()
        html = client.get(post.get_absolute_url()).content.decode()
        assert "Comment removed by its writer" in html and "Original" not in html and "Answer" in html

    def test_a_deleted_comment_without_replies_is_gone(self, post):
        comment = approved(post)
        comment.remove_by_writer()
        assert not Comment.objects.exists()


class TestClosing:
    def test_comments_close_per_post(self, client, post):
        post.comments_open = False
        post.save()
        response = post_form(client, post)
        assert "Comments are closed" in response.content.decode()
        assert not Comment.objects.exists()

    def test_comments_close_by_themselves_after_the_set_days(self, client):
        set_rules(close_after_days=30)
        old = PostFactory(publish_at=days_ago(31))
        post_form(client, old)
        assert not Comment.objects.exists()
        assert "Comments are closed on this post." in client.get(old.get_absolute_url()).content.decode()

    def test_an_editors_change_to_the_rules_applies_at_once(self, admin_client):
        rules = CommunitySettings.current()
        change = reverse("admin:series_communitysettings_change", args=[rules.pk])
        form = {"reply_depth": 2, "close_after_days": 7, "max_links": 1, "edit_minutes": 15}
        assert admin_client.post(change, form).status_code == 302
        fresh = CommunitySettings.current()
        assert (fresh.close_after_days, fresh.max_links) == (7, 1)

    @pytest.mark.parametrize("trait", ["draft", "scheduled"])
    def test_unpublished_posts_take_no_comments(self, client, trait):
        hidden = PostFactory(**{trait: True})
        assert post_form(client, hidden).status_code == 404


class TestForm:
    def test_pending_comment_is_shown_to_its_writer_only(self, client, post):
        response = post_form(client, post, email="new@example.org", body="My first words here")
        assert response.status_code == 302
        mine = client.get(post.get_absolute_url()).content.decode()
        assert "My first words here" in mine and "waiting for moderation" in mine
        from django.test import Client

        assert "My first words here" not in Client().get(post.get_absolute_url()).content.decode()

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"body": ""}, "body"),
            ({"body": "   "}, "body"),
            ({"body": "x" * 5001}, "body"),
            ({"name": ""}, "name"),
            ({"name": "x" * 81}, "name"),
            ({"name": "me@example.org"}, "name"),
            ({"email": "nope"}, "email"),
            ({"website": "javascript:alert(1)"}, "website"),
            ({"website": "ftp://example.org"}, "website"),
            ({"parent": "abc"}, "parent"),
        ],
    )
    def test_bad_input_is_explained_and_kept(self, client, post, data, field):
        response = post_form(client, post, **data)
        assert response.status_code == 200
        form = response.context["comment_form"]
        assert form.errors[field]
        assert form["email"].value() == data.get("email", "known@example.org")
        assert not Comment.objects.exists()

    def test_html_and_links_are_inert(self, client, post):
        approved(post)
        post_form(
            client, post, body='<script>alert(1)</script> <a href="javascript:alert(2)">x</a> see https://ok.example'
        )
        html = client.get(post.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in html and 'href="javascript:' not in html
        assert 'href="https://ok.example" rel="nofollow ugc noopener"' in html

    def test_email_never_shows(self, client, post):
        approved(post, email="secret-reader@example.org")
        for url in [post.get_absolute_url(), "/feed/", "/feed/atom/"]:
            assert "secret-reader@example.org" not in client.get(url).content.decode()

    def test_reply_to_a_deleted_comment_keeps_the_text(self, client, post):
        response = post_form(client, post, parent="999999", body="My reply")
        assert response.status_code == 200
        assert response.context["comment_form"]["body"].value() == "My reply"
        assert "no longer there" in response.content.decode()

    def test_honeypot_is_accepted_silently(self, client, post):
        response = post_form(client, post, nickname="bot")
        assert response.status_code == 302 and not Comment.objects.exists()

    def test_floods_are_limited(self, client, post, settings):
        settings.OLE_COMMENTS_PER_HOUR = 2
        approved(post)
        for _ in range(2):
            assert post_form(client, post).status_code == 302
        response = post_form(client, post, body="One more")
        assert response.status_code == 429
        assert response.context["comment_form"]["body"].value() == "One more"

    def test_missing_csrf_is_refused(self, post):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(
            reverse("series:comment_create", kwargs={"slug": post.slug}), {"name": "a", "email": "a@b.org", "body": "x"}
        )
        assert response.status_code == 403


class TestEditWindow:
    def test_writer_edits_within_the_window(self, client, post):
        approved(post)
        post_form(client, post, body="Typo here")
        comment = Comment.objects.latest("pk")
        page = client.get(post.get_absolute_url()).content.decode()
        # The link is signed with a time: follow the one on the page rather than compare it with a new one.
        edit_url = re.search(rf'href="(/comments/{comment.pk}/edit/[^"]+/)"', page).group(1)
        response = client.post(edit_url, {"body": "Fixed now"})
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.body == "Fixed now" and comment.edited_at

    def test_link_expires_after_the_window(self, client, post, settings):
        comment = approved(post)
        url = comment.get_edit_url()
        set_rules(edit_minutes=0)
        assert client.get(url).status_code == 404

    def test_a_tampered_link_is_refused(self, client, post):
        comment = approved(post)
        other = approved(post)
        url = reverse("series:comment_edit", kwargs={"pk": other.pk, "token": comment.edit_token()})
        assert client.get(url).status_code == 404

    def test_writer_deletes_their_comment(self, client, post):
        comment = approved(post)
        url = reverse("series:comment_delete", kwargs={"pk": comment.pk, "token": comment.edit_token()})
        assert client.post(url).status_code == 302
        assert not Comment.objects.exists()


class TestNotifications:
    def test_reply_email_with_unsubscribe(self, client, post):
        trusted = proven(post)  # this browser wrote an approved comment as known@example.org: its replies appear
        parent = approved(post, email="first@example.org", notify_replies=True)
        submit(post, parent=parent, email="known@example.org", **trusted)
        deliver_due()
        email = mail.outbox[0]
        assert email.to == ["first@example.org"]
        unsubscribe = parent.get_unsubscribe_url()
        assert unsubscribe in email.body and unsubscribe in email.extra_headers["List-Unsubscribe"]
        assert client.get(unsubscribe).status_code == 200
        assert client.post(unsubscribe).status_code == 200  # one-click, no CSRF token needed
        parent.refresh_from_db()
        assert not parent.notify_replies
        submit(post, parent=parent, email="known@example.org", body="Another reply", **trusted)
        assert deliver_due() == (0, 0)  # nothing queued for an unsubscribed thread
        assert len(mail.outbox) == 1

    def test_no_email_without_opt_in_or_to_yourself(self, post):
        parent = approved(post, email="first@example.org")
        mine = approved(post, email="known@example.org", notify_replies=True)
        assert submit(post, parent=parent, own_comment_ids=[mine.pk]).comment.status == A
        assert submit(post, parent=mine, own_comment_ids=[mine.pk]).comment.status == A
        assert not OutboundEmail.objects.filter(kind="comment.reply").exists()

    def test_a_held_reply_notifies_only_once_approved(self, post):
        parent = approved(post, email="first@example.org", notify_replies=True)
        reply = submit(post, parent=parent, email="new@example.org").comment
        assert not OutboundEmail.objects.filter(kind="comment.reply").exists()
        reply.approve()
        assert OutboundEmail.objects.filter(kind="comment.reply").count() == 1

    def test_contributor_can_get_new_comment_emails(self, post):
        post.contributor.user = UserFactory(email="writer@ole.example", is_staff=True)
        post.contributor.email_on_comments = True
        post.contributor.save()
        submit(post, **proven(post))
        deliver_due()
        assert any(m.to == ["writer@ole.example"] for m in mail.outbox)

    def test_a_bad_unsubscribe_link_is_not_found(self, client):
        assert client.get("/comments/unsubscribe/forged:token/").status_code == 404


class TestLikes:
    def like(self, client, kind, pk, json=False):
        headers = {"HTTP_ACCEPT": "application/json"} if json else {}
        return client.post(reverse("series:like", kwargs={"kind": kind, "pk": pk}), **headers)

    def test_one_like_per_browser(self, client, post):
        assert self.like(client, "post", post.pk).status_code == 302
        self.like(client, "post", post.pk)
        post.refresh_from_db()
        assert post.like_count == 1
        html = client.get(post.get_absolute_url()).content.decode()
        assert "Liked by 1 person" in html and "disabled" in html

    def test_likes_from_different_browsers_at_different_addresses_add_up(self, post):
        from django.test import Client

        for n in range(3):
            self.like(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), "post", post.pk)
        post.refresh_from_db()
        assert post.like_count == 3

    def test_fresh_browsers_at_one_address_like_an_item_once_a_day(self, post):
        from django.test import Client

        responses = [self.like(Client(REMOTE_ADDR="192.0.2.7"), "post", post.pk, json=True) for _ in range(8)]
        assert [r.json() for r in responses] == [{"count": 1, "liked": True}] * 8, "answered as already liked"
        assert all("ole_likes" in r.cookies for r in responses)
        post.refresh_from_db()
        assert post.like_count == 1

    def test_two_addresses_give_two_likes_and_one_address_may_like_two_items(self, post):
        from django.test import Client

        other = PostFactory()
        for address in ["192.0.2.7", "192.0.2.7", "198.51.100.9", "198.51.100.9"]:
            self.like(Client(REMOTE_ADDR=address), "post", post.pk)
        self.like(Client(REMOTE_ADDR="192.0.2.7"), "post", other.pk)
        post.refresh_from_db()
        other.refresh_from_db()
        assert (post.like_count, other.like_count) == (2, 1)

    def test_a_second_like_without_the_cookie_is_not_an_error_page(self, post):
        from django.test import Client

        self.like(Client(REMOTE_ADDR="192.0.2.7"), "post", post.pk)
        response = self.like(Client(REMOTE_ADDR="192.0.2.7"), "post", post.pk)
        assert response.status_code == 302 and response["Location"] == post.get_absolute_url()

    def test_the_like_counters_keep_no_address(self, post):
        from django.test import Client

        from ole.models import Counter

        self.like(Client(REMOTE_ADDR="192.0.2.7"), "post", post.pk)
        keys = list(Counter.objects.values_list("key", flat=True))
        assert any(key.startswith("like-item:") for key in keys)
        assert not any("192.0.2.7" in key or f"post:{post.pk}" in key for key in keys)

    def test_json_for_the_in_place_update(self, client, post):
        comment = approved(post)
        response = self.like(client, "comment", comment.pk, json=True)
        assert response.json() == {"count": 1, "liked": True}

    def test_a_forged_cookie_is_ignored(self, client, post):
        client.cookies["ole_likes"] = f'["post:{post.pk}"]'
        self.like(client, "post", post.pk)
        post.refresh_from_db()
        assert post.like_count == 1

    @pytest.mark.parametrize("kind, exists", [("post", False), ("comment", False), ("banana", True)])
    def test_likes_on_nothing_are_not_found(self, client, post, kind, exists):
        assert self.like(client, kind, post.pk if exists else 999999).status_code == 404

    def test_likes_on_drafts_and_held_comments_are_not_found(self, client):
        draft = PostFactory(draft=True)
        assert self.like(client, "post", draft.pk).status_code == 404
        held = Comment.objects.create(post=PostFactory(), name="x", email="x@y.org", body="x", status=P)
        assert self.like(client, "comment", held.pk).status_code == 404

    def test_like_needs_post(self, client, post):
        assert client.get(reverse("series:like", kwargs={"kind": "post", "pk": post.pk})).status_code == 405

    def test_like_floods_are_limited(self, post, settings):
        from django.test import Client

        settings.OLE_LIKES_PER_HOUR = 2
        codes = [self.like(Client(), "post", post.pk).status_code for _ in range(3)]
        assert codes == [302, 302, 429]

    def test_likes_are_atomic_increments(self, post):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            post.like()
        assert len(queries) == 1 and '"like_count" = ' in queries[0]["sql"] and "+" in queries[0]["sql"]


def test_the_post_page_runs_as_many_queries_with_5_comments_as_with_50(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_with(comments: int) -> int:
        post = PostFactory()
        root = approved(post)
        for n in range(comments - 1):
            approved(post, parent=root if n % 2 else None, body=f"Comment {n}", like_count=n)
        client.post(reverse("series:like", kwargs={"kind": "comment", "pk": root.pk}))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(post.get_absolute_url()).status_code == 200
        return len(queries)

    assert count_with(5) == count_with(50)


class TestReviewFixes:
    def test_the_edit_window_runs_from_the_comment_not_the_link(self, client, post):
        import datetime

        from django.utils import timezone

        comment = approved(post)
        Comment.objects.filter(pk=comment.pk).update(created=timezone.now() - datetime.timedelta(days=3))
        assert client.get(comment.get_edit_url()).status_code == 404

    def test_a_reply_placed_higher_still_notifies_whom_it_answered(self, post):
        set_rules(reply_depth=2)
        trusted = proven(post)
        root = approved(post, email="root@example.org", notify_replies=True)
        child = approved(post, parent=root, email="child@example.org", notify_replies=True)
        reply = submit(post, parent=child, **trusted).comment
        assert reply.parent == root and reply.replying_to == child
        deliver_due()
        assert [m.to for m in mail.outbox] == [["child@example.org"]]

    def test_deleting_one_comment_in_the_admin_updates_the_count(self, editor_client, post):
        comment = approved(post)
        post.refresh_comment_count()
        editor_client.post(reverse("admin:series_comment_delete", args=[comment.pk]), {"post": "yes"})
        post.refresh_from_db()
        assert post.comment_count == 0

    def test_a_contributor_is_not_emailed_about_their_own_comment(self, post):
        writer = StaffFactory(email="writer@ole.example")
        post.contributor.user = writer
        post.contributor.email_on_comments = True
        post.contributor.save()
        submit(post, user=writer)
        assert not OutboundEmail.objects.filter(kind="comment.for_contributor").exists()

    def test_editing_into_crisis_words_alerts_the_editors_and_shows_help(self, client, post):
        prove(client, approved(post))
        post_form(client, post, body="Fine words")
        comment = Comment.objects.latest("pk")
        assert comment.status == A
        response = client.post(comment.get_edit_url(), {"body": "Actually I want to end it all"})
        assert "Please don't wait for us" in response.content.decode()
        comment.refresh_from_db()
        assert comment.status == P and "crisis" in comment.held_reason
        assert OutboundEmail.objects.filter(kind="comment.crisis").exists()

    def test_bare_domains_count_as_links(self, post):
        outcome = submit(post, body="spam1.com spam2.com spam3.org", **proven(post))
        assert outcome.comment.status == P and "links" in outcome.comment.held_reason

    def test_the_name_is_judged_too(self, post):
        assert submit(post, name="casino bonus", **proven(post)).discarded

    def test_unsubscribing_covers_the_whole_conversation(self, client, post):
        first = approved(post, email="me@example.org", notify_replies=True)
        second = approved(post, email="me@example.org", notify_replies=True)
        client.post(first.get_unsubscribe_url())
        second.refresh_from_db()
        assert not second.notify_replies

    def test_cookies_are_secure_over_https(self, client, post):
        response = client.post(reverse("series:like", kwargs={"kind": "post", "pk": post.pk}), secure=True)
        cookie = response.cookies["ole_likes"]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_a_resubmitted_comment_form_makes_one_comment(client):
    import uuid

    post = PostFactory()
    approved(post)
    key = str(uuid.uuid4())
    first = post_form(client, post, form_key=key)
    second = post_form(client, post, form_key=key)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.filter(form_key=key).count() == 1


def test_the_comment_form_carries_a_fresh_key(client):
    post = PostFactory()
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'name="form_key" value="' in html


def test_someone_elses_form_key_gets_its_own_comment(client):
    import uuid

    from django.test import Client

    post = PostFactory()
    approved(post)
    approved(post, email="other@example.org")
    key = str(uuid.uuid4())
    post_form(client, post, form_key=key, body="Mine")
    stranger = Client()
    response = post_form(stranger, post, form_key=key, email="other@example.org", body="Theirs")
    assert Comment.objects.filter(body="Theirs").exists()
    assert response["Location"].endswith(f"#comment-{Comment.objects.get(body='Theirs').pk}")


def test_a_different_comment_from_a_restored_page_is_not_swallowed(client):
    import uuid

    post = PostFactory()
    approved(post)
    key = str(uuid.uuid4())
    post_form(client, post, form_key=key, body="First thought")
    post_form(client, post, form_key=key, body="A second, different thought")
    assert set(Comment.objects.filter(post=post).values_list("body", flat=True)) >= {
        "First thought",
        "A second, different thought",
    }


def test_a_form_sent_again_from_another_browser_shows_the_comment_but_proves_nothing(client):
    import uuid

    post = PostFactory()
    prove(client, approved(post, email="reader@example.org"))
    key = str(uuid.uuid4())
    sent = {"email": "reader@example.org", "body": "Words anyone can read", "form_key": key}
    first = post_form(client, post, **sent)
    assert Comment.objects.get(form_key=key).status == A
    copier = Client()
    again = post_form(copier, post, **sent)
    assert again["Location"] == first["Location"] and MY_COMMENTS_COOKIE not in again.cookies
    post_form(copier, post, email="reader@example.org", body="Now in their name")
    assert Comment.objects.get(body="Now in their name").status == P
