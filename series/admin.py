from __future__ import annotations

import csv
import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime, make_aware
from django.views.decorators.http import require_POST
from taggit.models import Tag as TaggitTag

from ole import images
from ole.privatefields import PrivateLookupsMixin
from ole.workflow import InvalidTransition, apply_each

from . import consent, mentions, services
from .models import (
    Comment,
    CommentReport,
    CommunitySettings,
    ContentNote,
    Contributor,
    CrisisLine,
    ImportRun,
    OldAddress,
    Page,
    Post,
    PostRevision,
    Series,
    Subscription,
    Topic,
)
from .models.revisions import RESTORABLE_FIELDS, snapshot_of


@admin.action(description="Publish now", permissions=["change"])
def publish_now(modeladmin, request, queryset):
    def publish(post: Post) -> None:
        post.publish_now(by=request.user)
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
        apply_each(modeladmin, request, queryset, lambda post: post.schedule(when, by=request.user), "scheduled")
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
    apply_each(modeladmin, request, queryset, lambda post: post.unpublish(by=request.user), "moved back to draft")


@admin.action(description="Restore from the trash", permissions=["delete"])
def restore_from_trash(modeladmin, request, queryset):
    apply_each(modeladmin, request, queryset, lambda item: item.restore_from_trash(), "restored from the trash")


class TrashFilter(admin.SimpleListFilter):
    """Deleted posts and comments wait in the trash for Post.TRASH_DAYS; the list opens on the rest."""

    title = "trash"
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("in", "In the trash")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Not in the trash",
        }
        yield {
            "selected": self.value() == "in",
            "query_string": changelist.get_query_string({self.parameter_name: "in"}),
            "display": f"In the trash (deleted for good after {Post.TRASH_DAYS} days)",
        }

    def queryset(self, request, queryset):
        return queryset.filter(trashed_at__isnull=self.value() != "in")


class TrashMixin:
    """Deleting moves to the trash; deleting what is already in the trash deletes it for good."""

    delete_confirmation_template = "admin/series/trash_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/series/trash_delete_selected_confirmation.html"

    def get_deleted_objects(self, objs, request):
        """Moving to the trash deletes nothing else: the confirmation lists the items alone, and needs no right
        to delete what they hold (comments, revisions), which stays for a restore."""
        objs = list(objs)
        if any(item.trashed_at is not None for item in objs):
            return super().get_deleted_objects(objs, request)
        return [str(item) for item in objs], {self.model._meta.verbose_name_plural: len(objs)}, set(), []

    def delete_view(self, request, object_id, extra_context=None):
        return super().delete_view(request, object_id, {**(extra_context or {}), "trash_days": Post.TRASH_DAYS})

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        return [*fields, "trashed_at"] if request.GET.get(TrashFilter.parameter_name) == "in" else fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.GET.get(TrashFilter.parameter_name) != "in":
            actions.pop("restore_from_trash", None)
        return actions

    def delete_model(self, request, obj) -> None:
        self._delete_or_trash(request, [obj])

    def delete_queryset(self, request, queryset) -> None:
        self._delete_or_trash(request, queryset)

    def _delete_or_trash(self, request, items) -> None:
        trashed = 0
        with transaction.atomic():
            for item in items:
                if item.trashed_at is None:
                    item.trash()
                    trashed += 1
                else:
                    self.delete_for_good(item)
        if trashed:
            self.message_user(
                request,
                f"Moved to the trash: restorable there for {Post.TRASH_DAYS} days (filter “In the trash”).",
                messages.INFO,
            )


