from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # R-MEET-4: the flag goes on the dashboard of members, which does not import meetings
        # (ARCHITECTURE.md), so meetings hands it a panel.
        from meetings import compliance, todo
        from members import panels

        panels.register(todo.dashboard_panel)  # the member's to-do list comes first
        panels.register(compliance.dashboard_panel)

        # A scrutineer's ballot key follows their password (meetings.ballots.keys).
        from allauth.account import signals

        from meetings.ballots import keys

        signals.password_changed.connect(keys.on_password_changed, dispatch_uid="ballot-key")
        signals.password_reset.connect(keys.on_password_reset, dispatch_uid="ballot-key-reset")
        signals.password_set.connect(keys.on_password_reset, dispatch_uid="ballot-key-set")
