"""Bad input never gives a 500: ids out of range, bodies over the limit, bidi controls,
dates outside 2000-2100, line breaks in what reaches a mail header."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import given
from hypothesis import strategies as st

from infogov.validators import has_line_break, is_sane_date, no_line_break, sane_date, strip_bidi

TOO_BIG = "9223372036854775808"  # 2**63: past SQLite's and PostgreSQL's bigint


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


ID_ROUTES = sorted({r for r in _routes(get_resolver().url_patterns) if "<id:" in r})


def test_every_id_in_a_path_is_bounded():
    # No <int:...> is left in the portal's own URLconfs: each is an <id:...>.
    assert not [r for r in _routes(get_resolver().url_patterns) if "<int:" in r]
    assert len(ID_ROUTES) == 87


@pytest.mark.parametrize("route", ID_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_id_out_of_range_is_not_found(client, office_clerk, route, method):
    client.force_login(office_clerk)
    path = "/" + re.sub(r"<id:\w+>", TOO_BIG, route)
    path = re.sub(r"<slug:\w+>", "leading-group", path)

    response = getattr(client, method)(path)

    assert response.status_code == 404


def test_the_largest_id_that_fits_is_an_ordinary_not_found(client, office_clerk):
    client.force_login(office_clerk)
    assert client.post(f"/motions/{'9' * 18}/vote/", {"choice": "yes"}).status_code == 404


# --- Request bodies over the limit ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/login/", "/verify/", "/meetings/new/", "/no-such-page/"])
def test_a_body_over_the_limit_is_refused_unread_for_anonymous_requests(
    client, db, path, monkeypatch
):
    from django.http.multipartparser import MultiPartParser

    def never(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", never)

    response = client.generic(
        "POST",
        path,
        b"--b\r\n",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert response.content.decode() == "请求超过 21 MB，已被拒绝。"


def test_the_refusal_is_in_the_readers_language(client, db):
    from django.utils import translation

    # The locale middleware leaves English active in this thread: put back what was.
    with translation.override(translation.get_language()):
        response = client.generic(
            "POST", "/login/", b"x", CONTENT_LENGTH=str(30 * 1024 * 1024), HTTP_ACCEPT_LANGUAGE="en"
        )

    assert response.status_code == 413
    assert response.content.decode() == "The request is larger than 21 MB and was refused."


def test_a_body_within_the_limit_goes_on(client, db):
    assert client.post("/login/", {"login": "nobody", "password": "x"}).status_code == 200


# --- Validators -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "sane"),
    [
        (dt.date(1, 1, 1), False),
        (dt.date(1999, 12, 31), False),
        (dt.date(2000, 1, 1), True),
        (dt.date(2100, 12, 31), True),
        (dt.date(2101, 1, 1), False),
        (dt.datetime(9999, 12, 31, 23, 59), False),
    ],
)
def test_dates_within_2000_to_2100(value, sane):
    assert is_sane_date(value) is sane
    if sane:
        sane_date(value)
    else:
        with pytest.raises(ValidationError, match="2000"):
            sane_date(value)


@given(st.dates())
def test_sane_dates_are_exactly_the_years_2000_to_2100(value):
    assert is_sane_date(value) == (2000 <= value.year <= 2100)


@pytest.mark.parametrize("text", ["a\rb", "a\nb", "a\r\nBcc: x@example.org", "a\u2028b", "a\x85b"])
def test_line_breaks_are_refused(text):
    assert has_line_break(text)
    with pytest.raises(ValidationError):
        no_line_break(text)


def test_text_without_line_breaks_passes():
    no_line_break("2026年度全体会议（第一次）")


@given(st.text())
def test_stripped_text_has_no_bidi_controls_and_keeps_everything_else(text):
    stripped = strip_bidi(text)
    controls = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
    assert not controls & set(stripped)
    assert stripped == "".join(c for c in text if c not in controls)
