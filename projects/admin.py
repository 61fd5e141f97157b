"""The project cycle in Django admin: to read, never to change. Every change goes through
projects.services, and approval only through the Leading Group's vote (Art. 7 (3))."""

from django.contrib import admin

from projects.models import Assignment, Call, Proposal


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(ReadOnly):
    list_display = ["year", "title", "opens_on", "closes_on", "envelope_fen"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnly):
    list_display = ["title", "call", "unit", "status", "recommended_fen", "approved_fen"]
    list_filter = ["call", "status", "category"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnly):
    list_display = ["proposal", "expert", "state", "total"]
    list_filter = ["state"]
