"""infogov.steps: the one shape of a POST view's step."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation

from infogov.steps import StepRefused, post_step, run_step


class NameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=5)


def _request(data=None):
    request = RequestFactory().post("/step/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_a_step_that_runs_says_so_and_returns_its_result():
    request = _request()

    outcome = run_step(request, lambda: 42, success="Done.")

    assert (outcome.done, outcome.result) == (True, 42)
    assert _messages(request) == [("success", "Done.")]


def test_a_refused_step_becomes_the_refusals_message():
    request = _request()

    def refuse():
        raise StepRefused("Not now.")

    outcome = run_step(request, refuse, success="Done.")

    assert (outcome.done, outcome.result) == (False, None)
    assert _messages(request) == [("error", "Not now.")]


def test_any_other_error_is_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        run_step(_request(), lambda: 1 / 0, success="Done.")


def test_post_step_calls_the_service_with_the_cleaned_form():
    request = _request({"name": " Ann "})
    calls = []

    response = post_step(
        request,
        lambda **data: calls.append(data),
        form=NameForm(request.POST),
        success="Saved.",
        then="/back/",
    )

    assert calls == [{"name": "Ann"}]
    assert (response.status_code, response.url) == (302, "/back/")
    assert _messages(request) == [("success", "Saved.")]


def test_post_step_with_invalid_input_says_why_in_chinese_and_calls_nothing():
    request = _request({"name": "far too long"})
    calls = []

    # As LocaleMiddleware activates the portal's default language for the request (left to
    # the thread's, the test would depend on what ran before it).
    with translation.override("zh-hans"):
        response = post_step(
            request,
            lambda **data: calls.append(data),
            form=NameForm(request.POST),
            success="Saved.",
            then="/back/",
        )

        said = _messages(request)

    assert calls == []
    assert response.url == "/back/"
    assert said == [("error", "Name：确保该变量包含不超过 5 字符 (目前字符数 12)。")]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/meetings/7/", "/meetings/7/"), ("https://evil.example/", "/back/"), ("", "/back/")],
)
def test_post_step_follows_only_a_same_site_next(settings, next_url, expected):
    settings.ALLOWED_HOSTS = ["testserver"]
    request = _request({"next": next_url})

    response = post_step(request, lambda: None, success="Ok.", then="/back/", allow_next=True)

    assert response.url == expected
