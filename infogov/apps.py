from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfogovConfig(AppConfig):
    name = "infogov"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from infogov import (
            checks,  # noqa: F401  (registers the system checks)
            converters,
        )

        converters.register()
