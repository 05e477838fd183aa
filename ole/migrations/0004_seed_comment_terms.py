"""Starting hold and block lists for comments; editors keep them up to date in the admin."""

from django.db import migrations

HOLD = ["dm me", "message me privately", "whatsapp me", "contact me privately", "my number is"]
BLOCK = ["casino bonus", "crypto giveaway", "cheap pills", "replica watches", "seo services"]


def seed(apps, schema_editor):
    SafetyTerm = apps.get_model("ole", "SafetyTerm")
    for kind, phrases in (("hold", HOLD), ("block", BLOCK)):
        for phrase in phrases:
            SafetyTerm.objects.get_or_create(kind=kind, phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [("ole", "0003_community")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
