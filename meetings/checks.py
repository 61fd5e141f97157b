"""System checks of what the meetings app needs from its deployment."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.database)
def client_side_binding(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """The vote sends several statements in one string (services.cast_vote_by_id), which
    psycopg allows with its default client-side binding only."""
    return binding_errors(settings.DATABASES["default"])


def binding_errors(database: dict) -> list[checks.CheckMessage]:
    if database["ENGINE"].endswith("postgresql") and database.get("OPTIONS", {}).get(
        "server_side_binding"
    ):
        return [
            checks.Error(
                "infogov's vote needs psycopg's client-side binding.",
                hint="Remove server_side_binding from DATABASES['default']['OPTIONS'].",
                id="meetings.E001",
            )
        ]
    return []
