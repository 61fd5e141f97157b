"""The minutes pages through the test client: the minutes page with the facts from the record,
the Office's draft, the leader's signature, the issued document with its download and read
receipts, corrections, the unit page's list, the public verification page, the admin and the
export command. Who may open which minutes URL is in tests/meetings/test_meeting_permissions.py.

Rendering and signing use fast stand-ins (tests/meetings/minutes_helpers), except the tests
named *_really_*, which sign with meetings.minutes.signing and check the file on the verify page.
"""

import hashlib
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from infogov.models import AuditEntry
from meetings.minutes import documents, issuing
from meetings.minutes import services as minutes_services
from meetings.minutes.models import IssuedMinutes, Minutes, ReadReceipt
from meetings.models import ExpectedMember, Meeting
from members.models import Unit, User
from tests.meetings.conftest import PASSWORD
from tests.meetings.minutes_helpers import (
    FAKE_PDF,
    FAKE_SIGNATURE,
    hold_meeting,
    submitted_minutes,
    use_fake_signing,
)


@pytest.fixture(autouse=True)
def _english_and_a_fresh_rate_limit(settings):
    # Messages are matched in English, whatever translations exist.
    settings.LANGUAGE_CODE = "en"
    cache.clear()  # the verification page counts checks per address in the cache
    yield
    cache.clear()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow_messages(client, response) -> list[str]:
    assert response.status_code == 302
    return _messages(client.get(response["Location"]))


@pytest.fixture
def fake(monkeypatch):
    return use_fake_signing(monkeypatch)


@pytest.fixture
def closed(convened, office_clerk, leader) -> Meeting:
    return hold_meeting(convened, clerk=office_clerk, leader=leader)


@pytest.fixture
def drafted(closed) -> Minutes:
    """The minutes as closing the meeting drafted them."""
    return closed.minutes.get()


@pytest.fixture
def submitted(closed, office_clerk) -> Minutes:
    return submitted_minutes(closed, clerk=office_clerk)


def _sign(client, leader, minutes, django_capture_on_commit_callbacks, password=PASSWORD):
    """The leader signs through the page; the signing task runs when the step commits."""
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:minutes_sign", args=[minutes.pk]), {"password": password}
        )
    return response


@pytest.fixture
def issued(client, submitted, leader, fake, django_capture_on_commit_callbacks) -> IssuedMinutes:
    _sign(client, leader, submitted, django_capture_on_commit_callbacks)
    client.logout()
    return IssuedMinutes.objects.get(minutes=submitted)


@pytest.fixture
def liaison(roster) -> User:
    """A person of Finance, a unit the minutes are sent to, holding no seat."""
    person = User(
        username="liaison", full_name="计财处联络员", unit=Unit.objects.get(code="finance")
    )
    person.set_password(PASSWORD)
    person.save()
    return person


def _page(client, person, url):
    client.force_login(person)
    return client.get(url)


# --- The meeting page links to its minutes ------------------------------------------------------


def test_a_closed_meeting_shows_its_minutes_box(client, closed, member, issued):
    response = _page(client, member, closed.get_absolute_url())

    assert b'id="minutes"' in response.content
    assert issued.minutes.get_absolute_url().encode() in response.content
    assert issued.get_absolute_url().encode() in response.content
    assert issued.number in response.content.decode()


def test_a_meeting_not_yet_closed_has_no_minutes_box(client, convened, member):
    response = _page(client, member, convened.get_absolute_url())

    assert response.context["minutes"] == []
    assert b'id="minutes"' not in response.content


# --- The minutes page: the facts from the record ------------------------------------------------


def test_the_minutes_page_shows_the_facts_of_the_record(client, drafted, member):
    response = _page(client, member, drafted.get_absolute_url())
    page = response.content.decode()

    assert response.status_code == 200
    document = response.context["document"]
    assert document == documents.build_document(drafted)
    assert "应到会成员16人，实到14人" in page
    assert "行政楼第一会议室" in page and "会议由孙其信主持" in page
    assert "刘西平（出差）、杨家荣（出差）" in page  # 请假
    assert "原则同意立项建议。" in page and "Forwarded to 校长办公会 (Art. 14)" in page
    assert "13 yes, 1 no, 0 abstain" in page and "13 yes, 0 no, 1 abstain" in page
    # Named vote: names per choice; secret ballot: counts only (R-VOTE-1).
    assert page.count('class="small named-choices"') == 1
    assert "<strong>不同意</strong>: 孙其信" not in page  # the chair voted last, and yes
    assert page.count("<strong>同意</strong>") == 1
    # A plain member sees, but neither edits nor signs.
    assert (response.context["can_edit"], response.context["can_decide"]) == (False, False)
    assert b'id="edit"' not in response.content and b'id="sign"' not in response.content


