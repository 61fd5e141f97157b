"""Panels that other apps add to the dashboard, so that members need not import those apps.

As Wagtail's hooks: an app registers a provider in its AppConfig.ready(); the dashboard asks
each provider, in the order of registration, for a panel for the request's user, or None.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from members.http import SignedInRequest


@dataclass(frozen=True)
class Panel:
    """A template and its context; the provider has already decided who may see it."""

    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[SignedInRequest], Panel | None]

_providers: list[PanelProvider] = []


def register(provider: PanelProvider) -> PanelProvider:
    """Add ``provider`` once (ready() may run more than once in tests); usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def render_panels(request: SignedInRequest) -> list[SafeString]:
    """Return the HTML of each registered panel that has something to show to the user."""
    panels = (provider(request) for provider in _providers)
    return [
        render_to_string(panel.template_name, panel.context, request=request)
        for panel in panels
        if panel is not None
    ]
