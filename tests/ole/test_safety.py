import pytest

from ole.models import SafetyTerm
from ole.safety import CRISIS, IDENTITY, MEDICATION, flags_for, looks_like_contact_details
from stories.models import Story

CRISIS_TERMS = ["end it all", "suicidal"]
MEDICATION_TERMS = ["taper schedule", "where to buy"]


def flags(text: str) -> set[str]:
    return flags_for(text, crisis_terms=CRISIS_TERMS, medication_terms=MEDICATION_TERMS)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Call me on 082 123 4567 any time.", {IDENTITY}),
        ("My number is +27 (82) 123-4567.", {IDENTITY}),
        ("Write to me at thandi.m@example.co.za please", {IDENTITY}),
        ("We lived at 14 Jacaranda Street for years.", {IDENTITY}),
        ("I was on 2 mg every night.", {MEDICATION}),
        ("I followed a taper schedule from a forum.", {MEDICATION}),
        ("Does anyone know where to buy them?", {MEDICATION}),
        ("Some nights I just want to END IT ALL.", {CRISIS}),
        ("I felt suicidal that winter.", {CRISIS}),
        ("I am calmer now, sleeping again, and grateful.", set()),
        ("In 2019 I started; by 2021 I had stopped.", set()),
        ("The pendulum swung back and forth.", set()),
    ],
)
def test_flags(text, expected):
    assert flags(text) == expected


def test_phrases_match_whole_words_only():
    assert flags("I bought a suicidality study book") == set()


@pytest.mark.parametrize("name, expected", [("Tumi", False), ("me@example.org", True), ("0821234567", True)])
def test_contact_details_in_a_name(name, expected):
    assert looks_like_contact_details(name) is expected


@pytest.mark.django_db
class TestTheWordListsAreReadOnce:
    def test_read_from_the_database_once_then_from_the_cache(self, django_assert_num_queries):
        SafetyTerm.phrases()
        with django_assert_num_queries(0):
            assert "end it all" in SafetyTerm.phrases()["crisis"]

    def test_a_term_added_or_removed_applies_to_the_next_story_at_once(self, client):
        from tests.stories.test_submission import submit

        SafetyTerm.phrases()
        term = SafetyTerm.objects.create(kind=SafetyTerm.Kind.CRISIS, phrase="lantern dark")
        submit(client, body="x " * 60 + "the lantern dark again", title="First")
        term.delete()
        submit(client, body="x " * 60 + "the lantern dark again", title="Second")
        urgent = dict(Story.objects.values_list("title", "urgent"))
        assert urgent == {"First": True, "Second": False}

    def test_with_the_cache_down_the_lists_come_from_the_database(self, monkeypatch, caplog):
        def down(*args, **kwargs):
            raise ConnectionError("cache down")

        for name in ("get", "set", "delete"):
            monkeypatch.setattr(f"ole.models.cache.{name}", down)
        SafetyTerm.objects.create(kind=SafetyTerm.Kind.HOLD, phrase="miracle cure")
        assert "miracle cure" in SafetyTerm.phrases()["hold"]
        assert "cache not read" in caplog.text

    def test_a_copy_read_by_another_server_before_the_commit_is_forgotten_when_it_commits(
        self, django_capture_on_commit_callbacks
    ):
        from django.core.cache import cache

        stale = SafetyTerm.phrases()
        with django_capture_on_commit_callbacks(execute=True):
            SafetyTerm.objects.create(kind=SafetyTerm.Kind.CRISIS, phrase="lantern dark")
            cache.set(SafetyTerm.CACHE_KEY, stale)  # another process read the lists before this commit
        assert "lantern dark" in SafetyTerm.phrases()["crisis"]


@pytest.mark.parametrize(
    "text, caught",
    [
        ("I don’t want to be here", True),  # a curly apostrophe
        ("I dont want to be here", True),  # none at all
        ("I do not want to be here", True),  # spelled out
        ("I DON'T want to be HERE", True),
        ("I don't really want to be here", True),  # one extra word
        ("I don't want to be anywhere near here", True),  # two extra words
        ("I don't want to be with anyone else here", False),  # three are too many
        ("I don't want to. Be here, I mean", False),  # a phrase never runs across two sentences
        ("I didn't want them here", False),
    ],
)
def test_a_crisis_phrase_matches_its_ordinary_phrasings(text, caught):
    from ole.safety import mentions_crisis

    assert mentions_crisis(text, ["don't want to be here"]) is caught


@pytest.mark.parametrize(
    "text, caught",
    [("Killing myself felt like the only way", True), ("She planned it for weeks", True), ("A planet", False)],
)
def test_a_crisis_phrase_matches_the_forms_of_its_words(text, caught):
    from ole.safety import mentions_crisis

    assert mentions_crisis(text, ["kill myself", "plan"]) is caught


def test_the_comment_lists_match_their_words_exactly():
    from ole.safety import judge_comment

    terms = {"block": ["cheap pills"], "hold": ["dm me"]}
    assert judge_comment("Buy cheap pills here", terms=terms, max_links=2).discard
    assert not judge_comment("The cheap generic pills worked for me", terms=terms, max_links=2).discard
    assert judge_comment("DM me", terms=terms, max_links=2).held


def test_each_list_is_compiled_once():
    from ole.safety import _pattern, mentions_crisis

    terms = ["lantern dark", "quiet harbour"]
    mentions_crisis("first text", terms)
    hits = _pattern.cache_info().hits
    mentions_crisis("second text", list(terms))
    assert _pattern.cache_info().hits == hits + 1
