from django.contrib import admin

from .models import OutboundEmail, SafetyTerm


@admin.register(SafetyTerm)
class SafetyTermAdmin(admin.ModelAdmin):
    """The word lists every story and comment is checked against; a change applies to the next one at once."""

    list_display = ["phrase", "kind"]
    list_filter = ["kind"]
    search_fields = ["phrase"]
    fieldsets = [
        (
            None,
            {
                "fields": ["kind", "phrase"],
                "description": (
                    "The crisis list is the one to keep up to date: filter this list by “May be in crisis now” to "
                    "see it whole. Add the ways writers actually say it, in their own words (the warning signs "
                    "SADAG, the Samaritans and the NHS publish are a good start: not wanting to be here, being "
                    "a burden, no reason to live, saying goodbye, having a plan or the means). One short phrase "
                    "per entry is enough: its other word forms and a few words in between are found for you. "
                    "The sentences it must and must not catch are in tests/ole/test_crisis_phrases.py; ask a "
                    "developer to add yours there."
                ),
            },
        )
    ]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read-only view of the mail queue: what waits, what failed. It holds no addresses or text."""

    list_display = ["kind", "object_id", "state", "attempts", "send_after", "last_error", "sent_at"]
    list_filter = ["state", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
