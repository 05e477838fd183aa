"""Every comment can be traced to the consent line its writer was shown and when they posted under it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from series import consent
from series.models import Comment
from tests.factories import PostFactory
from tests.series.test_comments import post_form
from tests.series.test_mentions import pingback, target_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return PostFactory()


def test_the_comment_form_shows_the_consent_line_and_links_to_the_privacy_page(client, post):
    page = client.get(post.get_absolute_url()).content.decode()
    consent_line = page.split('id="comment-consent">', 1)[1].split("</p>", 1)[0]
    assert consent.WORDINGS[consent.CURRENT] in consent_line
    assert f'href="{reverse("series:privacy")}"' in consent_line
    assert f'name="consent_version" value="{consent.CURRENT}"' in page


def test_a_comment_records_the_consent_version_and_time(client, post):
    before = timezone.now()
    post_form(client, post, consent_version=consent.CURRENT)
    comment = Comment.objects.get()
    assert comment.consent_wording == consent.CURRENT
    assert before <= comment.consented_at <= timezone.now()


def test_a_comment_records_the_version_it_was_shown_not_a_newer_one(client, post, monkeypatch):
    monkeypatch.setitem(consent.WORDINGS, "comments-2", "A newer wording.")
    monkeypatch.setattr(consent, "CURRENT", "comments-2")
    post_form(client, post, consent_version="comments-1")
    assert Comment.objects.get().consent_wording == "comments-1"


def test_an_unknown_version_records_the_current_one(client, post):
    post_form(client, post, consent_version="made-up")
    assert Comment.objects.get().consent_wording == consent.CURRENT


def test_a_pingback_records_no_consent(client, post):
    pingback(client, "https://blog.example/a", target_of(post))
    mention = Comment.objects.get()
    assert mention.kind == Comment.Kind.PINGBACK
    assert mention.consent_wording == "" and mention.consented_at is None


def test_the_admin_shows_the_consent_wording_and_time(staff_client, client, post):
    post_form(client, post)
    comment = Comment.objects.get()
    page = staff_client.get(reverse("admin:series_comment_change", args=[comment.pk])).content.decode()
    assert consent.WORDINGS[consent.CURRENT] in page
    assert consent.CURRENT in page
