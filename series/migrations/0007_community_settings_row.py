"""The single row of community settings, with its defaults, so pages only ever read it."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("series", "CommunitySettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("series", "0006_community")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