def test_the_office_sees_the_edit_form_with_the_heading_convention(client, drafted, office_clerk):
    response = _page(client, office_clerk, drafted.get_absolute_url())
    page = response.content.decode()

    assert response.context["can_edit"] is True
    assert 'name="narrative"' in page and 'name="title"' in page
    assert "A line starting with 一、 is a heading, （一） a subheading" in page
    assert page.count('name="distribution"') == Unit.objects.count()
    assert page.count('name="distribution" value=') == Unit.objects.count()
    # Issue 13: 报送组长 is a button of the edit form, so the text is saved first.
    assert 'name="submit" value="1"' in page
    assert reverse("meetings:minutes_preview", args=[drafted.pk]) in page


def test_the_office_edits_title_narrative_and_distribution(client, drafted, office_clerk):
    client.force_login(office_clerk)
    library = Unit.objects.get(code="library")

    response = client.post(
        reverse("meetings:minutes_edit", args=[drafted.pk]),
        {
            "title": "纪要（修改）",
            "narrative": "一、关于立项\n同意。",
            "distribution": [library.pk],
        },
    )

    assert _follow_messages(client, response) == ["Minutes saved."]
    drafted.refresh_from_db()
    assert (drafted.title, drafted.narrative) == ("纪要（修改）", "一、关于立项\n同意。")
    assert list(drafted.distribution.values_list("code", flat=True)) == ["library"]
    assert AuditEntry.objects.filter(action="minutes.edited", actor=office_clerk).count() == 1


def test_an_invalid_edit_keeps_the_typed_narrative_and_changes_nothing(
    client, drafted, office_clerk
):
    client.force_login(office_clerk)

    response = client.post(
        reverse("meetings:minutes_edit", args=[drafted.pk]),
        {"title": "", "narrative": "很长的纪要正文"},
    )

    assert response.status_code == 200
    assert "很长的纪要正文" in response.content.decode()
    assert response.context["form"].errors == {"title": ["This field is required."]}
    drafted.refresh_from_db()
    assert drafted.narrative == ""


def test_the_office_submits_to_the_leader(client, drafted, office_clerk, leader):
    client.force_login(office_clerk)

    response = client.post(reverse("meetings:minutes_submit", args=[drafted.pk]))

    assert _follow_messages(client, response) == ["Submitted to the leader for signature."]
    drafted.refresh_from_db()
    assert drafted.status == Minutes.Status.SUBMITTED
    page = _page(client, office_clerk, drafted.get_absolute_url())
    assert page.context["can_edit"] is False  # submitted: no more edits


def test_the_leader_sees_sign_and_return_with_the_demo_label(client, submitted, leader, settings):
    response = _page(client, leader, submitted.get_absolute_url())
    page = response.content.decode()

    assert response.context["can_decide"] is True
    assert 'type="password"' in page and 'autocomplete="current-password"' in page
    assert "Signing is final." in page and "can never be changed" in page
    assert "Demo signature — not legally reliable" in page
    assert reverse("meetings:minutes_return", args=[submitted.pk]) in page

    settings.INFOGOV_SIGNER = "pkcs12"
    assert (
        "not legally reliable"
        not in _page(client, leader, submitted.get_absolute_url()).content.decode()
    )


def test_a_deputy_sees_the_submitted_minutes_but_not_the_sign_form(client, submitted, deputy):
    response = _page(client, deputy, submitted.get_absolute_url())

    assert response.status_code == 200
    assert response.context["can_decide"] is False
    assert b'type="password"' not in response.content


