from django.contrib import admin

from .models import OutboundEmail, SafetyTerm


@admin.register(SafetyTerm)
class SafetyTermAdmin(admin.ModelAdmin):
    list_display = ["phrase", "kind"]
    list_filter = ["kind"]
    search_fields = ["phrase"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read-only view of the mail queue: what waits, what failed. It holds no addresses or text."""

    list_display = ["kind", "object_id", "state", "attempts", "send_after", "last_error", "sent_at"]
    list_filter = ["state", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
