"""The meeting page's shared fragments, rendered once per revision of the meeting.

The 300 members of a meeting all load the same header, quorum panel and agenda; only their own
attendance and the site's top bar differ. So the fragments that every viewer of one kind sees
are rendered once and cached under

    (meeting, revision, role, language, time zone, template)

where the role is what the viewer may do with the meeting's body (manage, convene, chair): the
forms on the page follow it, nothing else of the person does. The viewer's own attendance is
cached under that key and their id.

Why a cached fragment is never older than its key says: the services move
``Meeting.revision`` on in the same transaction as every change the page shows, and the
fragments are rendered from queries run after the revision was read. A fragment may be newer
than its key, never older. What the revision does not see (a person's or a unit's name edited
in the roster) is bounded by ``TIMEOUT``.

Fragments are rendered without the request, so nothing personal can reach the cache. Their
forms carry ``csrf_placeholder()`` in place of the token; each response puts in its own.
"""

import hashlib
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.cache import cache as default_cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from meetings.models import Meeting

TEMPLATE = "meetings/meeting_detail.html"
# The partials of TEMPLATE that every viewer with the same role sees alike.
SHARED = ("head", "quorum-panel", "attendance-table", "rest")
# The partial that is the viewer's own: their attendance, answer and check-in.
PERSONAL = "my-attendance"
# Bounds how long a name edited outside the meeting (a person, a unit) may show unchanged.
TIMEOUT = 300


@cache
def csrf_placeholder() -> str:
    """A stand-in for the CSRF token, the same in every process that shares the cache and
    not guessable, so that no text on the page can pass for it."""
    return salted_hmac("infogov.meetings.page_cache", "csrf", algorithm="sha256").hexdigest()


@cache
def _template_digest() -> str:
    """Tell fragments of a deployed template apart from an older one's in a shared cache."""
    source = get_template(TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def role_of(*, can_manage: bool, can_convene: bool, can_chair: bool) -> str:
    return "".join("1" if flag else "0" for flag in (can_manage, can_convene, can_chair))


def cache_key(meeting: Meeting, role: str) -> str:
    return ":".join(
        (
            "meeting-page",
            str(meeting.pk),
            str(meeting.revision),
            role,
            translation.get_language() or settings.LANGUAGE_CODE,
            timezone.get_current_timezone_name(),
            _template_digest(),
        )
    )


def fragments(
    request: HttpRequest,
    meeting: Meeting,
    role: str,
    context: Callable[[], dict],
    names: tuple[str, ...] = SHARED,
    *,
    personal: Callable[[], dict] | None = None,
    token: str | None = None,
) -> dict[str, SafeString]:
    """Return the shared fragments ``names`` of ``meeting``'s page for ``role``, with the CSRF
    ``token`` (by default, a new one for ``request``); fragments not cached yet are rendered
    with ``context()``.

    With ``personal``, also the viewer's own ``PERSONAL`` fragment, rendered with
    ``personal()`` and cached for them alone under the same revision: their attendance is part
    of the meeting's state, so the revision moves on when it changes.
    """
    key = cache_key(meeting, role)
    own_key = f"{key}:{request.user.pk}" if personal else None
    found = default_cache.get_many([k for k in (key, own_key) if k])
    cached = _filled(key, found.get(key, {}), names, context)
    page = {name: cached[name] for name in names}
    if personal:
        page[PERSONAL] = _filled(own_key, found.get(own_key, {}), (PERSONAL,), personal)[PERSONAL]
    token, placeholder = token or get_token(request), csrf_placeholder()
    return {name: mark_safe(html.replace(placeholder, token)) for name, html in page.items()}


def _filled(key: str, cached: dict, names: tuple[str, ...], context: Callable[[], dict]) -> dict:
    """``cached`` with the fragments ``names`` it lacks rendered (``context()`` called at most
    once) and stored under ``key``."""
    missing = [name for name in names if name not in cached]
    if missing:
        values = {**context(), "csrf_token": csrf_placeholder()}
        rendered = {name: render_to_string(f"{TEMPLATE}#{name}", values) for name in missing}
        cached = {**cached, **rendered}
        default_cache.set(key, cached, TIMEOUT)
    return cached