def test_the_leader_returns_with_comments(client, submitted, leader, office_clerk):
    client.force_login(leader)

    response = client.post(
        reverse("meetings:minutes_return", args=[submitted.pk]), {"comments": "请补充经费数额。"}
    )

    assert _follow_messages(client, response) == ["Returned to the Office with your comments."]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.comments) == (Minutes.Status.RETURNED, "请补充经费数额。")
    page = _page(client, office_clerk, submitted.get_absolute_url())
    assert "请补充经费数额。" in page.content.decode()
    assert page.context["can_edit"] is True


def test_the_leader_signs_with_the_password_and_the_page_offers_the_download(
    client, submitted, leader, fake, django_capture_on_commit_callbacks
):
    response = _sign(client, leader, submitted, django_capture_on_commit_callbacks)

    assert _follow_messages(client, response) == [
        "Signature authorised: the minutes are being numbered, rendered and signed."
    ]
    issued = IssuedMinutes.objects.get()
    page = client.get(submitted.get_absolute_url())
    assert page.context["issued"] == issued
    assert f"Issued as {issued.number}" in page.content.decode()
    assert reverse("meetings:issued_pdf", args=[issued.pk]) in page.content.decode()


def test_a_wrong_password_signs_nothing_and_is_recorded(
    client, submitted, leader, fake, django_capture_on_commit_callbacks
):
    response = _sign(client, leader, submitted, django_capture_on_commit_callbacks, "wrong")

    assert _follow_messages(client, response) == ["The password is not right; nothing was signed."]
    submitted.refresh_from_db()
    assert submitted.status == Minutes.Status.SUBMITTED
    assert IssuedMinutes.objects.count() == 0
    assert AuditEntry.objects.filter(action="minutes.sign_refused", actor=leader).count() == 1


def test_an_empty_password_is_refused_before_the_service(client, submitted, leader, fake):
    client.force_login(leader)

    response = client.post(reverse("meetings:minutes_sign", args=[submitted.pk]), {})

    assert _follow_messages(client, response) == ["Give your password to sign; nothing was signed."]
    assert AuditEntry.objects.filter(action__startswith="minutes.sign").count() == 0


def test_a_failed_signing_comes_back_to_the_leader_with_the_reason(
    client, submitted, leader, fake, django_capture_on_commit_callbacks
):
    fake.fail = RuntimeError("no key for 孙其信")

    _sign(client, leader, submitted, django_capture_on_commit_callbacks)

    page = client.get(submitted.get_absolute_url())
    assert page.context["minutes"].status == Minutes.Status.SUBMITTED
    assert "Signing failed: no key for 孙其信" in page.content.decode()
    assert page.context["can_decide"] is True


