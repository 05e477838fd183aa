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
from tests.factories import PostFactory, StoryFactory

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
