"""Django admin for meetings: a place to look, not to change.

Every change of a meeting goes through meetings.services (rules of Art. 12-14, audit entries,
notifications); an edit in the admin would bypass all three, so every model here is read-only.
Votes are doubly so: NamedVote, BallotReceipt and SecretTally cannot be added, changed or
deleted, and the secret ballot's two tables offer nothing that could join or order them
together (R-VOTE-1): no ids, no links to rows, no times.
"""

from django.contrib import admin
from django.http import HttpRequest

from meetings.models import (
    AgendaItem,
    Attendee,
    BallotReceipt,
    Decision,
    ExpectedMember,
    Material,
    Meeting,
    Motion,
    NamedVote,
    Notification,
    QuorumCheck,
    SecretTally,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows; adding, changing and deleting happen in the portal through the services."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ExpectedMemberInline(ReadOnlyInline):
    model = ExpectedMember
    fields = ["person", "role", "response", "leave_reason", "present", "checked_in_at"]


class AttendeeInline(ReadOnlyInline):
    model = Attendee
    fields = ["person", "note", "present"]


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["order", "title", "presenter_unit", "is_major"]
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "body", "kind", "status", "starts_at", "location", "chair"]
    list_filter = ["body", "kind", "status"]
    search_fields = ["title", "location"]
    list_select_related = ["body", "chair"]
    date_hierarchy = "starts_at"
    inlines = [ExpectedMemberInline, AttendeeInline, AgendaItemInline]


@admin.register(ExpectedMember)
class ExpectedMemberAdmin(ReadOnlyAdmin):
    list_display = ["person", "meeting", "role", "response", "present", "checked_in_at"]
    list_filter = ["response", "present", "role", "meeting__body"]
    search_fields = ["person__full_name", "person__username", "meeting__title"]
    list_select_related = ["person", "meeting"]


@admin.register(Attendee)
class AttendeeAdmin(ReadOnlyAdmin):
    list_display = ["person", "meeting", "note", "present"]
    list_filter = ["present", "meeting__body"]
    search_fields = ["person__full_name", "meeting__title", "note"]
    list_select_related = ["person", "meeting"]


@admin.register(QuorumCheck)
class QuorumCheckAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "gate", "present", "expected", "needed", "passed", "at"]
    list_filter = ["gate", "passed", "meeting__body"]
    search_fields = ["meeting__title"]
    list_select_related = ["meeting"]


class MaterialInline(ReadOnlyInline):
    model = Material
    fields = ["name", "size", "content_type", "uploaded_by", "uploaded_at"]


class MotionInline(ReadOnlyInline):
    model = Motion
    fields = ["text", "method", "basis", "threshold", "status", "passed"]
    show_change_link = True


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "meeting", "presenter_unit", "is_major"]
    list_filter = ["is_major", "meeting__body"]
    search_fields = ["title", "description", "meeting__title"]
    list_select_related = ["meeting", "presenter_unit"]
    inlines = [MaterialInline, MotionInline]


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ["name", "item", "size", "content_type", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "item__meeting__body"]
    search_fields = ["name", "item__title"]
    list_select_related = ["item", "uploaded_by"]


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ["text", "item", "method", "basis", "threshold", "status", "passed"]
    list_filter = ["method", "status", "passed", "basis", "threshold"]
    search_fields = ["text", "item__title", "item__meeting__title"]
    list_select_related = ["item"]


@admin.register(NamedVote)
class NamedVoteAdmin(ReadOnlyAdmin):
    """R-VOTE-5: named choices are shown once the vote has closed, here as in the portal."""

    list_display = ["motion", "voter", "choice", "cast_at"]
    list_filter = ["choice", "motion__item__meeting__body"]
    search_fields = ["voter__full_name", "motion__text"]
    list_select_related = ["motion", "voter"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(motion__status=Motion.Status.CLOSED)


@admin.register(BallotReceipt)
class BallotReceiptAdmin(ReadOnlyAdmin):
    """Who has cast a secret ballot; listed by name, never by id or in the order cast."""

    list_display = ["motion", "voter"]
    list_display_links = None
    list_filter = ["motion__item__meeting__body"]
    search_fields = ["voter__full_name", "motion__text"]
    list_select_related = ["motion", "voter"]
    actions = None  # no checkboxes: they would carry each row's id, which follows the casting
    sortable_by = []

    def get_queryset(self, request: HttpRequest):
        # Always by name within a motion, whatever the URL asks, so no order of casting shows.
        return (
            super().get_queryset(request).order_by("motion", "voter__full_name", "voter__username")
        )


@admin.register(SecretTally)
class SecretTallyAdmin(ReadOnlyAdmin):
    """The ballot box's counters: motion, choice and count, nothing else."""

    list_display = ["motion", "choice", "count"]
    list_display_links = None
    list_filter = ["choice", "motion__item__meeting__body"]
    search_fields = ["motion__text"]
    list_select_related = ["motion"]
    actions = None
    sortable_by = []

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).order_by("motion", "choice")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "item", "motion", "forward_to", "decided_at"]
    list_filter = ["forward_to", "item__meeting__body"]
    search_fields = ["text", "item__title"]
    list_select_related = ["item", "motion"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "text", "meeting", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["recipient__full_name", "text"]
    list_select_related = ["recipient", "meeting"]
