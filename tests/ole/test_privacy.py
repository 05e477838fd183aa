"""Privacy rights: export, erasure by link, retention, audit of contact access, staff sessions, deploy checks."""

import datetime
import json
import time

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from series.models import Comment
from stories.models import ContactAccess, Story
from tests.factories import PostFactory, StaffFactory, StoryFactory

pytestmark = pytest.mark.django_db


def test_the_writer_downloads_everything_about_their_story(client, editor):
    story = StoryFactory(title="My year", email="tumi@example.org", credit_name="Tumi")
    Story.objects.filter(pk=story.pk).update(status=Story.Status.IN_REVIEW)
    story.refresh_from_db()
    story.request_changes(editor=editor, message="Shorter, please.")
    response = client.get(reverse("stories:export", kwargs={"token": story.status_token()}))
    assert response["Content-Disposition"] == 'attachment; filename="my-story.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert (data["title"], data["email"], data["name_given"]) == ("My year", "tumi@example.org", "Tumi")
    assert data["consent"]["version"] == 1 and data["consent"]["to_publish"]
    assert data["messages"][0]["text"] == "Shorter, please."
    assert [line["to"] for line in data["history"]] == ["Changes requested"]


def test_export_needs_the_private_link(client):
    StoryFactory()
    assert client.get("/stories/status/forged/my-story.json").status_code == 404


def test_the_erase_link_is_never_shown_on_a_page(client):
    post = PostFactory()
    Comment.objects.create(post=post, name="Me", email="me@example.org", body="First", status="approved")
    client.post(
        reverse("series:comment_create", kwargs={"slug": post.slug}),
        {"name": "Mallory", "email": "me@example.org", "body": "Pretending"},
    )
    comment = Comment.objects.get(name="Mallory")
    page = client.get(comment.get_edit_url()).content.decode() + client.get(post.get_absolute_url()).content.decode()
    assert "/comments/erase/" not in page


def test_an_old_erase_link_no_longer_works(client, monkeypatch):
    post = PostFactory()
    mine = Comment.objects.create(post=post, name="Me", email="me@example.org", body="First", status="approved")
    url = mine.erase_url()
    later = time.time() + 61 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert client.post(url).status_code == 404
    assert Comment.objects.filter(pk=mine.pk).exists()


def test_a_commenter_erases_all_their_comments_by_link(client):
    post = PostFactory()
    mine = Comment.objects.create(post=post, name="Me", email="me@example.org", body="First", status="approved")
    Comment.objects.create(
        post=post, parent=mine, depth=1, name="Other", email="o@example.org", body="Reply", status="approved"
    )
    Comment.objects.create(post=post, name="Me", email="ME@example.org", body="Second", status="approved")
    url = mine.erase_url()
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert "erased 2 comments" in response.content.decode()
    assert not Comment.objects.filter(email__iexact="me@example.org").exists()
    assert Comment.objects.get(pk=mine.pk).status == "removed"  # kept as a placeholder: it has a reply
    assert client.post("/comments/erase/forged:link/").status_code == 404


def test_retention_forgets_closed_stories_contacts_and_old_spam(editor):
    old = timezone.now() - datetime.timedelta(days=120)
    declined = StoryFactory(email="gone@example.org")
    declined.decline(editor=editor, message="No, with thanks.")
    Story.objects.filter(pk=declined.pk).update(status_changed_at=old)
    recent = StoryFactory(email="recent@example.org")
    recent.decline(editor=editor, message="No, with thanks.")
    waiting = StoryFactory(email="waiting@example.org")
    Story.objects.filter(pk=waiting.pk).update(status_changed_at=old)
    post = PostFactory()
    spam = Comment.objects.create(
        post=post, name="s", email="s@x.org", website="https://s.example", body="x", status="approved"
    )
    reply = Comment.objects.create(
        post=post, parent=spam, depth=1, name="r", email="r@x.org", body="reply", status="approved"
    )
    spam.mark_spam()
    fresh_spam = Comment.objects.create(post=post, name="f", email="f@x.org", body="y", status="approved")
    fresh_spam.mark_spam()
    Comment.objects.filter(pk=spam.pk).update(marked_spam_at=old)
    call_command("apply_retention", verbosity=0)
    call_command("apply_retention", verbosity=0)  # safe to run again
    assert Story.objects.get(pk=declined.pk).email == ""
    assert Story.objects.get(pk=recent.pk).email == "recent@example.org"
    assert Story.objects.get(pk=waiting.pk).email == "waiting@example.org"
    spam.refresh_from_db()
    assert (spam.email, spam.website) == ("", "")
    assert Comment.objects.get(pk=reply.pk).email == "r@x.org"  # nothing else is touched
    assert Comment.objects.get(pk=fresh_spam.pk).email == "f@x.org"


def test_opening_a_story_in_the_admin_is_recorded(editor_client, editor):
    story = StoryFactory()
    editor_client.get(reverse("admin:stories_story_change", args=[story.pk]))
    access = ContactAccess.objects.get()
    assert (access.story, access.editor) == (story, editor)
    editor_client.get(reverse("admin:stories_story_changelist"))
    assert ContactAccess.objects.count() == 1


def test_staff_sessions_expire_after_twelve_hours(client):
    staff = StaffFactory(username="admin-person")
    client.post(reverse("admin:login"), {"username": "admin-person", "password": "a-long-test-password-42"})
    assert 12 * 60 * 60 - 60 < client.session.get_expiry_age() <= 12 * 60 * 60  # from sign-in: see test_staff_sessions
    assert staff.is_staff


