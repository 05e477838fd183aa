from __future__ import annotations

import csv

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from taggit.models import Tag as TaggitTag

from ole.privatefields import PrivateLookupsMixin
from ole.workflow import apply_each

from . import consent, mentions
from .models import (
    Comment,
    CommentReport,
    CommunitySettings,
    ContentNote,
    Contributor,
    CrisisLine,
    Post,
    Series,
    Subscription,
    Topic,
)


@admin.action(description="Publish now", permissions=["change"])
def publish_now(modeladmin, request, queryset):
    def publish(post: Post) -> None:
        post.publish_now()
        mentions.link_internal(post)

    apply_each(modeladmin, request, queryset, publish, "published")


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Go live at", help_text="A moment still to come, e.g. 2026-12-24 08:00 (the site's time zone)."
    )


@admin.action(description="Schedule…", permissions=["change"])
def schedule(modeladmin, request, queryset):
    form = ScheduleForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        when = form.cleaned_data["publish_at"]
        apply_each(modeladmin, request, queryset, lambda post: post.schedule(when), "scheduled")
        return None
    return TemplateResponse(
        request,
        "admin/series/post/schedule.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Schedule",
            "posts": queryset,
            "form": form,
            "opts": modeladmin.model._meta,
        },
    )


@admin.action(description="Feature on the home page", permissions=["change"])
def feature(modeladmin, request, queryset):
    apply_each(modeladmin, request, queryset, lambda post: post.set_featured(True), "featured")


@admin.action(description="Stop featuring", permissions=["change"])
def unfeature(modeladmin, request, queryset):
    apply_each(modeladmin, request, queryset, lambda post: post.set_featured(False), "no longer featured")


