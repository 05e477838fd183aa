"""Form fields every visitor sees alike come from cached fragments; nothing personal ever goes into one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ole.cache import FragmentCache, RedisCache
from stories.models import ConsentVersion
from tests.factories import PostFactory, SeriesFactory, StaffFactory, current_consent

pytestmark = pytest.mark.django_db

STORY_FIELDS = "stories/_story_fields.html"
COMMENT_FIELDS = "includes/comment_fields.html"


def rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


class TestStoryForm:
    def test_the_second_writer_gets_the_fields_from_the_fragment_with_keys_of_their_own(self, client):
        current_consent()
        first = client.get(reverse("stories:submit"))
        second = client.get(reverse("stories:submit"))
        assert STORY_FIELDS in rendered(first)
        assert STORY_FIELDS not in rendered(second)
        for response in (first, second):
            assert 'name="title"' in response.content.decode()
            assert 'name="consent_adult"' in response.content.decode()
        assert hidden(first.content.decode(), "submission_key") != hidden(second.content.decode(), "submission_key")

    def test_a_new_series_shows_on_the_next_visit(self, client):
        current_consent()
        client.get(reverse("stories:submit"))
        SeriesFactory(title="Coming off slowly")
        assert "Coming off slowly" in client.get(reverse("stories:submit")).content.decode()

    def test_a_new_consent_wording_shows_on_the_next_visit(self, client, monkeypatch):
        from series import pagecache

        current_consent()
        client.get(reverse("stories:submit"))
        monkeypatch.setattr(pagecache, "site_changed", lambda: None)  # nothing else moves the site version
        ConsentVersion.objects.create(
            version=2, publish_text="Publish v2.", editing_text="Edit v2.", age_text="I am an adult (v2)."
        )
        page = client.get(reverse("stories:submit")).content.decode()
        assert "I am an adult (v2)." in page
        assert hidden(page, "consent_version") == "2"

    def test_a_changed_field_after_a_deploy_starts_a_new_fragment(self, client, monkeypatch):
        from stories.forms import StoryForm

        current_consent()
        client.get(reverse("stories:submit"))
        label = StoryForm.base_fields["title"].label
        monkeypatch.setattr(StoryForm.base_fields["title"], "label", "Name your story")
        page = client.get(reverse("stories:submit")).content.decode()
        assert "Name your story" in page
        assert label not in page

    def test_the_series_an_invitation_chose_stays_with_that_invitation(self, client):
        current_consent()
        chosen = SeriesFactory(title="Sleep again")
        invited = client.get(reverse("stories:submit"), {"series": chosen.slug}).content.decode()
        plain = client.get(reverse("stories:submit")).content.decode()
        again = client.get(reverse("stories:submit"), {"series": chosen.slug}).content.decode()
        option = f'<option value="{chosen.pk}" selected>'
        assert option in invited
        assert option in again
        assert option not in plain

    def test_a_form_with_errors_after_a_cached_one_keeps_what_was_typed(self, client):
        from tests.stories.test_submission import form_data

        current_consent()
        client.get(reverse("stories:submit"))
        response = client.post(reverse("stories:submit"), form_data(title="Kept <b>as typed</b>", body="Too short."))
        assert response.status_code == 200
        assert STORY_FIELDS in rendered(response)
        page = response.content.decode()
        assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in page
        assert "Too short." in page


class TestCommentForm:
    def test_an_editors_name_and_email_never_reach_another_visitors_form(self, client):
        post = PostFactory()
        editor = StaffFactory(username="editor-sam", email="sam.editor@ole.example", first_name="Sam")
        client.force_login(editor)
        own = client.get(post.get_absolute_url())
        assert COMMENT_FIELDS in rendered(own)
        assert "sam.editor@ole.example" in own.content.decode()
        client.logout()
        client.cookies.clear()
        for visit in range(2):
            anonymous = client.get(post.get_absolute_url(), {"visit": visit})
            assert 'name="body"' in anonymous.content.decode()
            assert "sam.editor@ole.example" not in anonymous.content.decode()
        assert COMMENT_FIELDS not in rendered(anonymous)  # the second anonymous visit used the fragment

    def test_each_private_page_view_still_gets_its_own_form_key(self, client):
        post = PostFactory()
        client.cookies["messages"] = "x"  # personal state: the page is rendered for this visitor
        first = client.get(post.get_absolute_url()).content.decode()
        second = client.get(post.get_absolute_url()).content.decode()
        assert hidden(first, "form_key") != hidden(second, "form_key")


class TestBackends:
    def test_the_redis_client_is_made_once_per_pool_not_per_command(self):
        backend = RedisCache("redis://127.0.0.1:1/0", {})._cache
        assert backend.get_client() is backend.get_client()
        assert backend.get_client(write=True) is backend.get_client("key", write=True)

    def test_fragments_are_skipped_not_fatal_when_redis_cannot_be_reached(self, caplog):
        fragments = FragmentCache("redis://127.0.0.1:1/0", {})
        assert fragments.get("story_form_fields", "missing") == "missing"
        fragments.set("story_form_fields", "<p>fields</p>", 60)
        assert "Fragment cache: read failed (ConnectionError)" in caplog.text
        assert "Fragment cache: write failed (ConnectionError)" in caplog.text


class TestFooter:
    @staticmethod
    def footer(response) -> str:
        html = response.content.decode()
        return html[html.index('<footer class="site-footer">') :]

    def test_the_footer_comes_from_a_fragment_and_a_changed_crisis_line_shows_on_the_next_page(self, client):
        from series.models import CrisisLine

        first = client.get(reverse("series:privacy"))
        second = client.get(reverse("stories:share"))
        assert "includes/footer.html" in rendered(first)
        assert "includes/footer.html" not in rendered(second)
        line = CrisisLine.objects.first()
        assert line.name in self.footer(second)
        line.name = "Night line for families"
        line.save()
        assert "Night line for families" in self.footer(client.get(reverse("stories:share")))

    def test_the_footer_fragment_costs_no_query(self, client, django_assert_num_queries):
        current_consent()
        client.get(reverse("stories:submit"))
        with django_assert_num_queries(1):  # the consent wording; the crisis lines come with the footer
            client.get(reverse("stories:submit"))
