"""The erasure ledger (ole/erasures.py): every erasure is recorded, with ids and times only, before it commits,
and replaying the ledger erases again what a restored backup brought back. Whole restores are tested in
tests/faults/test_backups.py; here, the ledger itself."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from ole import erasures
from ole.models import ErasureRecord
from series.models import Comment
from stories.models import Story
from tests.factories import PostFactory, SeriesFactory, StoryFactory

pytestmark = pytest.mark.django_db


def test_a_withdrawal_is_recorded_with_the_storys_id_and_times_only():
    story = StoryFactory(title="Secret title", email="me@example.org")
    story.withdraw()
    (line,) = ErasureRecord.objects.values()
    assert line["kind"] == "story.withdrawn"
    assert line["ref"] == story.public_id.hex and line["ref_created"] == story.submitted_at
    assert "Secret" not in str(line) and "me@example.org" not in str(line)


def test_an_erasure_the_ledger_cannot_record_is_not_made(monkeypatch):
    story = StoryFactory(title="Still here")

    def ledger_down(*args, **kwargs):
        raise RuntimeError("the ledger's database is down")

    monkeypatch.setattr(ErasureRecord.objects, "bulk_create", ledger_down)
    with pytest.raises(RuntimeError):
        story.withdraw()
    story.refresh_from_db()
    assert (story.status, story.title) == (Story.Status.SUBMITTED, "Still here")


def test_every_way_a_comment_goes_is_recorded():
    post = PostFactory()
    fields = {"post": post, "name": "N", "email": "n@example.org", "body": "b", "status": "approved"}
    by_writer, by_editors, erased = (Comment.objects.create(**fields) for _ in range(3))
    numbers = {"by_writer": str(by_writer.pk), "by_editors": str(by_editors.pk), "erased": str(erased.pk)}
    by_writer.remove_by_writer()
    by_editors.remove()
    erased.erase()
    kinds = sorted(ErasureRecord.objects.values_list("kind", "ref"))
    assert kinds == sorted(
        [
            ("comment.removed", numbers["by_writer"]),
            ("comment.taken_down", numbers["by_editors"]),
            ("comment.removed", numbers["erased"]),
        ]
    )


def test_replay_drops_again_a_spam_comments_contact_details_that_a_restore_brought_back():
    post = PostFactory()
    spam = Comment.objects.create(post=post, name="s", email="s@x.org", website="https://s.example", body="x")
    spam.mark_spam()
    Comment.objects.filter(pk=spam.pk).update(marked_spam_at=timezone.now() - datetime.timedelta(days=8))
    call_command("apply_retention", verbosity=0)
    assert ErasureRecord.objects.filter(kind="comment.contact", ref=str(spam.pk)).exists()
    # What a restore of an older backup looks like for this row:
    Comment.objects.filter(pk=spam.pk).update(email="s@x.org", website="https://s.example")
    assert erasures.replay() == 1
    spam.refresh_from_db()
    assert (spam.email, spam.website) == ("", "")
    assert erasures.replay() == 0  # once erased, nothing more to do


def test_replay_leaves_a_record_with_the_same_number_but_another_creation_time():
    post = PostFactory()
    comment = Comment.objects.create(post=post, name="N", email="n@example.org", body="mine", status="approved")
    erasures.record("comment.removed", comment.pk, comment.created - datetime.timedelta(seconds=1))
    assert erasures.replay() == 0
    assert Comment.objects.get(pk=comment.pk).body == "mine"


def test_a_kind_nobody_can_replay_is_refused():
    with pytest.raises(LookupError):
        erasures.record("post.unknown", 1, timezone.now())


def test_a_stopped_follow_and_an_erased_address_stay_gone_after_a_restore():
    from series.models import Subscription

    confirmed = {"confirmed_at": timezone.now()}
    stopped = Subscription.objects.create(email="stop@example.org", **confirmed)
    mine = [
        Subscription.objects.create(email="me@example.org", **confirmed),
        Subscription.objects.create(email="me@example.org", series=SeriesFactory(), **confirmed),
    ]
    kept = Subscription.objects.create(email="kept@example.org", **confirmed)
    rows = {row.pk: row for row in Subscription.objects.all()}
    stopped.stop()
    mine[0].erase_address()
    assert list(Subscription.objects.all()) == [kept]
    # What a restore of an older backup looks like: the rows are back.
    Subscription.objects.bulk_create([row for pk, row in rows.items() if pk != kept.pk])
    assert erasures.replay() == 3
    assert list(Subscription.objects.all()) == [kept]


def test_write_to_us_messages_deleted_by_retention_stay_gone_after_a_restore(settings):
    import uuid

    from stories.models import ContactMessage

    old = timezone.now() - datetime.timedelta(days=settings.OLE_RETENTION_DAYS + 1)
    message = ContactMessage.objects.create(
        name="A", email="a@example.org", body="b", form_key=uuid.uuid4(), closed_at=old
    )
    call_command("apply_retention", verbosity=0)
    assert not ContactMessage.objects.exists()
    ContactMessage.objects.bulk_create([message])
    assert erasures.replay() == 1
    assert not ContactMessage.objects.exists()
