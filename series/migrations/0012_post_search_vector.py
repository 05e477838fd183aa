import django.contrib.postgres.search
from django.db import migrations

# PostgreSQL keeps the vector itself, whatever writes the row (the ORM, an update(), a bulk insert).
POSTGRES_FORWARD = """
CREATE FUNCTION series_post_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.search_text, '')), 'B');
    RETURN NEW;
END
$$;
CREATE TRIGGER series_post_search_vector BEFORE INSERT OR UPDATE OF title, search_text ON series_post
    FOR EACH ROW EXECUTE FUNCTION series_post_search_vector();
UPDATE series_post SET title = title;
CREATE INDEX series_post_search_vector_gin ON series_post USING gin (search_vector);
"""
POSTGRES_BACKWARD = """
DROP INDEX IF EXISTS series_post_search_vector_gin;
DROP TRIGGER IF EXISTS series_post_search_vector ON series_post;
DROP FUNCTION IF EXISTS series_post_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("series", "0011_comment_marked_spam_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
