"""infogov.forms: the plain select writes what Django's Select writes, without its templates."""

import re

import pytest
from django import forms

from infogov.forms import PlainSelect

CHOICES = [("", "—"), ("1", "孙启新"), ("2", "<b>Tom & Jerry</b>"), ("3", "阎祖书")]


def _same_markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "2", 3])
def test_a_plain_select_writes_what_djangos_select_writes(value):
    attrs = {"aria-label": "人员", "required": True}

    plain = PlainSelect(attrs=attrs, choices=CHOICES).render("person", value)
    django = forms.Select(attrs=attrs, choices=CHOICES).render("person", value)

    assert _same_markup(plain) == _same_markup(django)


def test_a_plain_select_escapes_its_labels():
    html = PlainSelect(choices=CHOICES).render("person", None)

    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in html
    assert "<b>" not in html