def test_deploy_checks_catch_what_django_does_not(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.OLE_SERVE_MEDIA = True
    from series.models import CrisisLine

    CrisisLine.objects.all().delete()
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert {"ole.W001", "ole.W002", "series.W001"} <= ids


def test_privacy_page_is_linked_from_every_page(client):
    html = client.get("/").content.decode()
    assert 'href="/privacy/"' in html
    page = client.get("/privacy/").content.decode()
    assert "download everything" in page and "90 days" in page


def test_the_privacy_page_says_a_declined_story_is_deleted_after_the_retention_period(client, settings):
    settings.OLE_RETENTION_DAYS = 30
    page = " ".join(client.get("/privacy/").content.decode().split())
    assert "If your story is declined, we delete it 30 days later as a withdrawal does" in page
    assert "we remove your email address after" not in page
    assert "We keep backups of the site for at most 30 days." in page


@pytest.mark.parametrize("url", ["/", "/help/", "/stories/share/write/", "/admin/login/"])
def test_every_page_sends_a_strict_content_security_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"  # no inline scripts, no eval
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_admin_sign_in_is_locked_after_repeated_failures(client):
    StaffFactory(username="editor-lin")
    login = reverse("admin:login")
    for _ in range(5):
        response = client.post(login, {"username": "editor-lin", "password": "wrong-password-123"})
        assert response.status_code == 200
    locked = client.post(login, {"username": "editor-lin", "password": "a-long-test-password-42"})
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_ins_that_succeed_never_lock_the_connection(client, settings):
    # An office behind one address signs in many times a day; only failures count against it.
    settings.OLE_LOGIN_FAILURES_PER_CLIENT = 3
    StaffFactory(username="editor-kim")
    login = reverse("admin:login")
    for _ in range(6):
        assert client.post(login, {"username": "editor-kim", "password": "a-long-test-password-42"}).status_code == 302
        client.logout()


def test_a_successful_sign_in_clears_earlier_failures(client):
    StaffFactory(username="editor-kim")
    login = reverse("admin:login")
    for _ in range(4):
        client.post(login, {"username": "editor-kim", "password": "wrong-password-123"})
    assert client.post(login, {"username": "editor-kim", "password": "a-long-test-password-42"}).status_code == 302
    client.logout()
    for _ in range(4):
        client.post(login, {"username": "editor-kim", "password": "wrong-password-123"})
    assert client.post(login, {"username": "editor-kim", "password": "a-long-test-password-42"}).status_code == 302


@pytest.fixture
def redis_down(settings):
    """The shared cache is Redis on a port where nothing listens (Django resets its cache handlers on change)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }


def test_with_the_cache_down_pages_are_served_and_limits_still_count(client, redis_down, settings):
    from tests.stories.test_submission import form_data

    post = PostFactory()
    assert client.get("/").status_code == 200
    assert 'name="body"' in client.get(post.get_absolute_url()).content.decode()
    assert 'name="title"' in client.get(reverse("stories:submit")).content.decode()
    like = client.post(reverse("series:like", kwargs={"kind": "post", "pk": post.pk}))
    assert like.status_code == 302
    settings.OLE_STORY_SUBMISSIONS_PER_HOUR = 1
    assert client.post(reverse("stories:submit"), form_data(title="Saved while Redis is down")).status_code == 302
    response = client.post(reverse("stories:submit"), form_data(title="One too many"))
    assert response.status_code == 429  # the counters are in the database: the limit holds
    assert Story.objects.get().title == "Saved while Redis is down"


def test_a_database_lock_past_its_timeout_keeps_the_form(client, monkeypatch):
    from django.db import OperationalError

    from tests.stories.test_submission import form_data

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("stories.views.story_submit", locked)
    response = client.post(reverse("stories:submit"), form_data(title="Still here"))
    assert response.status_code == 503
    assert response.context["form"]["title"].value() == "Still here"
    assert "Nothing was lost" in response.content.decode()


def test_orphan_files_are_swept_and_nothing_in_use_is(settings):
    import os

    from tests.factories import image_file

    post = PostFactory(feature_image=image_file(width=400, height=300), feature_image_alt="A field")
    folder = os.path.join(settings.MEDIA_ROOT, "features")
    orphan, fresh = os.path.join(folder, "left-by-a-crash.jpg"), os.path.join(folder, "uploading-now.jpg")
    for path in (orphan, fresh):
        with open(path, "wb") as handle:
            handle.write(b"x")
    two_hours_ago = time.time() - 7200
    in_use = [post.feature_image.path, post.image_card.path, post.image_wide.path, post.image_social.path]
    for path in [orphan, *in_use]:
        os.utime(path, (two_hours_ago, two_hours_ago))
    call_command("sweep_orphan_files", verbosity=0)
    assert not os.path.exists(orphan)
    assert os.path.exists(fresh)
    assert all(os.path.exists(path) for path in in_use)


@pytest.mark.parametrize("variant", [" editor-lin", "editor-lin ", "ｅｄｉｔｏｒ-ｌｉｎ"])
def test_the_sign_in_lock_cannot_be_dodged_by_spelling(client, variant):
    StaffFactory(username="editor-lin")
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "editor-lin", "password": "wrong-password-123"})
    response = client.post(login, {"username": variant, "password": "a-long-test-password-42"})
    assert response.status_code == 429