def test_while_signing_the_page_polls_and_reloads_once_issued(
    client, submitted, leader, member, fake, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    minutes_services.request_signature(actor=leader, minutes=submitted, password=PASSWORD)
    progress = reverse("meetings:minutes_progress", args=[submitted.pk])

    page = _page(client, member, submitted.get_absolute_url())
    polled = client.get(progress, headers={"HX-Request": "true"})
    issuing.sign_and_issue(minutes_id=submitted.pk, signer_id=leader.pk)
    done = client.get(progress, headers={"HX-Request": "true"})

    assert "Rendering and signing…" in page.content.decode()
    assert f'hx-get="{progress}"' in page.content.decode()
    assert "Rendering and signing…" in polled.content.decode()
    assert "HX-Refresh" not in polled
    assert done["HX-Refresh"] == "true"
    assert reverse("meetings:issued_pdf", args=[IssuedMinutes.objects.get().pk]) in (
        done.content.decode()
    )


def test_the_minutes_page_shows_what_each_status_allows(
    client, drafted, leader, office_clerk, member, fake, settings
):
    """The boxes follow the steps the status allows: the leader's comments while the Office or
    the leader may act, the preview until issued, the signing box while signing and once issued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    preview = reverse("meetings:minutes_preview", args=[drafted.pk])

    def parts() -> tuple[bool, bool, bool, bool]:
        page = _page(client, member, drafted.get_absolute_url()).content.decode()
        return (
            'id="comments"' in page,
            preview in page,
            'id="signing-progress"' in page and "hx-get=" in page,
            'id="signing-progress" class="card issued"' in page,
        )

    seen = {"draft": parts()}
    minutes_services.submit_minutes(actor=office_clerk, minutes=drafted)
    minutes_services.return_minutes(actor=leader, minutes=drafted, comments="请补充经费数额。")
    seen["returned"] = parts()
    minutes_services.submit_minutes(actor=office_clerk, minutes=drafted)
    seen["submitted"] = parts()
    minutes_services.request_signature(actor=leader, minutes=drafted, password=PASSWORD)
    seen["signing"] = parts()
    issuing.sign_and_issue(minutes_id=drafted.pk, signer_id=leader.pk)
    seen["issued"] = parts()

    # (comments, preview link, polling signing box, issued box); the comments stay on the row.
    assert seen == {
        "draft": (False, True, False, False),
        "returned": (True, True, False, False),
        "submitted": (True, True, False, False),
        "signing": (False, True, True, False),
        "issued": (False, False, False, True),
    }
    assert Minutes.objects.get(pk=drafted.pk).comments == "请补充经费数额。"


def test_the_preview_is_an_unnumbered_unsigned_draft_pdf(client, drafted, office_clerk, fake):
    response = _page(client, office_clerk, reverse("meetings:minutes_preview", args=[drafted.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        f"inline; filename=\"minutes-{drafted.pk}-draft.pdf\"; filename*=UTF-8''"
    )
    assert response.content.startswith(FAKE_PDF)
    assert not response.content.endswith(FAKE_SIGNATURE)
    (document,) = fake.rendered
    assert (document.number, document.draft, document.signer, document.issued_on) == (
        "",
        True,
        "",
        None,
    )
    assert IssuedMinutes.objects.count() == 0


# --- The issued document ------------------------------------------------------------------------


def test_the_issued_page_shows_number_signature_hash_and_distribution(
    client, issued, member, leader
):
    response = _page(client, member, issued.get_absolute_url())
    page = response.content.decode()

    assert response.status_code == 200
    assert f"<h1>{issued.number}</h1>" in page
    assert issued.pdf_sha256 in page and issued.content_sha256 in page
    assert "孙其信" in page and issued.signer_certificate in page
    assert "Demo signature — not legally reliable" in page
    assert [d.unit.code for d in response.context["distributions"]] == ["netc", "finance"]
    assert page.count("not read yet") == 2
    assert response.context["can_correct"] is False  # a member does not correct
    assert b"\xe5\x85\xa8\xe4\xbd\x93\xe4\xbc\x9a\xe8\xae\xae\xe7\xba\xaa\xe8\xa6\x81" in (
        response.content
    )  # 全体会议纪要, the text as issued


def test_a_person_of_a_unit_concerned_reads_the_issued_minutes(client, issued, liaison):
    page = _page(client, liaison, issued.get_absolute_url())
    download = client.get(reverse("meetings:issued_pdf", args=[issued.pk]))
    client.get(reverse("meetings:issued_pdf", args=[issued.pk]))  # a second download

    assert page.status_code == 200
    assert page.context["can_view_meeting"] is False
    assert issued.minutes.meeting.get_absolute_url().encode() not in page.content
    assert download.status_code == 200
    assert list(
        ReadReceipt.objects.values_list("reader__username", "distribution__unit__code")
    ) == [("liaison", "finance")]
    after = client.get(issued.get_absolute_url()).content.decode()
    assert "计财处联络员" in after and after.count("not read yet") == 1


def test_the_minutes_themselves_stay_hidden_from_a_unit_person(client, issued, liaison):
    assert _page(client, liaison, issued.minutes.get_absolute_url()).status_code == 404


def test_the_download_is_the_issued_pdf_named_by_its_number(client, issued, leader):
    response = _page(client, leader, reverse("meetings:issued_pdf", args=[issued.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"minutes-{issued.year}-1.pdf\"; filename*=UTF-8''"
        "%E4%BF%A1%E6%81%AF%E5%8C%96%E7%BA%AA%E8%A6%81%E3%80%94"
        f"{issued.year}%E3%80%951%E5%8F%B7.pdf"
    )
    assert response.content == bytes(issued.pdf)
    assert hashlib.sha256(response.content).hexdigest() == issued.pdf_sha256
    assert ReadReceipt.objects.count() == 0  # the leader belongs to no unit it was sent to


def test_an_outsider_and_a_person_of_another_unit_get_404(client, issued, outsider):
    library = User.objects.create(
        username="librarian", full_name="馆员", unit=Unit.objects.get(code="library")
    )
    for person in (outsider, library):
        assert _page(client, person, issued.get_absolute_url()).status_code == 404
        assert client.get(reverse("meetings:issued_pdf", args=[issued.pk])).status_code == 404
    assert ReadReceipt.objects.count() == 0


def test_the_office_starts_a_correction_once(client, issued, office_clerk):
    client.force_login(office_clerk)
    url = reverse("meetings:issued_correct", args=[issued.pk])
    assert client.get(issued.get_absolute_url()).context["can_correct"] is True

    first = client.post(url)
    correction = Minutes.objects.get(corrects=issued)
    assert first["Location"] == correction.get_absolute_url()
    assert _follow_messages(client, first) == [
        f"A correction of {issued.number} is drafted; it is issued with a new number when signed."
    ]
    second = client.post(url)

    assert _follow_messages(client, second) == [f"A correction of {issued.number} already exists."]
    assert Minutes.objects.filter(corrects=issued).count() == 1
    page = client.get(issued.get_absolute_url())
    assert page.context["pending_correction"] == correction
    assert page.context["can_correct"] is False
    draft_page = client.get(correction.get_absolute_url()).content.decode()
    assert f"A correction of {issued.number}" in draft_page


def test_the_issued_page_shows_the_chain_of_corrections(
    client, issued, office_clerk, leader, member, fake, django_capture_on_commit_callbacks
):
    draft = minutes_services.start_correction(actor=office_clerk, issued=issued)
    minutes_services.submit_minutes(actor=office_clerk, minutes=draft)
    _sign(client, leader, draft, django_capture_on_commit_callbacks)
    correction = IssuedMinutes.objects.get(minutes=draft)

    original = _page(client, member, issued.get_absolute_url())
    latest = client.get(correction.get_absolute_url())

    assert original.context["chain"] == [issued, correction]
    assert original.context["newer"] == correction
    assert f"Superseded: a correction, {correction.number}" in original.content.decode()
    assert latest.context["chain"] == [issued, correction]
    assert latest.context["newer"] is None
    assert issued.get_absolute_url() in latest.content.decode()


# --- The public verification page ---------------------------------------------------------------


def test_the_verify_page_is_public_and_prefills_the_number(client, roster):
    response = client.get(reverse("meetings:verify"))
    link = client.get(reverse("meetings:verify"), {"number": "信息化纪要〔2031〕7号"})

    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"csrfmiddlewaretoken" in response.content
    assert link.status_code == 200
    assert 'value="信息化纪要〔2031〕7号"' in link.content.decode()
    assert "No minutes were issued with the number 信息化纪要〔2031〕7号." in link.content.decode()
    assert "NOT VALID" in link.content.decode()


def test_a_number_shows_the_records_verification(client, issued, fake):
    response = client.get(reverse("meetings:verify"), {"number": issued.number})
    page = response.content.decode()

    assert response.context["verification"].valid is True
    assert '<p class="verdict passed">VALID</p>' in page
    assert f"yes: {issued.number}" in page
    assert "Demo signature — not legally reliable" in page


def test_an_uploaded_file_is_checked_against_the_record(client, issued, fake):
    data = bytes(issued.pdf)
    url = reverse("meetings:verify")

    good = client.post(url, {"file": SimpleUploadedFile("x.pdf", data, "application/pdf")})
    changed = client.post(
        url,
        {"file": SimpleUploadedFile("x.pdf", data.replace(b"fake", b"FAKE"), "application/pdf")},
    )

    assert (good.status_code, good.context["verification"].valid) == (200, True)
    assert good.context["verification"].issued == issued
    assert (changed.status_code, changed.context["verification"].valid) == (200, False)
    assert "NOT VALID" in changed.content.decode()
    assert "the portal issued no document with exactly these bytes" in changed.content.decode()


def test_the_verify_page_reports_a_newer_correction(
    client, issued, office_clerk, leader, fake, django_capture_on_commit_callbacks
):
    draft = minutes_services.start_correction(actor=office_clerk, issued=issued)
    minutes_services.submit_minutes(actor=office_clerk, minutes=draft)
    _sign(client, leader, draft, django_capture_on_commit_callbacks)
    client.logout()
    correction = IssuedMinutes.objects.get(minutes=draft)

    response = client.get(reverse("meetings:verify"), {"number": issued.number})

    assert response.context["verification"].newer == correction
    assert f"A newer correction exists: {correction.number}." in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pdf at all", b"%PDF-1.7\n\x00\xff garbage /ByteRange [0 1 2 3]", b"\xff" * 5000],
)
def test_garbage_uploads_are_not_valid_and_never_a_500(client, roster, data):
    response = client.post(
        reverse("meetings:verify"), {"file": SimpleUploadedFile("x.pdf", data, "application/pdf")}
    )

    assert response.status_code == 200
    if data:
        assert response.context["verification"].valid is False
        assert "NOT VALID" in response.content.decode()
    else:  # an empty file is refused by the form
        assert response.context["file_form"].errors


def test_a_malformed_upload_request_is_not_a_500(client, roster):
    response = client.generic(
        "POST",
        reverse("meetings:verify"),
        b"--nope\r\ngarbage",
        content_type="multipart/form-data; boundary=",
    )

    assert response.status_code in (200, 400)


def test_an_oversized_upload_is_refused_unread(client, roster):
    response = client.generic(
        "POST",
        reverse("meetings:verify"),
        b"x",
        content_type="multipart/form-data; boundary=b",
        # Over the page's own limit, within the site's (infogov.middleware: 21 MB).
        CONTENT_LENGTH=str(20 * 1024 * 1024 + 512 * 1024),
    )

    assert response.status_code == 413
    assert "The file is larger than 20 MB" in response.content.decode()


def test_checks_are_limited_per_address(client, roster, settings):
    settings.INFOGOV_VERIFY_RATE = (2, 60)
    url = reverse("meetings:verify")

    statuses = [
        client.get(url, {"number": f"信息化纪要〔2030〕{i}号"}).status_code for i in (1, 2, 3)
    ]
    blank = client.get(url)  # the empty form is no check

    assert statuses == [200, 200, 429]
    assert blank.status_code == 200
    assert "Too many checks" in client.get(url, {"number": "x"}).content.decode()


def test_the_upload_needs_the_csrf_token(roster):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("meetings:verify"),
        {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7", "application/pdf")},
    )

    assert response.status_code == 403


def test_a_really_signed_pdf_downloads_and_verifies(
    client, submitted, leader, liaison, django_capture_on_commit_callbacks
):
    from meetings.minutes import signing

    _sign(client, leader, submitted, django_capture_on_commit_callbacks)
    issued = IssuedMinutes.objects.get()
    download = _page(client, liaison, reverse("meetings:issued_pdf", args=[issued.pk]))
    client.logout()
    url = reverse("meetings:verify")

    valid = client.post(url, {"file": SimpleUploadedFile("a.pdf", download.content)})
    appended = download.content + b"\n% appended after signing\n"
    changed = client.post(url, {"file": SimpleUploadedFile("b.pdf", appended)})

    assert download.content[:5] == b"%PDF-"
    assert signing.is_demo_signature(download.content) is True
    result = valid.context["verification"]
    assert (result.valid, result.issued, result.check.signer_name) == (True, issued, "孙其信")
    assert '<p class="verdict passed">VALID</p>' in valid.content.decode()
    bad = changed.context["verification"]
    assert (bad.valid, bad.hash_matches) == (False, False)
    assert "NOT VALID" in changed.content.decode()


# --- The unit page lists the minutes sent to the unit -------------------------------------------


def _issue_many(minutes: Minutes, leader: User, count: int) -> None:
    """Issued rows straight into the table (they may be added, never changed), each sent to
    Finance: for counting queries, not for signing."""
    for i in range(count):
        document = IssuedMinutes.objects.create(
            minutes=minutes,
            body=minutes.meeting.body,
            year=2030,
            sequence=100 + i,
            number=f"信息化纪要〔2030〕{100 + i}号",
            title=f"纪要{i}",
            content={},
            content_sha256="0" * 64,
            pdf=b"%PDF-1.7 " + str(i).encode(),
            pdf_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
            signer=leader,
            signer_certificate="CN=孙其信",
            signed_at=minutes.created_at,
        )
        document.distributions.create(unit=Unit.objects.get(code="finance"))


def test_the_unit_page_lists_the_minutes_sent_to_it(client, issued, liaison, outsider):
    finance = _page(client, liaison, "/units/finance/")
    library = client.get("/units/library/")
    stranger = _page(client, outsider, "/units/finance/")

    assert issued.number in finance.content.decode()
    assert issued.get_absolute_url() in finance.content.decode()
    assert "read by 0 people of the unit" in finance.content.decode()
    assert issued.number not in library.content.decode()
    assert issued.number not in stranger.content.decode()  # not theirs to read
    assert "None you may read." in stranger.content.decode()


UNIT_PAGE_QUERIES = 10  # the permissions are cached by the first view; the unit's seats (its
# head's, at least) and their appointments are two of them


def test_the_unit_page_queries_do_not_grow_with_minutes(
    client, issued, leader, liaison, django_assert_num_queries
):
    client.force_login(liaison)
    client.get("/units/finance/")
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        one = client.get("/units/finance/")
    _issue_many(issued.minutes, leader, 30)
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        many = client.get("/units/finance/")

    assert one.content.decode().count('href="/issued/') == 1
    assert many.content.decode().count('href="/issued/') == 31


# --- Query counts -------------------------------------------------------------------------------


def _more_present_members(meeting: Meeting, count: int) -> None:
    people = User.objects.bulk_create(
        User(username=f"p{i}", full_name=f"委员{i}", password=make_password(None))
        for i in range(count)
    )
    ExpectedMember.objects.bulk_create(
        ExpectedMember(meeting=meeting, person=p, role="member", order=100 + i, present=True)
        for i, p in enumerate(people)
    )


# Session, user, the minutes with meeting and body, permissions; the document from the record
# (services.build_document): expected members, attendance numbers, items, motions, each item's
# decision, each named vote's voters, the quorum check, attendees, distribution; the unread
# count. The Office's form adds the units chosen and the units to choose from. Present members
# never add a query (more items or votes do, one or two each, in build_document).
# One query less than before 实到 counted the names under 出席 instead of re-aggregating the
# expected members.
MINUTES_PAGE_QUERIES = {"office_clerk": 16, "leader": 14, "member": 14}


@pytest.mark.parametrize("role", ["office_clerk", "leader", "member"])
@pytest.mark.parametrize("extra", [0, 300])
def test_the_minutes_page_queries_do_not_grow_with_present_members(
    request, client, drafted, django_assert_num_queries, role, extra
):
    _more_present_members(drafted.meeting, extra)
    client.force_login(request.getfixturevalue(role))

    with django_assert_num_queries(MINUTES_PAGE_QUERIES[role]):
        response = client.get(drafted.get_absolute_url())

    assert len(response.context["document"].present) == 14 + extra


# Session, user, the issued row with minutes, meeting, body and signer, permissions,
# distributions, read receipts, the next correction if any, the unread count; the Office also
# asks for a correction being drafted. A person who sees the minutes only as one of a unit
# concerned costs the checks that they do not see the meeting (twice) and their unit's copy.
ISSUED_PAGE_QUERIES = {"office_clerk": 9, "member": 8, "liaison": 13}


@pytest.mark.parametrize("role", ["office_clerk", "member", "liaison"])
@pytest.mark.parametrize("extra", [0, 300])
def test_the_issued_page_queries_do_not_grow_with_present_members(
    request,
    client,
    closed,
    office_clerk,
    leader,
    fake,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
    role,
    extra,
):
    _more_present_members(closed, extra)
    minutes = submitted_minutes(closed, clerk=office_clerk)
    _sign(client, leader, minutes, django_capture_on_commit_callbacks)
    issued = IssuedMinutes.objects.get()
    minutes_services.record_reading(reader=office_clerk, issued=issued)
    client.force_login(request.getfixturevalue(role))

    with django_assert_num_queries(ISSUED_PAGE_QUERIES[role]):
        response = client.get(issued.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["document"]["present"]) == 14 + extra


# --- Admin and export ---------------------------------------------------------------------------


def test_issued_minutes_are_read_only_in_the_admin_without_the_pdf(client, issued, admin):
    client.force_login(admin)
    change = reverse("admin:meetings_issuedminutes_change", args=[issued.pk])

    listing = client.get(reverse("admin:meetings_issuedminutes_changelist"))
    view = client.get(change)
    post = client.post(change, {"title": "改动"})
    add = client.get(reverse("admin:meetings_issuedminutes_add"))
    delete = client.get(reverse("admin:meetings_issuedminutes_delete", args=[issued.pk]))
    minutes = client.get(reverse("admin:meetings_minutes_change", args=[issued.minutes.pk]))

    assert (listing.status_code, view.status_code) == (200, 200)
    assert issued.number in listing.content.decode()
    assert (post.status_code, add.status_code, delete.status_code) == (403, 403, 403)
    page = view.content.decode()
    assert "<label>PDF SHA-256:</label>" in page
    assert "<label>PDF:</label>" not in page  # the bytes are never put in a form
    assert b"fake signature" not in view.content
    assert b'name="_save"' not in view.content
    assert b'name="_save"' not in minutes.content
    assert IssuedMinutes.objects.get().title == "全体会议纪要"


def test_export_writes_the_issued_pdf(issued, tmp_path, capsys):
    target = tmp_path / "out.pdf"

    call_command("export_minutes", issued.number, str(target))
    call_command("export_minutes", issued.number, str(tmp_path))

    assert target.read_bytes() == bytes(issued.pdf)
    assert Path(tmp_path / f"{issued.number}.pdf").read_bytes() == bytes(issued.pdf)
    assert issued.pdf_sha256 in capsys.readouterr().out


def test_export_of_an_unknown_number_fails(roster, tmp_path):
    with pytest.raises(CommandError, match="No issued minutes are numbered"):
        call_command("export_minutes", "信息化纪要〔1999〕1号", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


# --- Signing needs a recent second factor (R-MIN-3 condition 2) ------------------------------


def _sign_in_with_code(client, person, secret) -> None:
    from tests.mfa import code_for

    client.post("/login/", {"login": person.username, "password": PASSWORD})
    response = client.post("/2fa/authenticate/", {"code": code_for(secret)})
    assert response["Location"] == "/"


def test_signing_without_a_recent_code_asks_for_one_and_signs_nothing(
    client, submitted, leader, fake, require_second_factor, settings
):
    from tests.mfa import set_up_authenticator

    secret = set_up_authenticator(leader)
    _sign_in_with_code(client, leader, secret)
    settings.INFOGOV_SECOND_FACTOR_MAX_AGE = 0  # the code given at sign-in is no longer recent
    url = reverse("meetings:minutes_sign", args=[submitted.pk])
    before = AuditEntry.objects.count()

    response = client.post(
        url, {"password": PASSWORD}, HTTP_REFERER=f"http://testserver{submitted.get_absolute_url()}"
    )

    assert response.status_code == 302
    assert response["Location"] == f"/2fa/reauthenticate/?next={submitted.get_absolute_url()}"
    submitted.refresh_from_db()
    assert submitted.status == Minutes.Status.SUBMITTED
    assert (IssuedMinutes.objects.count(), AuditEntry.objects.count()) == (0, before)


def test_signing_with_a_recent_code_goes_ahead(
    client, submitted, leader, fake, require_second_factor, django_capture_on_commit_callbacks
):
    from tests.mfa import set_up_authenticator

    secret = set_up_authenticator(leader)
    _sign_in_with_code(client, leader, secret)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:minutes_sign", args=[submitted.pk]), {"password": PASSWORD}
        )

    assert _follow_messages(client, response)[-1] == (
        "Signature authorised: the minutes are being numbered, rendered and signed."
    )
    assert IssuedMinutes.objects.filter(minutes=submitted).count() == 1


def test_a_member_who_may_not_sign_is_refused_before_any_code_is_asked(
    client, submitted, member, fake
):
    client.force_login(member)
    response = client.post(
        reverse("meetings:minutes_sign", args=[submitted.pk]), {"password": PASSWORD}
    )
    assert response.status_code in (403, 404)
