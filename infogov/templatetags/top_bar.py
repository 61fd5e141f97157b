"""``{% top_bar %}``: the site's top bar, rendered once per process for what it shows.

Every page shows it, and rendering it (nine URLs, a dozen translations, two forms) cost as
much CPU as the rest of a cached meeting page. What it shows is a function of a few values:
the language, the person (id, name, staff flag) and their unread count. So its HTML is kept
per process under exactly those values, with two holes that each response fills: the CSRF
token of its forms and the address to come back to after switching the language. Nothing
else of the request reaches it, and nothing has to be invalidated: a change of any value is a
new entry. With DEBUG on, it is rendered every time, so that template edits show at once.
"""

from functools import cache, lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

TEMPLATE = "_top_bar.html"
# Distinct bars kept per process: a few KB each, so a few MB at most.
ENTRIES = 2048


@cache
def _placeholder(name: str) -> str:
    """A stand-in no text on the page can contain by chance or by design (it derives from the
    secret key), so that filling it in cannot touch a person's name."""
    return salted_hmac("infogov.top_bar", name, algorithm="sha256").hexdigest()


@register.simple_tag(takes_context=True)
def top_bar(context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    unread = context.get("unread_notifications") or 0
    if callable(unread):  # meetings.context_processors reads the count only when called
        unread = unread() if signed_in else 0
    key = (
        get_language(),
        get_script_prefix(),
        signed_in,
        user.pk if signed_in else None,
        str(user) if signed_in else "",
        user.is_staff if signed_in else False,
        int(unread) if signed_in else 0,
    )
    render = _render_bar if settings.DEBUG else _cached_bar
    html = render(*key)
    token = str(context.get("csrf_token", ""))  # the page's one token, shared with its forms
    back = escape(request.get_full_path()) if request is not None else ""
    html = html.replace(_placeholder("csrf"), token).replace(_placeholder("next"), back)
    return mark_safe(html)  # rendered by the template engine; the holes are escaped above


def _render_bar(language, script_prefix, signed_in, user_pk, label, is_staff, unread) -> str:
    """The bar for these values; the language and the prefix are the active ones, named so
    that the cache tells them apart."""
    context = {
        "signed_in": signed_in,
        "is_staff": is_staff,
        "person_url": reverse("members:person_detail", args=[user_pk]) if signed_in else "",
        "person_label": label,
        "unread_notifications": unread,
        "csrf_token": _placeholder("csrf"),
        "next": _placeholder("next"),
    }
    return render_to_string(TEMPLATE, context)


_cached_bar = lru_cache(maxsize=ENTRIES)(_render_bar)
