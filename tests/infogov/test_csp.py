"""Content-Security-Policy (Django's SECURE_CSP): on every page, and no inline script or style
in the templates."""

import re
from pathlib import Path

import pytest
from django.conf import settings

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The PDF's template is read by WeasyPrint, never by a browser.
NOT_SERVED = {"meetings/minutes_pdf.html"}


@pytest.mark.parametrize("path", ["/login/", "/password/reset/", "/healthz", "/verify/"])
def test_pages_for_anyone_carry_the_policy(client, db, path):
    assert client.get(path)["Content-Security-Policy"] == POLICY


@pytest.mark.parametrize(
    "path", ["/", "/bodies/leading-group/", "/meetings/", "/2fa/", "/password/change/"]
)
def test_pages_for_the_signed_in_carry_the_policy(client, leader, path):
    client.force_login(leader)

    assert client.get(path)["Content-Security-Policy"] == POLICY


def test_the_admin_carries_the_policy(client, admin):
    client.force_login(admin)

    assert client.get("/admin/")["Content-Security-Policy"] == POLICY


def served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in NOT_SERVED:
            yield name


@pytest.mark.parametrize("name", list(served_templates()))
def test_no_template_has_inline_script_style_or_handler(name):
    text = (TEMPLATES / name).read_text()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text) == []
    assert re.findall(r"<style\b|\sstyle=", text) == []
    assert re.findall(r"\son[a-z]+=|javascript:", text) == []
