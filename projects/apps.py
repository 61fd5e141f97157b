from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # A proposal learns its fate from its agenda item's counted motion (Art. 7 (3)); meetings
        # announces the count, and projects shows itself on the dashboard through members.panels.
        from meetings import signals
        from members import panels
        from projects import services, views

        signals.motion_counted.connect(services.on_motion_counted, dispatch_uid="projects")
        panels.register(views.dashboard_panel)
