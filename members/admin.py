from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import services
from members.http import SignedInRequest
from members.models import (
    Appointment,
    Body,
    BodyUserObjectPermission,
    Duty,
    Seat,
    Unit,
    UnitUserObjectPermission,
    User,
)
from members.rules import EXPERT_PANEL_MIN, PanelSize

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class SeatedCount(TypedDict):
        seated_count: int

    # The mixin below is only ever mixed into a ModelAdmin.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "unit", "title", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "unit"]
    search_fields = ["username", "full_name", "email", "phone"]
    list_select_related = ["unit"]
    ordering = ["full_name", "username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "unit", "title", "email", "phone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "unit", "password1", "password2"),
            },
        ),
    )


class DutyInline(admin.TabularInline):
    model = Duty
    extra = 0
    fields = ["article", "item", "text", "text_en"]


class SeatInline(admin.TabularInline):
    """Seats are listed here; they are added on the Seat screen, through the roster service."""

    model = Seat
    extra = 0
    fields = ["role", "ex_officio", "ex_officio_unit", "order"]
    readonly_fields = ["role"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class UnitSeatInline(SeatInline):
    """The unit's own seats (its head, its liaisons), not those held as its head."""

    fk_name = "unit"
    fields = ["role", "order"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "is_member_unit", "order"]
    list_filter = ["is_member_unit"]
    search_fields = ["name", "short_name", "name_en", "code"]
    inlines = [UnitSeatInline, DutyInline]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "host_unit", "seated", "flags"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "code"]
    inlines = [SeatInline, DutyInline]

    def get_queryset(self, request: HttpRequest):
        today = timezone.localdate()
        seated = Q(seats__appointments__started_on__lte=today) & (
            Q(seats__appointments__ended_on__isnull=True)
            | Q(seats__appointments__ended_on__gt=today)
        )
        return (
            super()
            .get_queryset(request)
            .select_related("parent", "host_unit")
            .annotate(seated_count=Count("seats__appointments", filter=seated))
        )

    @admin.display(description=_("seated"), ordering="seated_count")
    def seated(self, body: "WithAnnotations[Body, SeatedCount]") -> int:
        return body.seated_count

    @admin.display(description=_("flags"))
    def flags(self, body: "WithAnnotations[Body, SeatedCount]") -> str:
        # Art. 6 / R-ORG-2
        if body.kind == Body.Kind.EXPERT_PANEL and PanelSize(body.seated_count).too_small:
            return str(_("Fewer than %(min)d experts (Art. 6)") % {"min": EXPERT_PANEL_MIN})
        return ""


class AddThroughServiceMixin(_ModelAdmin):
    """Adding a row in admin calls the roster service, so the regulation's checks, the
    permissions and the audit entry all apply; a refusal is shown and nothing is created."""

    def add_through_service(self, request: SignedInRequest, obj):
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            # The admin is for staff only: its requests come from a signed-in user.
            obj.pk = self.add_through_service(cast(SignedInRequest, request), obj).pk
        except services.RosterError as error:
            self.message_user(request, str(error), messages.ERROR)

    def log_addition(self, request: HttpRequest, obj, message):
        if obj.pk is None:
            return None
        return super().log_addition(request, obj, message)

    def response_add(self, request: HttpRequest, obj, post_url_continue=None):
        if obj.pk is None:  # the service refused; say why and stay on the form
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)


class AppointmentInline(admin.TabularInline):
    """History is read-only here; appointments change through the actions below."""

    model = Appointment
    extra = 0
    fields = readonly_fields = (
        "person",
        "started_on",
        "ended_on",
        "document_number",
        "end_document_number",
        "note",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Seat)
class SeatAdmin(AddThroughServiceMixin, admin.ModelAdmin):
    list_display = ["__str__", "body", "unit", "role", "ex_officio", "ex_officio_unit", "order"]
    list_filter = ["body", "unit", "role"]
    search_fields = ["ex_officio", "appointments__person__full_name"]
    list_select_related = ["body", "unit", "ex_officio_unit"]
    inlines = [AppointmentInline]
    actions = ["vacate_today"]

    def get_readonly_fields(self, request: HttpRequest, obj: Seat | None = None) -> list[str]:
        # A seat's body or unit and its role decide the permissions its holder has: they are
        # set once.
        return ["body", "unit", "role"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def add_through_service(self, request: SignedInRequest, obj: Seat) -> Seat:
        return services.add_seat(
            actor=request.user,
            body=obj.body,
            unit=obj.unit,
            role=obj.role,
            ex_officio=obj.ex_officio,
            ex_officio_unit=obj.ex_officio_unit,
        )

    @admin.action(description=_("Vacate the selected seats today"))
    def vacate_today(self, request: SignedInRequest, queryset) -> None:
        for seat in queryset:
            try:
                services.vacate_seat(actor=request.user, seat=seat)
            except services.RosterError as error:
                self.message_user(request, f"{seat}: {error}", messages.WARNING)


@admin.register(Appointment)
class AppointmentAdmin(AddThroughServiceMixin, admin.ModelAdmin):
    """Adding an appointment fills the seat through the roster service (and grants its
    permissions); existing appointments are history and are never edited."""

    list_display = ["person", "seat", "started_on", "ended_on"]
    list_filter = ["seat__body", "seat__unit", "seat__role", "ended_on"]
    search_fields = ["person__full_name", "person__username"]
    list_select_related = ["person", "seat__body", "seat__unit"]
    date_hierarchy = "started_on"
    # R-ORG-4: a leader's or deputy's seat is filled citing the appointment document.
    fields = ["seat", "person", "started_on", "note", "document_number", "document_date"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def add_through_service(self, request: SignedInRequest, obj: Appointment) -> Appointment:
        return services.fill_seat(
            actor=request.user,
            seat=obj.seat,
            person=obj.person,
            started_on=obj.started_on,
            note=obj.note,
            document_number=obj.document_number,
            document_date=obj.document_date,
        )


@admin.register(BodyUserObjectPermission)
class BodyPermissionAdmin(admin.ModelAdmin):
    """Who may do what on which body: read-only, because seats alone grant permissions
    (members.services); `manage.py sync_permissions` would undo a grant made by hand."""

    list_display = ["user", "permission", "content_object"]
    list_filter = ["content_object", "permission"]
    search_fields = ["user__full_name", "user__username"]
    list_select_related = ["user", "permission", "content_object"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UnitUserObjectPermission)
class UnitPermissionAdmin(BodyPermissionAdmin):
    """Who may do what for which unit: read-only, as on bodies."""
