"""The follow form on shared (cached) pages carries no CSRF token: with JavaScript it fetches one just before it
is sent (tests/e2e/test_following.py); without, the server offers the form again, filled in, to confirm."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ole.models import OutboundEmail
from series.models import Subscription
from tests.factories import PostFactory, SeriesFactory

pytestmark = pytest.mark.django_db
FOLLOW = reverse("series:follow")


def test_the_series_page_form_carries_no_token_and_loads_the_script_that_fills_it():
    series = SeriesFactory()
    PostFactory(series=series, part_number=1)
    page = Client().get(series.get_absolute_url()).content.decode()
    form = re.search(r'<form class="follow-form".*?</form>', page, re.S).group(0)
    assert "data-csrf-fill" in form and 'value=""' in form
    assert "js/community.js" in page


def test_without_javascript_a_follow_sent_with_no_token_is_offered_again_filled_in():
    series = SeriesFactory(slug="coming-off")
    browser = Client(enforce_csrf_checks=True)
    data = {"email": "reader@example.org", "target": "series:coming-off", "frequency": "each"}
    refused = browser.post(FOLLOW, data)
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Follow by email?" in page and 'value="reader@example.org"' in page
    assert 'value="series:coming-off"' in page
    assert not Subscription.objects.exists() and not OutboundEmail.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    sent = browser.post(FOLLOW, {**data, "csrfmiddlewaretoken": token})
    assert "we have emailed it a link to confirm" in sent.content.decode()
    assert Subscription.objects.get().series == series
