"""The one shape of a step taken from a POST view: bind the form, call the service, say what
happened, redirect.

Services raise ``StepRefused`` (each app's own error subclasses it) with a message a user can
read, in the user's language; the service's transaction rolls back, so a refused step changes
nothing. Every app's POST views go through ``post_step`` (or ``run_step`` where the view renders
a page rather than redirecting), so a refusal is always a message and never a 500.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from infogov.forms import errors_as_message


class StepRefused(Exception):
    """A step the regulation or the state of things does not allow; ``str()`` is for users."""


@dataclass(frozen=True)
class Outcome:
    """What ``run_step`` did: whether the service ran to the end, and what it returned."""

    done: bool
    result: Any = None


def run_step(request: HttpRequest, call: Callable[[], Any], *, success: str) -> Outcome:
    """Call ``call()``; a ``StepRefused`` becomes an error message, success a success message."""
    try:
        result = call()
    except StepRefused as error:
        messages.error(request, str(error))
        return Outcome(done=False)
    messages.success(request, success)
    return Outcome(done=True, result=result)


Target = Model | str


def post_step(
    request: HttpRequest,
    call: Callable[..., Any],
    *,
    success: str,
    then: Target,
    form: forms.Form | None = None,
    allow_next: bool = False,
) -> HttpResponseRedirect:
    """Validate ``form`` (if any), call ``call(**form.cleaned_data)`` and redirect to ``then``
    (a model with ``get_absolute_url``, a URL or a URL name), or to a same-site ``next`` from
    the POST when ``allow_next``. Invalid input and refusals become one error message."""
    if form is not None and not form.is_valid():
        messages.error(request, errors_as_message(form))
    else:
        data = form.cleaned_data if form is not None else {}
        run_step(request, lambda: call(**data), success=success)
    return redirect_back(request, then) if allow_next else HttpResponseRedirect(resolve_url(then))


def redirect_back(request: HttpRequest, default: Target) -> HttpResponseRedirect:
    """Redirect to a same-site ``next`` of the POST if given, otherwise to ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(resolve_url(default))
