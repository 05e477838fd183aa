"""Safety flags: what in a text the editors should look at before anything is published."""

from __future__ import annotations

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


def _mentions(text: str, phrases: Iterable[str]) -> bool:
    lowered = " ".join(text.lower().split())
    return any(re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", lowered) for phrase in phrases if phrase)


def flags_for(text: str, *, crisis_terms: Iterable[str], medication_terms: Iterable[str]) -> set[str]:
    """Which safety flags a text raises: identity (contact details or an address), medication, crisis."""
    flags = set()
    if looks_like_contact_details(text) or _STREET.search(text):
        flags.add(IDENTITY)
    if _DOSE.search(text) or _mentions(text, medication_terms):
        flags.add(MEDICATION)
    if _mentions(text, crisis_terms):
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
    crisis = _mentions(text, terms.get("crisis", []))
    if crisis:
        reasons.append("The writer may be in crisis")
    return Verdict(hold_reasons=tuple(reasons), crisis=crisis)
