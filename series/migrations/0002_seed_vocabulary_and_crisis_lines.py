"""Seed what every installation needs: the content-note vocabulary and example crisis lines.

The crisis lines are marked unverified: editors must check each one before launch.
"""

from django.db import migrations

CONTENT_NOTES = [
    ("withdrawal symptoms", "withdrawal-symptoms", "Physical and emotional symptoms of coming off a medication."),
    ("suicidal thoughts", "suicidal-thoughts", "Mentions of thoughts of ending one's life."),
    ("self-harm", "self-harm", "Mentions of hurting oneself."),
    ("overdose", "overdose", "Mentions of taking too much of a substance."),
    ("relapse", "relapse", "Returning to a substance or old pattern after a break."),
]

CRISIS_LINES = [
    dict(
        name="Suicide Crisis Helpline",
        organisation="SADAG (South African Depression and Anxiety Group)",
        region="South Africa",
        phone="0800 567 567",
        hours="24 hours, every day",
        description="Free to call. Example entry: an editor must verify it before launch.",
        position=10,
    ),
    dict(
        name="Substance Abuse Helpline",
        organisation="SADAG (South African Depression and Anxiety Group)",
        region="South Africa",
        phone="0800 12 13 14",
        sms="32312",
        hours="24 hours, every day",
        description="For dependence, withdrawal and recovery. Example entry: an editor must verify it before launch.",
        position=20,
    ),
    dict(
        name="Emergency services",
        region="International",
        phone="112",
        description=(
            "If your life or someone else's is in danger now, call your local emergency number "
            "(112 in much of the world, 911 in North America, 10111 for police in South Africa). "
            "Example entry: an editor must verify it before launch."
        ),
        position=30,
    ),
    dict(
        name="Find a helpline in your country",
        region="International",
        website="https://findahelpline.com/",
        description=(
            "A directory of free, confidential helplines by country and topic. "
            "Example entry: an editor must verify it before launch."
        ),
        position=40,
    ),
]


def seed(apps, schema_editor):
    ContentNote = apps.get_model("series", "ContentNote")
    CrisisLine = apps.get_model("series", "CrisisLine")
    for name, slug, description in CONTENT_NOTES:
        ContentNote.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    if not CrisisLine.objects.exists():
        for line in CRISIS_LINES:
            CrisisLine.objects.create(verified=False, **line)


class Migration(migrations.Migration):
    dependencies = [("series", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
