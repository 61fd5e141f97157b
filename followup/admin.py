from django.contrib import admin

from followup.models import Extension, Forwarding, Holiday, Inspection, Item, Reminder


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The Office keeps the public holidays and make-up working days that working days skip
    and add (followup.workdays)."""

    list_display = ["day", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "day"


class ReadOnly(admin.ModelAdmin):
    """Changed only through followup.services, which check and audit every step."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Item)
class ItemAdmin(ReadOnly):
    list_display = ["title", "lead_unit", "status", "due_date", "closed_late"]
    list_filter = ["status", "source", "lead_unit"]
    search_fields = ["title"]


admin.site.register(Forwarding, ReadOnly)
admin.site.register(Inspection, ReadOnly)
admin.site.register(Extension, ReadOnly)
admin.site.register(Reminder, ReadOnly)
