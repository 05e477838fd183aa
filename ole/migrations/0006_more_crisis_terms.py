"""More crisis phrases: the ordinary ways people say they may end their lives.

Drawn from the warning signs that SADAG, the Samaritans and the NHS publish (talking about wanting to die or not
wanting to be here, feeling a burden, having no reason to live, saying goodbye, giving things away, having a plan
or the means), put in the plain English South Africans write. Each phrase also catches its inflections, "dont" for
"don't" and up to two extra words between its words (ole/safety.py), so one entry covers many phrasings.
"""

from django.db import migrations, models

CRISIS = [
    # Not wanting to be here or to wake up
    "don't want to be here",
    "don't want to be alive",
    "don't want to live",
    "don't want to exist",
    "don't want to wake up",
    "hope I don't wake up",
    "wish I wouldn't wake up",
    "sleep and never wake up",
    "want to sleep forever",
    "wish I wasn't here",
    "wish I were dead",
    "wish I was never born",
    "wish I had never been born",
    "want to disappear forever",
    "tired of living",
    "tired of being alive",
    "done with life",
    "want it all to end",
    "want everything to end",
    "won't be here much longer",
    "won't be around much longer",
    # Being a burden, everyone better off
    "better off dead",
    "better off gone",
    "better off without me",
    "better off if I was gone",
    "better off if I wasn't here",
    "better off if I was dead",
    "better off if I died",
    "I'm a burden",
    "a burden to everyone",
    # Ending it, not going on
    "end it tonight",
    "end myself",
    "take my own life",
    "take my life",
    "can't do this anymore",
    "can't take it anymore",
    "can't cope anymore",
    "can't carry on",
    "can't keep going",
    "see no way out",
    "nothing to live for",
    "no point in living",
    "no point living",
    "no point going on",
    "not worth living",
    "isn't worth living",
    # Saying goodbye, putting things in order
    "this is goodbye",
    "this is my goodbye",
    "goodbye forever",
    "goodbye letter",
    "goodbye note",
    "last time you'll hear from me",
    "giving away my things",
    "give away my stuff",
    "put my affairs in order",
    # A plan or the means
    "plan to end it",
    "plan to end my life",
    "plan to kill myself",
    "how I would do it",
    "how I'll do it",
    "stockpile pills",
    "stockpile tablets",
    "save up my pills",
    "save up pills",
    "hoard pills",
    "take all my pills",
    "take all the pills",
    "take the whole box",
    "take the whole bottle",
    "swallow all the pills",
    "drink all my pills",
    "drink all the pills",
    "take an overdose",
    "overdose on purpose",
    "drink poison",
    "rat poison",
    "drink jik",
    # Killing or hurting oneself
    "harm myself",
    "cutting myself",
    "cut myself again",
    "cut my wrists",
    "burn myself",
    "hang myself",
    "shoot myself",
    "drown myself",
    "throw myself in front of",
    "jump in front of a train",
    "jump off a bridge",
    "jump off a building",
    "unalive myself",
]


def seed(apps, schema_editor):
    SafetyTerm = apps.get_model("ole", "SafetyTerm")
    for phrase in CRISIS:
        SafetyTerm.objects.get_or_create(kind="crisis", phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [("ole", "0005_counters")]

    operations = [
        migrations.AlterField(
            model_name="safetyterm",
            name="phrase",
            field=models.CharField(
                help_text=(
                    "Matched as whole words, ignoring case and the kind of apostrophe (“don’t” = “dont” = “do "
                    "not”). A crisis phrase also matches its word forms (“kill myself” finds “killing myself”) "
                    "and up to two extra words between its words (“want to die” finds “wanted to just die”); the "
                    "other lists match the words exactly as written. Check a phrase against real sentences in "
                    "tests/ole/test_crisis_phrases.py before relying on it."
                ),
                max_length=100,
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
