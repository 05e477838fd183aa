import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from ole.workflow import InvalidTransition
from series.models import Post, Series
from tests.factories import ContributorFactory, PostFactory, SeriesFactory, days_ago, image_file

pytestmark = pytest.mark.django_db


class TestPublishedVisibility:
    def test_published_post_in_the_past_is_visible(self):
        post = PostFactory()
        assert list(Post.objects.published()) == [post]
        assert post.is_published()

    def test_draft_is_never_visible(self):
        post = PostFactory(draft=True)
        assert not Post.objects.published().exists()
        assert not post.is_published()

    def test_draft_with_a_past_date_is_still_hidden(self):
        PostFactory(status=Post.Status.DRAFT, publish_at=days_ago(3))
        assert not Post.objects.published().exists()

    def test_scheduled_post_is_hidden_until_its_time(self):
        post = PostFactory(scheduled=True)
        assert not Post.objects.published().exists()
        assert not post.is_published()

    def test_scheduled_post_appears_by_itself_when_its_time_comes(self):
        post = PostFactory(status=Post.Status.SCHEDULED, publish_at=timezone.now() + datetime.timedelta(seconds=1))
        assert not Post.objects.published().exists()
        Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
        assert list(Post.objects.published()) == [post]

    def test_published_status_with_a_future_date_waits_for_the_date(self):
        PostFactory(status=Post.Status.PUBLISHED, publish_at=timezone.now() + datetime.timedelta(hours=1))
        assert not Post.objects.published().exists()

    def test_database_refuses_a_live_post_without_a_date(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            PostFactory(status=Post.Status.PUBLISHED, publish_at=None)


class TestTransitions:
    def test_publish_now_makes_a_draft_live(self):
        post = PostFactory(draft=True)
        post.publish_now()
        post.refresh_from_db()
        assert post.is_published()
        assert post.status == Post.Status.PUBLISHED

    def test_publish_now_refuses_a_live_post(self):
        post = PostFactory()
        before = post.publish_at
        with pytest.raises(InvalidTransition):
            post.publish_now()
        post.refresh_from_db()
        assert post.publish_at == before

    def test_schedule_refuses_a_time_in_the_past(self):
        post = PostFactory(draft=True)
        with pytest.raises(InvalidTransition):
            post.schedule(days_ago(1))
        post.refresh_from_db()
        assert post.status == Post.Status.DRAFT

    def test_schedule_sets_a_future_time(self):
        post = PostFactory(draft=True)
        when = timezone.now() + datetime.timedelta(days=2)
        post.schedule(when)
        post.refresh_from_db()
        assert (post.status, post.publish_at) == (Post.Status.SCHEDULED, when)

    def test_unpublish_hides_a_live_post_and_refuses_a_draft(self):
        post = PostFactory()
        post.unpublish()
        assert not Post.objects.published().exists()
        with pytest.raises(InvalidTransition):
            post.unpublish()

    def test_featuring_twice_is_refused(self):
        post = PostFactory()
        post.set_featured(True)
        with pytest.raises(InvalidTransition):
            post.set_featured(True)
        assert Post.objects.get(pk=post.pk).featured


class TestClean:
    def test_scheduled_post_needs_a_time(self):
        post = PostFactory.build(status=Post.Status.SCHEDULED, publish_at=None, contributor=ContributorFactory())
        with pytest.raises(ValidationError) as error:
            post.full_clean()
        assert "publish_at" in error.value.message_dict

    def test_published_post_without_a_time_is_published_now(self):
        post = PostFactory.build(status=Post.Status.PUBLISHED, publish_at=None, contributor=ContributorFactory())
        post.full_clean()
        assert post.publish_at is not None and post.publish_at <= timezone.now()

    def test_part_number_needs_a_series(self):
        post = PostFactory.build(part_number=2, contributor=ContributorFactory())
        with pytest.raises(ValidationError) as error:
            post.full_clean()
        assert "part_number" in error.value.message_dict

    def test_two_posts_cannot_be_the_same_part_of_a_series(self):
        series = SeriesFactory()
        PostFactory(series=series, part_number=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            PostFactory(series=series, part_number=1)


class TestSlugs:
    def test_slug_is_made_from_the_title(self):
        assert PostFactory(title="Two sides of one coin").slug == "two-sides-of-one-coin"

    def test_slugs_stay_unique(self):
        first = PostFactory(title="Same title")
        second = PostFactory(title="Same title")
        assert first.slug != second.slug
        assert second.slug.startswith("same-title")

    def test_slug_does_not_follow_a_new_title(self):
        post = PostFactory(title="Original title")
        post.title = "A better title"
        post.save()
        post.refresh_from_db()
        assert post.slug == "original-title"

    def test_slug_is_locked_once_a_post_is_live(self):
        assert PostFactory().slug_is_locked
        assert PostFactory(scheduled=True).slug_is_locked
        assert not PostFactory(draft=True).slug_is_locked

    def test_a_title_of_symbols_still_gets_a_slug(self):
        assert PostFactory(title="!!! ???").slug == "untitled"


class TestSeriesNavigation:
    @pytest.fixture
    def parts(self):
        series = SeriesFactory(planned_parts=4)
        posts = [PostFactory(series=series, part_number=n, publish_at=days_ago(10 - n)) for n in (1, 2, 3)]
        PostFactory(series=series, part_number=4, scheduled=True)
        return series, posts

    def test_position_total_uses_the_highest_published_part(self):
        series = SeriesFactory()
        posts = {n: PostFactory(series=series, part_number=n, publish_at=days_ago(10 - n)) for n in (1, 2, 5)}
        assert [posts[n].series_position() for n in (1, 2, 5)] == [(1, 5), (2, 5), (5, 5)]

    def test_column_entries_published_at_the_same_moment_reach_each_other(self):
        column = SeriesFactory(kind=Series.Kind.COLUMN)
        moment = days_ago(3)
        first, second = PostFactory(series=column, publish_at=moment), PostFactory(series=column, publish_at=moment)
        assert first.next_in_series() == second
        assert second.previous_in_series() == first

    def test_position_counts_planned_parts(self, parts):
        _series, (_first, second, _third) = parts
        assert second.series_position() == (2, 4)

    def test_previous_and_next(self, parts):
        _series, (first, second, third) = parts
        assert second.previous_in_series() == first
        assert second.next_in_series() == third
        assert first.previous_in_series() is None

    def test_unpublished_next_part_is_not_offered(self, parts):
        _series, (_first, _second, third) = parts
        assert third.next_in_series() is None

    def test_draft_part_in_the_middle_is_skipped(self):
        series = SeriesFactory()
        one = PostFactory(series=series, part_number=1)
        PostFactory(series=series, part_number=2, draft=True)
        three = PostFactory(series=series, part_number=3)
        assert one.next_in_series() == three
        assert three.previous_in_series() == one

    def test_table_of_contents_is_in_part_order(self, parts):
        series, posts = parts
        assert list(series.published_parts()) == posts

    def test_column_lists_newest_first_and_navigates_by_date(self):
        column = SeriesFactory(kind=Series.Kind.COLUMN)
        old = PostFactory(series=column, publish_at=days_ago(14))
        new = PostFactory(series=column, publish_at=days_ago(7))
        assert list(column.published_parts()) == [new, old]
        assert new.previous_in_series() == old
        assert old.next_in_series() == new
        assert new.series_position() is None

    def test_post_outside_a_series_has_no_neighbours(self):
        post = PostFactory()
        assert post.previous_in_series() is None
        assert post.next_in_series() is None
        assert post.series_position() is None


class TestRendering:
    @pytest.mark.parametrize(
        "source",
        [
            "<script>alert('x')</script>",
            '<img src=x onerror="alert(1)">',
            "[click](javascript:alert(1))",
            '<a href="javascript:alert(1)">click</a>',
            '<iframe src="https://example.org"></iframe>',
            '<p onclick="alert(1)">hi</p>',
            "<svg onload=alert(1)>",
            '<a href="JaVaScRiPt:alert(1)">x</a>',
        ],
    )
    def test_markdown_renders_inert(self, source):
        html = PostFactory(body=source).body_html.lower()
        assert "<script" not in html
        assert "onerror" not in html
        assert "onclick" not in html
        assert "onload" not in html
        assert "javascript:" not in html
        assert "<iframe" not in html
        assert "<img" not in html

    def test_pathologically_nested_markdown_renders_as_text(self):
        post = PostFactory(body="- " * 800 + "x")
        assert post.body_html.startswith("<p>")
        assert "x" in post.body_html

    def test_markdown_keeps_ordinary_formatting(self):
        post = PostFactory(body="## Heading\n\nSome **bold** and a [link](https://example.org).\n\n> a quote")
        assert "<h2>Heading</h2>" in post.body_html
        assert "<strong>bold</strong>" in post.body_html
        assert 'href="https://example.org"' in post.body_html
        assert "<blockquote>" in post.body_html

    def test_excerpt_is_derived_when_empty(self):
        post = PostFactory(body="First words of the **story** & more.", excerpt="")
        assert post.summary == "First words of the story & more."

    def test_written_excerpt_wins(self):
        assert PostFactory(excerpt="Chosen words.").summary == "Chosen words."

    def test_reading_time_rounds_up(self):
        assert PostFactory(body="word " * 401).reading_minutes == 3


class TestFeatureImage:
    def test_renditions_are_made_once_with_their_sizes(self):
        post = PostFactory(feature_image=image_file(width=2000, height=1500), feature_image_alt="A calm sea")
        assert (post.image_card_width, post.image_card_height) == (640, 360)
        assert (post.image_social_width, post.image_social_height) == (1200, 630)
        assert (post.image_wide_width, post.image_wide_height) == (1200, 900)
        with Image.open(post.image_social.path) as social:
            assert social.size == (1200, 630)
        card_name = post.image_card.name
        post.title = "Edited"
        post.save()
        assert post.image_card.name == card_name

    def test_stored_image_has_no_metadata_and_a_generated_name(self):
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # camera make
        upload = image_file(name="my-home-address.jpg", fmt="JPEG", width=800, height=600, exif=exif.tobytes())
        post = PostFactory(feature_image=upload, feature_image_alt="A window")
        assert "my-home-address" not in post.feature_image.name
        with Image.open(post.feature_image.path) as stored:
            assert not stored.getexif()

    @pytest.mark.parametrize("model, field", [("contributor", "avatar"), ("series", "cover_image")])
    def test_every_upload_field_strips_metadata_and_renames(self, model, field):
        from tests.factories import ContributorFactory, SeriesFactory

        exif = Image.Exif()
        exif[0x8825] = {1: "S", 2: (33.0, 55.0, 0.0)}
        upload = image_file(name="home-street.jpg", fmt="JPEG", width=2000, height=1500, exif=exif.tobytes())
        owner = {"contributor": ContributorFactory, "series": SeriesFactory}[model](**{field: upload})
        stored = getattr(owner, field)
        assert "home-street" not in stored.name
        with Image.open(stored.path) as image:
            assert not image.getexif()
            assert max(image.size) <= (256 if field == "avatar" else 1600)

    def test_clearing_the_image_clears_renditions(self):
        post = PostFactory(feature_image=image_file(), feature_image_alt="A tree")
        post.feature_image = None
        post.save()
        post.refresh_from_db()
        assert not post.image_card and post.image_card_width is None

    def test_feature_image_needs_a_description(self):
        post = PostFactory.build(contributor=ContributorFactory(), feature_image=image_file(), feature_image_alt="")
        with pytest.raises(ValidationError) as error:
            post.full_clean()
        assert "feature_image_alt" in error.value.message_dict


class TestPublishFrom:
    """A post made from someone else's writing: series takes the text through a small protocol, not a Story."""

    def _writing(self, **overrides):
        from types import SimpleNamespace

        return SimpleNamespace(
            **{"title": "A reader's year", "body": "Words. " * 60, "public_credit": "Lindiwe"} | overrides
        )

    def test_publish_from_makes_a_live_featured_post_credited_to_the_writer(self):
        from tests.factories import ContentNoteFactory, ContributorFactory, TopicFactory

        note, tag = ContentNoteFactory(), TopicFactory()
        post = Post(contributor=ContributorFactory())
        post.publish_from(self._writing(), series=None, tags=[tag], content_notes=[note])
        post.refresh_from_db()
        assert post.is_published() and post.featured and post.from_reader
        assert (post.title, post.byline) == ("A reader's year", "Lindiwe")
        assert list(post.tags.all()) == [tag] and list(post.content_notes.all()) == [note]

    def test_publish_from_again_keeps_a_live_posts_moment_and_slug(self):
        from tests.factories import ContributorFactory

        post = Post(contributor=ContributorFactory())
        post.publish_from(self._writing(), series=None)
        moment, slug = post.publish_at, post.slug
        post.publish_from(self._writing(title="A better title"), series=None)
        post.refresh_from_db()
        assert (post.title, post.publish_at, post.slug) == ("A better title", moment, slug)

    def test_publish_from_refuses_a_post_written_for_the_site(self):
        from tests.factories import PostFactory

        own = PostFactory(title="An editor's own post")
        with pytest.raises(InvalidTransition):
            own.publish_from(self._writing(), series=None)
        own.refresh_from_db()
        assert own.title == "An editor's own post" and not own.from_reader
