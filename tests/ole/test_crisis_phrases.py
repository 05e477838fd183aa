"""The seeded crisis list against real sentences: what it must catch, and what it must leave alone.

Editors extend the list in the admin (Site-wide settings › Safety terms); add the sentence that prompted a new
phrase here too, so that a later change to the matcher cannot quietly drop it.
"""

import importlib

import pytest

from ole.models import SafetyTerm
from ole.safety import mentions_crisis

SEEDED = [
    *importlib.import_module("ole.migrations.0002_seed_safety_terms").CRISIS,
    *importlib.import_module("ole.migrations.0006_more_crisis_terms").CRISIS,
]

MUST_CATCH = [
    "Some nights I don't want to be here anymore.",
    "Some nights I don’t want to be here anymore.",
    "some nights i dont want to be here anymore",
    "I really don't want to be alive.",
    "I do not want to live like this any more.",
    "Honestly I dont want to exist.",
    "I don't want to wake up tomorrow.",
    "I hope I don't wake up in the morning.",
    "Every night I wish I wouldn't wake up.",
    "I just want to go to sleep and never wake up.",
    "I want to sleep forever.",
    "I wish I wasn't here.",
    "Sometimes I wish I were dead.",
    "I wish I was dead.",
    "I wish I'd never been born.",
    "I wish I had never been born.",
    "I'm so tired of living.",
    "I am tired of being alive.",
    "I'm done with life.",
    "I want it all to end.",
    "I won't be here much longer.",
    "Everyone would be better off without me.",
    "My family would be better off if I was gone.",
    "They'd all be better off if I wasn't here.",
    "My kids are better off without me.",
    "Honestly I'd be better off dead.",
    "I'm such a burden to everyone.",
    "I am just a burden.",
    "Some days I want to end it all.",
    "I keep thinking about ending it all.",
    "I'm going to end my life.",
    "I'm going to end it tonight.",
    "I want to take my own life.",
    "I want to kill myself.",
    "I've been thinking about killing myself.",
    "I'm going to kill myself.",
    "I want to die.",
    "I wanted to just die this morning and I still do.",
    "I can't go on like this.",
    "I cannot go on.",
    "I cant go on anymore.",
    "I can't do this anymore.",
    "I can’t take it anymore.",
    "I can't cope anymore.",
    "I just can't carry on.",
    "I see no way out.",
    "I have nothing left to live for.",
    "There's no reason to live.",
    "What's the point, there is no point in living.",
    "Life is not worth living.",
    "This is goodbye.",
    "I've started writing goodbye letters to my kids.",
    "This will be the last time you'll hear from me.",
    "I've been giving away my things.",
    "I've put my affairs in order.",
    "I have a plan to end it.",
    "I've made a plan to kill myself.",
    "I know exactly how I would do it.",
    "I've been stockpiling my pills.",
    "I'm saving up my sleeping pills.",
    "Tonight I'll take all my pills.",
    "I want to take all the pills in the cupboard.",
    "I'm going to drink all my pills.",
    "I thought about drinking rat poison.",
    "I want to drink Jik.",
    "I took an overdose last night.",
    "I keep wanting to hurt myself.",
    "I've been hurting myself again.",
    "I want to harm myself.",
    "I started cutting myself again.",
    "I want to jump in front of a train.",
    "I feel suicidal.",
    "I'm having suicidal thoughts again.",
]

# The second column says what the matcher does with the sentence. False: it must not be caught. True: it is
# caught and that is acceptable (a past crisis told as recovered: the story is marked urgent and an editor reads
# it, then clears the mark with a reason).
ORDINARY = [
    ("I was dying to tell you about my new job.", False),
    ("I almost died laughing at that.", False),
    ("That joke killed me.", False),
    ("I could kill for a good night's sleep.", False),
    ("My doctor started me on sertraline last year.", False),
    ("Tapering off venlafaxine took me eight months.", False),
    ("The withdrawal symptoms were worst in the second week.", False),
    ("Brain zaps are a common withdrawal symptom.", False),
    ("I take my pills every morning with breakfast.", False),
    ("I drink my pills with a glass of milk.", False),
    ("The pharmacist at Clicks explained the new dose.", False),
    ("My GP said we could halve the tablets slowly.", False),
    ("I keep my tablets in a box by the kettle.", False),
    ("We said goodbye to my gran at the airport.", False),
    ("I said goodbye to everyone at work on my last day.", False),
    ("I'm tired of waiting for the clinic to call back.", False),
    ("I hurt my back carrying the groceries.", False),
    ("I cut myself shaving this morning.", False),
    ("I made a plan with my counsellor for the bad days.", False),
    ("I want to live a quiet life now.", False),
    ("I want to be here for my children.", False),
    ("I can't wait to go on holiday.", False),
    ("I couldn't go on the trip because of the side effects.", False),
    ("We can't do this without the support group.", False),
    ("There was no way out of the parking lot.", False),
    ("I'm a better person without alcohol.", False),
    ("Everyone is better off knowing the side effects.", False),
    ("Overdoses of paracetamol damage the liver, the leaflet says.", False),
    ("The relapse took me by surprise.", False),
    ("My sister is a nurse in the emergency room.", False),
    ("I woke up early and went for a walk.", False),
    ("I finally sleep through the night again.", False),
    ("Don't wake me up before nine.", False),
    ("I was done with the medication, not with life, my doctor said.", False),
    # Past crises told as recovered
    ("Five years ago I wanted to kill myself; today I am well.", True),
    ("I used to feel suicidal, but the support group helped.", True),
    ("Back then I felt like a burden, I'm a burden to no one now.", True),
    ("In 2019 I took an overdose and survived; I'm grateful to be here.", True),
]


@pytest.mark.parametrize("sentence", MUST_CATCH)
def test_the_seeded_crisis_list_catches(sentence):
    assert mentions_crisis(sentence, SEEDED)


@pytest.mark.parametrize("sentence, caught", ORDINARY)
def test_ordinary_sentences_about_the_topic(sentence, caught):
    assert mentions_crisis(sentence, SEEDED) is caught


def test_the_table_is_big_enough():
    assert len(MUST_CATCH) >= 60
    assert sum(1 for _sentence, caught in ORDINARY if not caught) >= 30


@pytest.mark.django_db
def test_the_database_holds_the_seeded_crisis_phrases():
    assert set(SEEDED) <= set(SafetyTerm.phrases()["crisis"])
