from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Bodies and members")

    def ready(self) -> None:
        from members import auth  # noqa: F401  (connects the signals that drop cached people)
