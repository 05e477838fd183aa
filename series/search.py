"""Search on SQLite: an FTS5 table with the Porter stemmer over each post's title and text.

PostgreSQL has its own English full-text search (the `search_vector` column, migration 0012). On SQLite the
table `series_post_fts` indexes `series_post` itself (it stores no copy of the text), and triggers keep it in
step with every insert, update and delete, whatever writes the row. A migration that rebuilds `series_post`
(SQLite alters tables by copying them) drops its triggers: `install` runs after every `migrate` and puts back
whatever is missing, rebuilding the index when it had to.
"""

# ruff: noqa: S608 - every name in this SQL is one of the constants below; the reader's words are parameters.
from __future__ import annotations

import re

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "series_post_fts"
TITLE_WEIGHT = 10.0  # a word in the title counts ten times a word in the text

_TRIGGERS = {
    "series_post_fts_insert": f"""
        CREATE TRIGGER series_post_fts_insert AFTER INSERT ON series_post BEGIN
            INSERT INTO {TABLE} (rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
        END""",
    "series_post_fts_delete": f"""
        CREATE TRIGGER series_post_fts_delete AFTER DELETE ON series_post BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, title, search_text)
                VALUES ('delete', old.id, old.title, old.search_text);
        END""",
    "series_post_fts_update": f"""
        CREATE TRIGGER series_post_fts_update AFTER UPDATE OF title, search_text ON series_post BEGIN
            INSERT INTO {TABLE} ({TABLE}, rowid, title, search_text)
                VALUES ('delete', old.id, old.title, old.search_text);
            INSERT INTO {TABLE} (rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
        END""",
}


def install(connection: BaseDatabaseWrapper) -> None:
    """Make the index and its triggers where any is missing, and fill the index from the posts then."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        if "series_post" not in present or {TABLE, *_TRIGGERS} <= present:
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, search_text, content='series_post', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        for name, sql in _TRIGGERS.items():
            if name not in present:
                cursor.execute(sql)
        cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in _TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def match_expression(query: str, max_words: int = 12) -> str:
    """The reader's words as an FTS5 query in which every word must appear (each quoted, so no word is read as
    an operator); empty when the query holds no word."""
    words = re.findall(r"\w+", query)[:max_words]
    return " ".join(f'"{word}"' for word in words)


def matching_ids_sql() -> str:
    return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"


def ranked_join(post_table: str, expression: str) -> dict:
    """QuerySet.extra() arguments joining the index to `post_table` for one query, with each row's BM25 rank
    as `rank` (lower is better)."""
    return {
        "select": {"rank": f"bm25({TABLE}, {TITLE_WEIGHT}, 1.0)"},
        "tables": [TABLE],
        "where": [f"{TABLE}.rowid = {post_table}.id", f"{TABLE} MATCH %s"],
        "params": [expression],
    }


def forget_deleted_text(using: str = "default") -> None:
    """Merge the index into one segment, so the words of deleted posts leave the file (FTS5 otherwise keeps them
    under delete markers until its segments happen to merge; SQLite's `secure_delete` then overwrites the freed
    pages). Run after a post is deleted: deletion is an erasure here."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")
