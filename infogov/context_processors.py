"""What every page needs from the settings."""

from django.conf import settings
from django.http import HttpRequest


def second_factor(request: HttpRequest) -> dict[str, bool]:
    """Whether the second factor is off (INFOGOV_REQUIRE_MFA): base.html then says so on
    every page."""
    return {"second_factor_off": not settings.INFOGOV_REQUIRE_MFA}
