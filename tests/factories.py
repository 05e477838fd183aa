"""factory_boy factories shared by every test."""

from __future__ import annotations

import datetime
import io

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from series.models import Comment, ContentNote, Contributor, CrisisLine, Post, Series, Topic


def image_bytes(width: int = 64, height: int = 48, fmt: str = "PNG", color=(90, 140, 170), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt, **save_kwargs)
    return buffer.getvalue()


def image_file(name: str = "picture.png", **kwargs) -> ContentFile:
    return ContentFile(image_bytes(**kwargs), name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password-42")


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contributor

    display_name = factory.Sequence(lambda n: f"Contributor {n}")
    slug = factory.Sequence(lambda n: f"contributor-{n}")
    bio = "Writes about living with anxiety."


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")
    summary = "A series in parts."
    kind = Series.Kind.BOUNDED


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "Posts about this topic."


class ContentNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentNote
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"note {n}")
    slug = factory.Sequence(lambda n: f"note-{n}")


class CrisisLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrisisLine

    name = factory.Sequence(lambda n: f"Helpline {n}")
    region = "South Africa"
    phone = "0800 000 000"


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    contributor = factory.SubFactory(ContributorFactory)
    body = "A first paragraph about a hard year.\n\nA second paragraph about getting through it."
    status = Post.Status.PUBLISHED
    publish_at = factory.Sequence(lambda n: days_ago(1 + n / 1000))

    class Params:
        draft = factory.Trait(status=Post.Status.DRAFT, publish_at=None)
        scheduled = factory.Trait(
            status=Post.Status.SCHEDULED,
            publish_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7)),
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def content_notes(self, create, extracted, **kwargs):
        if create and extracted:
            self.content_notes.set(extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    body = "Thank you for writing this. It helped."
    status = Comment.Status.APPROVED


def current_consent():
    from stories.models import ConsentVersion

    consent, _created = ConsentVersion.objects.get_or_create(
        version=1, defaults={"publish_text": "Publish.", "editing_text": "Edit.", "age_text": "18+."}
    )
    return consent


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stories.Story"

    title = factory.Sequence(lambda n: f"My story {n}")
    body = "I want to tell you about the year I stopped. " * 12
    credit = "pen_name"
    credit_name = "Quiet Reader"
    email = factory.Sequence(lambda n: f"writer{n}@example.org")
    photo = ""
    photo_alt = factory.LazyAttribute(lambda story: "A window at dawn" if story.photo else "")
    consent_version = factory.LazyFunction(current_consent)
    consented_at = factory.LazyFunction(timezone.now)
    consent_publish = True
    consent_editing = True
    consent_adult = True