@admin.action(description="Move back to draft", permissions=["change"])
def unpublish(modeladmin, request, queryset):
    apply_each(modeladmin, request, queryset, lambda post: post.unpublish(), "moved back to draft")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "is_published", "publish_at", "series", "part_number", "contributor", "featured"]
    list_filter = ["status", "featured", "series", "contributor", ("tags", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["series", "contributor"]
    search_fields = ["title", "body", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["contributor", "series"]
    filter_horizontal = ["content_notes"]
    actions = [publish_now, schedule, unpublish, feature, unfeature]
    # The status changes only through the actions (publish now, schedule, move back to draft): a new post is
    # a draft.
    readonly_fields = ["status", "preview_link", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "contributor", "body", "excerpt"]}),
        ("Series", {"fields": ["series", "part_number"]}),
        ("Image", {"fields": ["feature_image", "feature_image_alt"]}),
        ("For readers", {"fields": ["content_notes", "tags"]}),
        (
            "Publication",
            {"fields": ["status", "publish_at", "featured", "comments_open", "preview_link", "created", "updated"]},
        ),
        ("Provenance", {"fields": ["byline", "from_reader"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.slug_is_locked:
            fields.append("slug")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.slug_is_locked:
            return {}
        return super().get_prepopulated_fields(request, obj)

    @admin.display(description="Preview")
    def preview_link(self, post: Post) -> str:
        if not post.pk:
            return "Save the post to preview it."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview as readers will see it</a>', post.get_preview_url()
        )

    def save_model(self, request, obj: Post, form, change) -> None:
        super().save_model(request, obj, form, change)
        mentions.link_internal(obj)  # links to other OLE posts show up as pingbacks at once

    def view_on_site(self, post: Post) -> str:
        return post.get_absolute_url() if post.is_published() else post.get_preview_url()

    def delete_model(self, request, obj: Post) -> None:
        obj.erase()  # its image files too, once the deletion is committed

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for post in queryset:
                post.erase()


class FollowerCountMixin:
    """Editors see how many people follow a series or topic by email, never who."""

    def get_queryset(self, request):
        confirmed = models.Q(followers__confirmed_at__isnull=False, followers__stopped_at__isnull=True)
        return super().get_queryset(request).annotate(follower_count=models.Count("followers", filter=confirmed))

    @admin.display(description="Followers by email", ordering="follower_count")
    def followers(self, obj) -> int:
        return obj.follower_count


@admin.register(Series)
class SeriesAdmin(FollowerCountMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "planned_parts", "position", "followers"]
    list_filter = ["kind"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "slug", "user", "email_on_comments"]
    search_fields = ["display_name", "bio"]
    prepopulated_fields = {"slug": ["display_name"]}
    autocomplete_fields = ["user"]


@admin.register(ContentNote)
class ContentNoteAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "signals_crisis"]
    list_filter = ["signals_crisis"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(FollowerCountMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "followers"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "region", "phone", "sms", "verified", "position"]
    list_filter = ["region", "verified"]
    search_fields = ["name", "organisation", "region"]


# OLE tags are Topics (they carry a description); taggit's own Tag model is unused.
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)


# What approving or marking a comment reads: its post, its thread and whom to notify.
MODERATION_RELATED = ("post", "parent", "post__contributor__user")


@admin.action(description="Approve", permissions=["change"])
def approve_comments(modeladmin, request, queryset):
    apply_each(
        modeladmin,
        request,
        queryset.select_related(*MODERATION_RELATED),
        lambda comment: comment.approve(),
        "approved",
    )


@admin.action(description="Mark as spam", permissions=["change"])
def mark_spam(modeladmin, request, queryset):
    apply_each(
        modeladmin,
        request,
        queryset.select_related(*MODERATION_RELATED),
        lambda comment: comment.mark_spam(),
        "marked as spam",
    )


@admin.action(description="Remove (replies stay, under a “removed by the editors” note)", permissions=["change"])
def remove_comments(modeladmin, request, queryset):
    apply_each(
        modeladmin,
        request,
        queryset.select_related(*MODERATION_RELATED),
        lambda comment: comment.remove(),
        "removed",
    )


@admin.action(description="Keep (the readers' reports are answered)", permissions=["change"])
def keep_reported(modeladmin, request, queryset):
    apply_each(modeladmin, request, queryset, lambda comment: comment.keep_despite_reports(request.user), "kept")


class ModerationFilter(admin.SimpleListFilter):
    """The moderation queue opens on what is held or reported; everything else is one click away."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("all", "All comments and mentions")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Waiting for moderation or reported",
        }
        yield {
            "selected": self.value() == "all",
            "query_string": changelist.get_query_string({self.parameter_name: "all"}),
            "display": "All comments and mentions",
        }

    def queryset(self, request, queryset):
        if self.value() == "all" or request.GET.get("status__exact"):
            return queryset
        return queryset.filter(models.Q(status=Comment.Status.PENDING) | models.Q(open_reports__gt=0))


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    fields = ["reason", "note", "created", "resolved_at", "resolved_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Readers' reports"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    """The moderation queue: filter to “Waiting for moderation” for the held comments, newest first."""

    list_display = ["excerpt", "name", "post", "status", "reported", "held_reason", "in_reply_to", "created"]
    list_filter = [ModerationFilter, "status", "kind"]
    list_select_related = ["post", "parent"]
    search_fields = ["body", "name", "post__title"]
    ordering = ["-created"]
    actions = [approve_comments, mark_spam, remove_comments, keep_reported, "delete_selected"]
    inlines = [CommentReportInline]
    fields = [
        "post",
        "kind",
        "source_url",
        "thread_context",
        "name",
        "website",
        "email",
        "body",
        "status",
        "held_reason",
        "role",
        "notify_replies",
        "like_count",
        "created",
        "edited_at",
        "consent_wording",
        "consented_at",
        "consent_text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request):
        open_reports = models.Count("reports", filter=models.Q(reports__resolved_at__isnull=True))
        return super().get_queryset(request).annotate(open_reports=open_reports)

    @admin.display(description="Reports", ordering="open_reports")
    def reported(self, comment: Comment) -> str:
        return str(comment.open_reports) if comment.open_reports else "—"

    @admin.display(description="Consent line agreed to")
    def consent_text(self, comment: Comment) -> str:
        if not comment.consent_wording:
            return "None recorded (a pingback or webmention, or a comment from before consent was recorded)"
        return consent.WORDINGS.get(comment.consent_wording, "(unknown version)")

    @admin.display(description="Comment")
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:80] or "(removed)"

    @admin.display(description="In reply to")
    def in_reply_to(self, comment: Comment) -> str:
        return comment.parent.body[:60] if comment.parent_id else "—"

    @admin.display(description="Thread")
    def thread_context(self, comment: Comment) -> str:
        chain = []
        parent = comment.parent
        while parent is not None and len(chain) < 5:
            chain.append(parent)
            parent = parent.parent
        if not chain:
            return "A new thread."
        return format_html_join(
            "", "<p><strong>{}</strong>: {}</p>", ((c.name or "removed", c.body[:300]) for c in reversed(chain))
        )

    # The count changes with the comments, in one transaction: pages are rendered afresh when it commits, never
    # in between from the new comments and the old count.
    def delete_model(self, request, obj: Comment) -> None:
        post = obj.post
        with transaction.atomic():
            super().delete_model(request, obj)
            post.refresh_comment_count()

    def delete_queryset(self, request, queryset) -> None:
        posts = {comment.post for comment in queryset.select_related("post")}
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            for post in posts:
                post.refresh_comment_count()


@admin.register(CommunitySettings)
class CommunitySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reply_depth", "close_after_days", "max_links", "edit_minutes"]

    def has_add_permission(self, request) -> bool:
        return not CommunitySettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description="Download the selected addresses (CSV)")
def export_followers(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="followers.csv"'
    writer = csv.writer(response)
    writer.writerow(["email", "following", "how_often", "confirmed", "source", "stopped"])
    for subscription in queryset.select_related("series", "topic"):
        writer.writerow(
            [
                subscription.email,
                subscription.target_name,
                subscription.frequency,
                subscription.confirmed_at.isoformat() if subscription.confirmed_at else "",
                subscription.source,
                subscription.stopped_at.isoformat() if subscription.stopped_at else "",
            ]
        )
    return response


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """The followers' addresses: superusers only. Editors see counts on the series and topics."""

    list_display = ["email", "target", "frequency", "confirmed_at", "source", "refusals", "stopped_at"]
    list_filter = [
        "frequency",
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("stopped_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    list_select_related = ["series", "topic"]
    actions = [export_followers, "delete_selected"]
    readonly_fields = ["email", "series", "topic", "created", "confirmed_at", "source", "refusals", "stopped_at"]

    @admin.display(description="Follows")
    def target(self, subscription: Subscription) -> str:
        return subscription.target_name

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False
