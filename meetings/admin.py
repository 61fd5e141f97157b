"""Django admin for meetings: a place to look, not to change.

Every change of a meeting goes through meetings.services (rules of Art. 12-14, audit entries,
notifications); an edit in the admin would bypass all three, so every model here is read-only.
Votes are doubly so: NamedVote, BallotReceipt and the secret ballots cannot be added, changed
or deleted; receipts are listed by name, never by id or time, and the ballots (ciphertexts,
meetings.ballots) and scrutineers only once their motion is counted: no admin screen shows
the ballots or totals of an uncounted motion (R-VOTE-1). Minutes are drafted, signed and issued
through the services only; issued minutes are immutable (R-MIN-2), and their PDF bytes are
never put in a form: the PDF is downloaded from the portal, where the download is a read receipt.
"""

from django.contrib import admin
from django.http import HttpRequest

from meetings.ballots.models import Ballot, Scrutineer
from meetings.minutes.models import (
    Distribution,
    DocumentCounter,
    IssuedMinutes,
    Minutes,
    ReadReceipt,
)
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

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        # All shown, none in the form: a non-editable field such as uploaded_at in a form's
        # fields is a FieldError (the agenda item's page answered 500).
        return [str(name) for name in self.fields or ()]


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
    # R-VOTE-1: an uncounted secret ballot has no totals anywhere (they are decrypted only at
    # the count); the list shows whether it has been counted.
    list_display = ["text", "item", "method", "basis", "threshold", "status", "counted", "passed"]
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


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    """The published box of counted secret ballots: tracker and motion; the ciphertexts and
    proofs are on the portal's box page. Nothing of an uncounted motion."""

    list_display = ["tracker", "motion"]
    list_display_links = None
    search_fields = ["tracker"]
    list_select_related = ["motion"]
    fields = ["tracker", "motion"]
    actions = None
    sortable_by = []

    def get_queryset(self, request: HttpRequest):
        return (
            super().get_queryset(request).exclude(motion__counted="").order_by("motion", "tracker")
        )


@admin.register(Scrutineer)
class ScrutineerAdmin(ReadOnlyAdmin):
    """Who the scrutineers of a counted secret ballot were; never a share."""

    list_display = ["motion", "person", "index"]
    list_display_links = None
    fields = ["motion", "person", "index", "paper_confirmed"]
    list_select_related = ["motion", "person"]
    actions = None

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).exclude(motion__counted="")


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


# --- Minutes (Art. 15-16) -----------------------------------------------------------------------


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ["title", "meeting", "status", "corrects", "updated_at"]
    list_filter = ["status", "meeting__body"]
    search_fields = ["title", "narrative", "meeting__title"]
    list_select_related = ["meeting", "corrects"]
    fields = [
        "meeting",
        "title",
        "status",
        "corrects",
        "narrative",
        "comments",
        "distribution",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("corrects__pdf", "corrects__content")


class DistributionInline(ReadOnlyInline):
    model = Distribution
    fields = readonly_fields = ("unit", "sent_at")


@admin.register(IssuedMinutes)
class IssuedMinutesAdmin(ReadOnlyAdmin):
    """R-MIN-2: nothing to add, change or delete; the PDF bytes are never shown in a form."""

    list_display = ["number", "title", "body", "signer", "signed_at", "demo_signature"]
    list_filter = ["body", "year", "demo_signature"]
    search_fields = ["number", "title", "pdf_sha256"]
    list_select_related = ["body", "signer"]
    exclude = ["pdf"]
    fields = [
        "number",
        "title",
        "body",
        "year",
        "sequence",
        "minutes",
        "corrects",
        "signer",
        "signer_certificate",
        "demo_signature",
        "signed_at",
        "pdf_sha256",
        "content_sha256",
        "content",
    ]
    inlines = [DistributionInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("pdf")


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyAdmin):
    list_display = ["issued", "unit", "sent_at"]
    list_filter = ["unit"]
    search_fields = ["issued__number", "unit__name"]
    list_select_related = ["issued", "unit"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("issued__pdf", "issued__content")


@admin.register(ReadReceipt)
class ReadReceiptAdmin(ReadOnlyAdmin):
    list_display = ["reader", "distribution", "read_at"]
    list_filter = ["distribution__unit"]
    search_fields = ["reader__full_name", "distribution__issued__number"]
    list_select_related = ["reader", "distribution__issued", "distribution__unit"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .defer("distribution__issued__pdf", "distribution__issued__content")
        )


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdmin):
    """R-MIN-1: the last number used per body and year; changed only by signing."""

    list_display = ["body", "year", "last"]
    list_filter = ["body", "year"]
    list_select_related = ["body"]
