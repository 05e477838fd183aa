"""Safety flags: what in a text the editors should look at before anything is published."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .text import count_links

IDENTITY = "identity"
MEDICATION = "medication"
CRISIS = "crisis"

_PHONE = re.compile(r"(?<![\w])(?:\+?\d[\s\-().]*){9,}(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w'-]*\s+){1,3}(?:street|st|road|rd|avenue|ave|drive|dr|lane|close|crescent|way|place)\b",
    re.IGNORECASE,
)
_DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:mg|milligrams?|mcg|micrograms?|ml)\b", re.IGNORECASE)


def looks_like_contact_details(text: str) -> bool:
    return bool(_PHONE.search(text) or _EMAIL.search(text))


# Phrases are matched on a canonical form of the text: lower case, apostrophes of any kind dropped ("don’t" and
# "dont" alike), a few spelled-out negations and contractions folded together ("do not" = "don't", "I am" = "I'm")
# and sentence ends kept as "." so a phrase never runs across two sentences. The terms are put through the same
# steps, so whatever an editor types in the admin is compared like with like.
_APOSTROPHES = re.compile(r"[’‘ʼ`´']")
_TOKENS = re.compile(r"[a-z0-9]+|[.!?;]+")
_CANONICAL = {
    "can not": "cant",
    "cannot": "cant",
    "do not": "dont",
    "does not": "doesnt",
    "did not": "didnt",
    "will not": "wont",
    "would not": "wouldnt",
    "is not": "isnt",
    "are not": "arent",
    "was not": "wasnt",
    "were not": "werent",
    "have not": "havent",
    "i am": "im",
    "i will": "ill",
    "i would": "id",
    "i had": "id",
    "i have": "ive",
    "you will": "youll",
    "it is": "its",
    "what is": "whats",
    "wanna": "want to",
    "gonna": "going to",
}
_FOLD = re.compile(r"(?<![^ ])(?:" + "|".join(re.escape(key) for key in _CANONICAL) + r")(?![^ ])")

# A crisis phrase also matches the usual forms of its words and up to two extra words between any two of them:
# "want to die" catches "wanted to just die", "kill myself" catches "killing myself". An extra word is never "to",
# which starts a new verb: "can't go on" must not catch "can't wait to go on holiday".
GAP_WORDS = 2
_GAP = rf"(?: (?!to )[a-z0-9]+){{0,{GAP_WORDS}}}"
_IRREGULAR = {
    "be": {"being", "been"},
    "buy": {"bought"},
    "die": {"died", "dying", "dies"},
    "do": {"does", "did", "done", "doing"},
    "drink": {"drank", "drunk"},
    "feel": {"felt"},
    "find": {"found"},
    "get": {"got", "gotten"},
    "give": {"gave", "given"},
    "go": {"goes", "going", "gone", "went"},
    "hang": {"hung"},
    "have": {"has", "had", "having"},
    "keep": {"kept"},
    "leave": {"left"},
    "make": {"made"},
    "say": {"said"},
    "see": {"saw", "seen"},
    "shoot": {"shot"},
    "take": {"took", "taken"},
    "tell": {"told"},
    "think": {"thought"},
    "throw": {"threw", "thrown"},
    "wake": {"woke", "woken"},
    "write": {"wrote", "written"},
}
_VOWELS = set("aeiou")


def canonical(text: str) -> str:
    """The text as the phrase lists are matched against it (see above)."""
    words = " ".join(_TOKENS.findall(_APOSTROPHES.sub("", text.lower())))
    words = re.sub(r"[.!?;]+", ".", words)
    return _FOLD.sub(lambda match: _CANONICAL[match.group(0)], words)


def _forms(word: str) -> set[str]:
    """A word and its simple inflections: -s, -es, -ed, -ing, with the usual spelling changes."""
    forms = {word} | _IRREGULAR.get(word, set())
    if len(word) < 3 or not word.isalpha():
        return forms
    forms |= {word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("ie"):
        forms.add(word[:-2] + "ying")
    if word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word[-1] not in _VOWELS | set("wxy") and word[-2] in _VOWELS and word[-3] not in _VOWELS:
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # plan: planned, planning
    return forms


def _phrase_pattern(phrase: str, *, loose: bool) -> str:
    words = canonical(phrase).replace(".", " ").split()
    if loose:
        parts = ["(?:" + "|".join(sorted(map(re.escape, _forms(word)), key=len, reverse=True)) + ")" for word in words]
        return (_GAP + " ").join(parts)
    return re.escape(" ".join(words))


@functools.lru_cache(maxsize=32)
def _pattern(phrases: tuple[str, ...], loose: bool) -> re.Pattern[str] | None:
    """One regex for a whole list, compiled once per version of the list (the lists come from the cache)."""
    alternatives = [_phrase_pattern(phrase, loose=loose) for phrase in phrases if canonical(phrase).strip(" .")]
    if not alternatives:
        return None
    return re.compile(r"(?<![^ ])(?:" + "|".join(alternatives) + r")(?![^ ])")


def _mentions(text: str, phrases: Iterable[str], *, loose: bool = False) -> bool:
    """Whether the text holds one of the phrases as whole words; `loose` allows inflections and extra words."""
    pattern = _pattern(tuple(phrases), loose)
    return bool(pattern and pattern.search(canonical(text)))


def mentions_crisis(text: str, phrases: Iterable[str]) -> bool:
    """Whether the text holds one of the crisis phrases, in any of its ordinary phrasings."""
    return _mentions(text, phrases, loose=True)


def flags_for(text: str, *, crisis_terms: Iterable[str], medication_terms: Iterable[str]) -> set[str]:
    """Which safety flags a text raises: identity (contact details or an address), medication, crisis."""
    flags = set()
    if looks_like_contact_details(text) or _STREET.search(text):
        flags.add(IDENTITY)
    if _DOSE.search(text) or _mentions(text, medication_terms):
        flags.add(MEDICATION)
    if mentions_crisis(text, crisis_terms):
        flags.add(CRISIS)
    return flags


@dataclass(frozen=True)
class Verdict:
    """What the moderation rules make of a comment."""

    discard: bool = False
    hold_reasons: tuple[str, ...] = ()
    crisis: bool = False

    @property
    def held(self) -> bool:
        return bool(self.hold_reasons)


def judge_comment(text: str, *, terms: dict[str, list[str]], max_links: int) -> Verdict:
    """Discard spam from the block list; hold for review what needs an editor's eye, and say why."""
    if _mentions(text, terms.get("block", [])):
        return Verdict(discard=True)
    reasons = []
    if count_links(text) > max_links:
        reasons.append(f"More than {max_links} links")
    if _mentions(text, terms.get("hold", [])):
        reasons.append("Words on the hold list")
    if looks_like_contact_details(text):
        reasons.append("Looks like a phone number or email address")
    if _DOSE.search(text) or _mentions(text, terms.get("medication", [])):
        reasons.append("Mentions doses or where to get medication")
    crisis = mentions_crisis(text, terms.get("crisis", []))
    if crisis:
        reasons.append("The writer may be in crisis")
    return Verdict(hold_reasons=tuple(reasons), crisis=crisis)
