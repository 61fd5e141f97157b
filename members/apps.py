from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Bodies and members")

    def ready(self) -> None:
        # Connect the signals that drop cached people, and allauth.mfa's.
        from members import auth, signin  # noqa: F401
