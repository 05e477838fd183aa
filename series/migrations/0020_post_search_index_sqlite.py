from django.db import migrations

from series import search


def forward(apps, schema_editor):
    search.install(schema_editor.connection)


def backward(apps, schema_editor):
    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("series", "0019_crisis_line_verified_help"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
