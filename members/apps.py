from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Bodies and members")

    def ready(self) -> None:
        # Connect allauth.mfa's signals.
        from members import signin  # noqa: F401


class AxesConfig(AxesAppConfig):
    """django-axes, under a name the admin shows in the user's language."""

    verbose_name = _("Sign-in lockouts")