@admin.register(Post)
class PostAdmin(TrashMixin, admin.ModelAdmin):
    list_display = ["title", "status", "is_published", "publish_at", "series", "part_number", "contributor", "featured"]
    list_filter = [
        TrashFilter,
        "status",
        "featured",
        "series",
        "contributor",
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["series", "contributor"]
    search_fields = ["title", "body", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["contributor", "series"]
    filter_horizontal = ["content_notes"]
    actions = [publish_now, schedule, unpublish, feature, unfeature, restore_from_trash]

    # The status changes only through the actions (publish now, schedule, move back to draft): a new post is
    # a draft.
    readonly_fields = ["status", "preview_link", "revisions_link", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "contributor", "body", "excerpt"]}),
        ("Series", {"fields": ["series", "part_number"]}),
        ("Image", {"fields": ["feature_image", "feature_image_alt"]}),
        ("For readers", {"fields": ["content_notes", "tags"]}),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "publish_at",
                    "featured",
                    "comments_open",
                    "preview_link",
                    "revisions_link",
                    "created",
                    "updated",
                ]
            },
        ),
        ("Provenance", {"fields": ["byline", "from_reader"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_editors()

    def get_changeform_initial_data(self, request) -> dict:
        """`?series=ID&publish_at=YYYY-MM-DD` (the dashboard's link for an empty column slot) starts the new post
        in that series at the slot's time; a date that is not one is ignored."""
        initial = super().get_changeform_initial_data(request)
        day = initial.pop("publish_at", None)
        try:
            day = datetime.date.fromisoformat(day) if isinstance(day, str) else None
        except ValueError:
            day = None
        if day is not None:
            initial["publish_at"] = make_aware(datetime.datetime.combine(day, Series.SLOT_TIME))
        return initial

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

    @admin.display(description="Revisions")
    def revisions_link(self, post: Post) -> str:
        if not post.pk:
            return "Each save keeps a revision."
        return format_html(
            '<a href="{}">Earlier versions, what changed, and restore</a>',
            reverse("admin:series_post_revisions", args=[post.pk]),
        )

    def save_model(self, request, obj: Post, form, change) -> None:
        super().save_model(request, obj, form, change)
        mentions.link_internal(obj)  # links to other OLE posts show up as pingbacks at once

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.record_revision(by=request.user)  # after the tags and content notes are saved

    def view_on_site(self, post: Post) -> str:
        return post.get_absolute_url() if post.is_published() else post.get_preview_url()

    def has_delete_permission(self, request, obj=None) -> bool:
        """Editors move posts to the trash and back; only a superuser (or the retention command, after
        TRASH_DAYS) deletes a post for good, since an article and its comments cannot come back from that."""
        if obj is not None and obj.trashed_at is not None and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def delete_for_good(self, post: Post) -> None:
        post.erase()  # its revisions, and its image files once the deletion is committed

    # Revisions ------------------------------------------------------------------------------

    def restorable_fields(self, request, post: Post) -> tuple[str, ...]:
        """What a restore may bring back on this post (a reader's post narrows it: see stories.admin)."""
        return RESTORABLE_FIELDS

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/revisions/", view(self.revisions_view), name="series_post_revisions"),
            path(
                "<int:object_id>/revisions/<int:revision_id>/restore/",
                view(require_POST(self.restore_view)),
                name="series_post_revision_restore",
            ),
            *super().get_urls(),
        ]

    def revisions_view(self, request, object_id: int):
        post = get_object_or_404(Post, pk=object_id)
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        current = snapshot_of(post)
        restorable = self.restorable_fields(request, post)
        revisions = PostRevision.compared(list(post.revisions.select_related("saved_by")[:100]), current)
        return TemplateResponse(
            request,
            "admin/series/post/revisions.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Revisions of “{post}”",
                "post": post,
                "revisions": revisions,
                "can_restore": self.has_change_permission(request, post),
                "partial_restore": tuple(restorable) != RESTORABLE_FIELDS,
                "opts": self.model._meta,
            },
        )

    def restore_view(self, request, object_id: int, revision_id: int):
        post = get_object_or_404(Post, pk=object_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        revision = get_object_or_404(post.revisions, pk=revision_id)
        try:
            skipped = post.restore_revision(revision, by=request.user, fields=self.restorable_fields(request, post))
        except InvalidTransition as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:series_post_revisions", args=[post.pk]))
        self.log_change(request, post, f"Restored the revision of {localtime(revision.saved_at):%Y-%m-%d %H:%M}.")
        self.message_user(request, "The earlier version is back; the status is unchanged.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"Not restored: {', '.join(skipped)}.", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:series_post_change", args=[post.pk]))


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
    list_display = ["title", "kind", "planned_parts", "cadence_weekday", "position", "followers"]
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


class PageAdminForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = ["title", "path", "parent", "published", "body_html"]
        widgets = {"body_html": forms.Textarea(attrs={"rows": 20, "cols": 100})}
        help_texts = {
            "body_html": "HTML. On saving, anything unsafe is removed (scripts, frames, forms, styles, pictures "
            "from other sites), as for imported posts."
        }


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageAdminForm
    list_display = ["title", "path", "parent", "published", "updated"]
    list_filter = ["published"]
    search_fields = ["title", "path", "body_html"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(OldAddress)
class OldAddressAdmin(admin.ModelAdmin):
    list_display = ["path", "target_link", "created"]
    search_fields = ["path", "target"]
    fields = ["path", "target"]

    @admin.display(description="Now at", ordering="target")
    def target_link(self, obj: OldAddress) -> str:
        return format_html('<a href="{}">{}</a>', obj.target, obj.target)


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
        return [("reported", "Reported by readers"), ("all", "All comments and mentions")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Waiting for moderation or reported",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "reported":
            return queryset.filter(open_reports__gt=0)
        if self.value() == "all" or request.GET.get("status__exact") or request.GET.get(TrashFilter.parameter_name):
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
class CommentAdmin(TrashMixin, PrivateLookupsMixin, admin.ModelAdmin):
    """The moderation queue: filter to “Waiting for moderation” for the held comments, newest first."""

    list_display = ["excerpt", "name", "post", "status", "reported", "held_reason", "in_reply_to", "created"]
    list_filter = [ModerationFilter, TrashFilter, "status", "kind"]
    list_select_related = ["post", "parent"]
    search_fields = ["body", "name", "post__title"]
    ordering = ["-created"]
    actions = [approve_comments, mark_spam, remove_comments, keep_reported, "delete_selected", restore_from_trash]
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
        # Not the comments of a post an import is still writing: nobody, editors included, sees them yet.
        queryset = super().get_queryset(request).exclude(post__status=Post.Status.IMPORTING)
        return queryset.annotate(open_reports=open_reports)

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

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset.select_related("post"))

    # The count changes with the comments, in one transaction: pages are rendered afresh when it commits, never
    # in between from the new comments and the old count.
    def delete_for_good(self, comment: Comment) -> None:
        post = comment.post
        with transaction.atomic():
            comment.delete()
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


class ImportRunForm(forms.ModelForm):
    class Meta:
        model = ImportRun
        fields = ["export", "series_categories", "dry_run"]

    def clean_export(self):
        export = self.cleaned_data.get("export")
        if not export:
            raise forms.ValidationError("Choose the export file to import.")
        if export.size > images.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"This export is larger than {images.MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Import it on the server "
                "instead: manage.py import_wordpress EXPORT.xml (see docs/features.md)."
            )
        start = export.read(512).lstrip()
        export.seek(0)
        if not (start.startswith(b"<?xml") or start.startswith(b"<rss")):
            raise forms.ValidationError("This is not a WordPress export: choose the .xml file from Tools → Export.")
        return export


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Superusers upload an export; it runs in a process of its own, and its page shows the summary when done."""

    form = ImportRunForm
    list_display = ["__str__", "status", "dry_run", "started_by", "finished_at"]
    readonly_fields = ["status", "dry_run", "series_categories", "started_by", "created", "finished_at", "summary"]
    change_form_template = "admin/series/importrun/change_form.html"

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request) and (obj is None or obj.is_over)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        return self.form.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj: ImportRun, form, change: bool) -> None:
        obj.started_by = request.user
        super().save_model(request, obj, form, change)
        services.start_wordpress_import(obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, "The import has started. This page shows its summary when it ends.")
        return HttpResponseRedirect(reverse("admin:series_importrun_change", args=[obj.pk]))
