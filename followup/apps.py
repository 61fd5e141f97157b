from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        # followup sits above members and meetings (ARCHITECTURE.md): it shows itself on the
        # dashboard through members.panels and hears of decisions through meetings.signals.
        from followup import panels, receivers
        from members import panels as member_panels

        member_panels.register(panels.dashboard_panel)
        receivers.connect()
