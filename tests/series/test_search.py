"""Search with English stemming on both databases: on PostgreSQL a weighted vector kept by the database itself
and a GIN index that serves it; on SQLite an FTS5 index with the Porter stemmer kept by triggers."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection

from series import search
from series.forms import SearchForm
from series.models import Post
from tests.factories import PostFactory, days_ago

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL; CI's second pass")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite index")


def found(query: str) -> list[str]:
    return list(Post.objects.published().search(query).values_list("title", flat=True))


def test_a_new_post_is_searchable_at_once():
    PostFactory(title="Tapering slowly", body="The second week was the hardest.")
    assert found("hardest week") == ["Tapering slowly"]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("tapering", "Taper notes"),
        ("tapered", "Taper notes"),
        ("taper", "How I am tapering"),
        ("benzodiazepines", "One benzodiazepine, two years"),
        ("benzodiazepine", "Benzodiazepines and sleep"),
        ("sleeping", "Benzodiazepines and sleep"),
        ("WITHDRAWAL symptoms", "What the withdrawal symptom list leaves out"),
    ],
)
def test_words_find_their_other_forms(query, title):
    PostFactory(title="Taper notes", body="Week one.")
    PostFactory(title="How I am tapering", body="Slowly.")
    PostFactory(title="One benzodiazepine, two years", body="A long road.")
    PostFactory(title="Benzodiazepines and sleep", body="Nights.")
    PostFactory(title="What the withdrawal symptom list leaves out", body="Plenty.")
    PostFactory(title="Gardening", body="Tomatoes and patience.")
    assert title in found(query)
    assert "Gardening" not in found(query)


def test_every_word_must_appear():
    PostFactory(title="Sleep", body="About nights.")
    PostFactory(title="Sleep and appetite", body="About food.")
    assert found("sleep appetite") == ["Sleep and appetite"]


def test_the_search_box_example_finds_a_demo_post():
    call_command("seed_demo", verbosity=0)
    example = SearchForm.base_fields["q"].widget.attrs["placeholder"].removeprefix("e.g. ")
    for word in example.split(", "):
        assert found(word), word


def test_a_deleted_post_is_not_found():
    post = PostFactory(title="Lanterns at dusk", body="Marigolds.")
    post.delete()
    assert found("marigolds") == []


@postgresql_only
def test_postgresql_keeps_the_vector_itself():
    post = PostFactory(title="Tapering slowly")
    assert Post.objects.filter(pk=post.pk).values_list("search_vector", flat=True).get()


@sqlite_only
def test_the_sqlite_index_comes_back_when_a_migration_rebuilds_the_posts_table():
    PostFactory(title="Tapering slowly", body="Week two.")
    with connection.cursor() as cursor:  # what copying the table in a migration does to its triggers
        for name in ("series_post_fts_insert", "series_post_fts_update", "series_post_fts_delete"):
            cursor.execute(f"DROP TRIGGER {name}")
    Post.objects.update(title="Tapered at last")
    search.install(connection)
    assert found("taper") == ["Tapered at last"]
    PostFactory(title="A new taper")
    assert sorted(found("taper")) == ["A new taper", "Tapered at last"]


@sqlite_only
def test_the_words_of_a_deleted_post_leave_the_sqlite_index(django_capture_on_commit_callbacks):
    PostFactory.create_batch(3, body="Ordinary words about ordinary days.")
    post = PostFactory(title="Zephyrlantern", body="quixotrelbloom " * 3)
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT block FROM {search.TABLE}_data")  # noqa: S608 - a constant name
        index = b"".join(bytes(block) for (block,) in cursor.fetchall() if block)
    assert b"zephyrlantern" not in index
    assert b"quixotrelbloom" not in index


def test_edits_move_the_vector_however_the_row_is_written():
    post = PostFactory(title="Old heading", body="Plain words.")
    Post.objects.filter(pk=post.pk).update(title="Lanterns at dusk")
    assert found("lanterns") == ["Lanterns at dusk"]
    assert found("heading") == []
    post.refresh_from_db()
    post.body = "Now about marigolds."
    post.save()
    assert found("marigolds") == ["Lanterns at dusk"]
    assert found("plain") == []


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_text():
    PostFactory(title="Notes from a long winter", body="Mostly about sleep.")
    PostFactory(title="Sleep", body="A short note.")
    assert found("sleep") == ["Sleep", "Notes from a long winter"]


@postgresql_only
def test_the_word_match_can_use_the_gin_index():
    PostFactory.create_batch(3)
    matches = Post.objects.filter(search_vector=SearchQuery("sleep", config="english"))
    with connection.cursor() as cursor:
        # A few rows: the planner would rather read them all, or walk another index and filter.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = matches.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "series_post_search_vector_gin" in plan, plan


def test_only_the_newest_matches_are_ranked_and_the_best_of_them_comes_first(monkeypatch):
    monkeypatch.setattr(Post, "SEARCH_MATCHES", 3)
    PostFactory(title="Sleep", body="Oldest, and the best match of all.", publish_at=days_ago(9))
    PostFactory(title="Tuesday", body="Some sleep.", publish_at=days_ago(3))
    PostFactory(title="Sleep at last", body="A title match.", publish_at=days_ago(2))
    PostFactory(title="Wednesday", body="More sleep.", publish_at=days_ago(1))
    results = found("sleep")
    assert results[0] == "Sleep at last"
    assert sorted(results[1:]) == ["Tuesday", "Wednesday"]
