"""Starting word lists for the safety flags; editors keep them up to date in the admin."""

from django.db import migrations

CRISIS = [
    "kill myself", "end it all", "end my life", "want to die", "wish i was dead", "suicide", "suicidal",
    "no reason to live", "better off without me", "can't go on", "cannot go on", "hurt myself", "tonight is the night",
]
MEDICATION = [
    "taper schedule", "tapering schedule", "cut the dose", "halve the dose", "dosage", "where to buy", "buy online",
    "without a prescription", "from a dealer",
]


def seed(apps, schema_editor):
    SafetyTerm = apps.get_model("ole", "SafetyTerm")
    for kind, phrases in (("crisis", CRISIS), ("medication", MEDICATION)):
        for phrase in phrases:
            SafetyTerm.objects.get_or_create(kind=kind, phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [("ole", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
