from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfogovConfig(AppConfig):
    name = "infogov"
    verbose_name = _("Portal")
