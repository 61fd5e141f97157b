"""Chinese is the default language: every msgid of the project's zh_Hans catalogues has a
translation that is not fuzzy, and words that mean two things (同意 for a vote, 是 for a
boolean) are kept apart by pgettext contexts."""

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext, pgettext

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", "var", ".git"}


def catalogues() -> list[Path]:
    """Every zh_Hans django.po of the project: the root's locale/ and any app's own."""
    found = [
        path
        for path in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/*.po")
        if not SKIP & set(path.relative_to(ROOT).parts)
    ]
    assert found, "no zh_Hans catalogue"
    return sorted(found)


def msgids(po: Path, *options: str) -> list[str]:
    """The msgids that ``msgattrib options`` selects (the header entry left out)."""
    out = subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", *options, str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [
        line.removeprefix("msgid ").strip('"')
        for line in out.splitlines()
        if line.startswith("msgid ") and line != 'msgid ""'
    ]


@pytest.mark.parametrize("po", catalogues(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_msgid_has_a_chinese_translation(po):
    untranslated = msgids(po, "--untranslated")
    fuzzy = msgids(po, "--only-fuzzy")

    assert untranslated == [], f"untranslated in {po}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {po}: {fuzzy}"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    assert "fuzzy" not in stats and "untranslated" not in stats, stats


def test_vote_words_and_booleans_have_their_own_chinese():
    with translation.override("zh-hans"):
        assert (pgettext("vote choice", "Yes"), pgettext("vote choice", "No")) == ("同意", "不同意")
        assert (pgettext("vote count", "yes"), pgettext("vote count", "no")) == (
            "同意票",
            "不同意票",
        )
        assert (pgettext("boolean", "yes"), pgettext("boolean", "no")) == ("是", "否")
        # Django's own 是/否 for booleans (admin filters, yesno) is no longer shadowed.
        assert (gettext("Yes"), gettext("No")) == ("是", "否")


def test_the_verify_page_says_shi_for_a_boolean(rf: RequestFactory):
    check = SimpleNamespace(
        signed=True,
        intact=True,
        trusted=False,
        covers_whole_file=True,
        certified_no_changes=False,
        signer_name="孙其信",
        signed_at=None,
        problems=(),
    )
    request = rf.get("/verify/")
    request.user = SimpleNamespace(is_authenticated=False, is_staff=False)
    with translation.override("zh-hans"):
        page = render_to_string(
            "meetings/verify.html",
            {"verification": SimpleNamespace(check=check, valid=False, issued=None)},
            request=request,
        )

    assert page.count("✓ 是") == 3
    assert page.count("✗ 否") == 3  # trusted, certified and "matches the issued record"
    assert "同意票" not in page


@pytest.mark.django_db
def test_admin_boolean_filters_say_shi_and_fou(client, admin):
    client.force_login(admin)

    page = client.get("/admin/meetings/motion/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert ">是</a>" in page and ">否</a>" in page
    assert ">同意</a>" not in page


@pytest.mark.django_db
def test_the_issued_minutes_page_tells_the_issuing_body_from_the_signer():
    with translation.override("zh-hans"):
        assert (gettext("Issued by"), gettext("Signed by")) == ("签发机构", "签发人")
