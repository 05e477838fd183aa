"""A content note can say its writer may be in crisis; the seeded suicide and self-harm notes do."""

from django.db import migrations, models

CRISIS_NOTES = ["suicidal-thoughts", "self-harm"]


def mark(apps, schema_editor):
    ContentNote = apps.get_model("series", "ContentNote")
    ContentNote.objects.filter(slug__in=CRISIS_NOTES).update(signals_crisis=True)


class Migration(migrations.Migration):
    dependencies = [("series", "0016_comment_taken_down")]

    operations = [
        migrations.AddField(
            model_name="contentnote",
            name="signals_crisis",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Tick for notes such as “suicidal thoughts” or “self-harm”: a writer who picks it for their "
                    "own story is shown the crisis lines at once, and the story is marked urgent for the editors."
                ),
                verbose_name="a writer choosing it may be in crisis",
            ),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
