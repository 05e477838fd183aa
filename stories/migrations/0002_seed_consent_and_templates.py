"""The first consent wording, and a few answers editors start from."""

from django.db import migrations

CONSENT_V1 = {
    "version": 1,
    "publish_text": (
        "I agree that OLE may publish my story on its website, credited the way I chose above. "
        "I can withdraw it at any time."
    ),
    "editing_text": (
        "I agree that the editors may make light edits for clarity and safety, and I understand that "
        "they will show me the edited version and ask me before publishing it."
    ),
    "age_text": "I am 18 or older.",
}

TEMPLATES = [
    (
        "Decline: too much medication detail",
        "decline",
        "Thank you for trusting us with your story. Parts of it describe doses and how to reduce them, and we "
        "can't publish that kind of detail, because readers may follow it without their prescriber. If you'd "
        "like, you could send a shorter version about how it felt rather than the steps you took; we would be "
        "glad to read it.",
    ),
    (
        "Decline: kept private",
        "decline",
        "Thank you for sharing this with us. We don't think we can publish it as it is, because it would make "
        "you easy to recognise, and we want to keep you safe. Writing it down still matters. If you would like "
        "to send a version that leaves out names and places, we would be glad to read it.",
    ),
    (
        "Changes: a little shorter",
        "changes",
        "Thank you for your story; we would love to publish it. Could you make it a little shorter, keeping the "
        "parts that matter most to you? A length of about 800 to 1,500 words works well for readers on phones.",
    ),
    (
        "Edits: light edits for clarity",
        "edits",
        "We have made some light edits for clarity: mostly shorter sentences and a few paragraph breaks. "
        "Your words and your voice are all still there. Please have a look and tell us what you think.",
    ),
]


def seed(apps, schema_editor):
    ConsentVersion = apps.get_model("stories", "ConsentVersion")
    MessageTemplate = apps.get_model("stories", "MessageTemplate")
    ConsentVersion.objects.get_or_create(version=CONSENT_V1["version"], defaults=CONSENT_V1)
    for name, purpose, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(name=name, defaults={"purpose": purpose, "body": body})


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
