"""Search on PostgreSQL: a weighted vector kept by the database itself, and a GIN index that serves it."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from series.models import Post
from tests.factories import PostFactory, days_ago

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search; CI's second pass"),
]


def found(query: str) -> list[str]:
    return list(Post.objects.published().search(query).values_list("title", flat=True))


def test_a_new_post_is_searchable_at_once():
    post = PostFactory(title="Tapering slowly", body="The second week was the hardest.")
    assert Post.objects.filter(pk=post.pk).values_list("search_vector", flat=True).get()
    assert found("hardest week") == ["Tapering slowly"]


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
