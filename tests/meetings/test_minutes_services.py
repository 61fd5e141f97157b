"""The minutes services (Art. 15-16, R-MIN-1..3): the Office drafts, only the leader signs with
the password again, numbers are gapless and never shared, issued documents are immutable down
to the database, corrections are new linked documents, and units' reading is recorded once.

Most tests use fast stand-ins for the renderer and the signer (tests/meetings/minutes_helpers);
the ones named *_really_* render and sign with meetings.minutes.pdf and .signing.
"""

import datetime as dt
import threading

import pytest
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from infogov import auditchain
from infogov.models import AuditEntry
from meetings import rules, services
from meetings.minutes import documents, issuing
from meetings.minutes import services as minutes_services
from meetings.minutes.models import (
    DocumentCounter,
    ImmutableDocument,
    IssuedMinutes,
    Minutes,
    ReadReceipt,
)
from meetings.models import Meeting, Notification
from meetings.services import InvalidTransition, MeetingError
from members.models import Appointment, Unit, User
from tests.db_roles import serving_role
from tests.meetings.conftest import PASSWORD, meeting_time
from tests.meetings.minutes_helpers import (
    FAKE_SIGNATURE,
    first_item,
    hold_meeting,
    sha256,
    submitted_minutes,
    use_fake_signing,
)

pytestmark = pytest.mark.usefixtures("english")

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer; the row lock on the counter is PostgreSQL's",
)
delete_trigger = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL has the DELETE trigger (on SQLite it would stop the test flush)",
)


@pytest.fixture
def fake(monkeypatch):
    return use_fake_signing(monkeypatch)


@pytest.fixture
def closed(convened, office_clerk, leader) -> Meeting:
    return hold_meeting(convened, clerk=office_clerk, leader=leader)


@pytest.fixture
def submitted(closed, office_clerk) -> Minutes:
    return submitted_minutes(closed, clerk=office_clerk)


def _sign(minutes: Minutes, leader: User, django_capture_on_commit_callbacks) -> Minutes:
    """The leader signs; the background task (immediate in tests) runs when the step commits."""
    with django_capture_on_commit_callbacks(execute=True):
        minutes_services.request_signature(actor=leader, minutes=minutes, password=PASSWORD)
    minutes.refresh_from_db()
    return minutes


@pytest.fixture
def sign(leader, django_capture_on_commit_callbacks):
    return lambda minutes: _sign(minutes, leader, django_capture_on_commit_callbacks)


def _another_closed_meeting(roster, office_clerk, leader, title: str) -> Meeting:
    meeting = services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title=title,
        starts_at=meeting_time(days=15),
        location="行政楼第三会议室",
    )
    first_item(meeting, clerk=office_clerk)
    meeting = services.convene_meeting(actor=leader, meeting=meeting)
    return hold_meeting(meeting, clerk=office_clerk, leader=leader)


# --- Drafting: the facts come from the record (R-MIN-1) -----------------------------------------


def test_closing_the_meeting_drafts_minutes_sent_to_the_presenting_units(closed):
    minutes = closed.minutes.get()

    assert (minutes.status, minutes.title) == (Minutes.Status.DRAFT, f"{closed.title}纪要")
    assert set(minutes.distribution.values_list("code", flat=True)) == {"netc", "finance"}


def test_the_document_quotes_the_record(closed):
    document = documents.build_document(closed.minutes.get())

    assert document.quorum_line == (
        "应到会成员16人，实到14人，超过应到会成员的三分之二（第十二条），会议有效。"
    )
    assert len(document.present) == 14
    assert document.on_leave == ("刘西平（出差）", "杨家荣（出差）")
    named, secret = (item.votes[0] for item in document.items)
    assert (named.yes, named.no, named.abstain, named.passed) == (13, 1, 0, True)
    assert [label for label, _names in named.names_by_choice] == ["同意", "不同意"]
    assert len(named.names_by_choice[0][1]) == 13
    # R-VOTE-1: a secret ballot is quoted by its counts only.
    assert (secret.yes, secret.abstain, secret.names_by_choice) == (13, 1, ())
    assert document.items[0].forwarded_to == "校长办公会"
    # Art. 13: the minutes say how each item ended.
    assert [item.outcome for item in document.items] == ["通过", "通过"]
    assert (document.number, document.draft) == ("", True)


def test_the_minutes_say_a_matter_was_not_adopted(roster, office_clerk, leader, convened):
    from meetings import services
    from meetings.minutes import pdf

    members = list(convened.expected_members.select_related("person").order_by("order"))
    for member in members[:12]:
        services.check_in(actor=office_clerk, member=member, by_office=True)
    services.open_meeting(actor=office_clerk, meeting=convened)
    item = services.add_agenda_item(
        actor=office_clerk, meeting=convened, title="审议方案", is_major=True
    )
    motion = services.create_motion(actor=leader, item=item, text="同意方案")
    services.open_vote(actor=leader, motion=motion)
    voters = sorted((m.person for m in members[:12]), key=lambda p: p.pk == leader.pk)
    for i, voter in enumerate(voters):
        services.cast_vote(voter=voter, motion=motion, choice="yes" if i < 8 else "no")
    motion = services.close_vote(actor=leader, motion=motion)
    services.record_decision(actor=office_clerk, item=item, text="不予通过。", motion=motion)
    closed = services.close_meeting(actor=office_clerk, meeting=convened)

    document = documents.build_document(closed.minutes.get())

    (line,) = [i for i in document.items if i.title == "审议方案"]
    assert (line.outcome, line.forwarded_to) == ("未通过", "")
    assert "会议决定（未通过）：不予通过。" in pdf._item_lines(line)


def test_facts_cannot_be_edited_only_title_narrative_and_distribution(closed, office_clerk):
    minutes = closed.minutes.get()
    before = documents.build_document(minutes)

    with pytest.raises(TypeError):
        minutes_services.edit_minutes(
            actor=office_clerk, minutes=minutes, title="纪要", narrative="", present=["某人"]
        )
    minutes_services.edit_minutes(
        actor=office_clerk,
        minutes=minutes,
        title="改后的标题",
        narrative="一、关于立项\n同意。",
        distribution=Unit.objects.filter(code="library"),
    )
    after = documents.build_document(Minutes.objects.get(pk=minutes.pk))

    assert (after.title, after.narrative, after.distribution) == (
        "改后的标题",
        "一、关于立项\n同意。",
        ("图书馆",),
    )
    for fact in ("meeting_line", "quorum_line", "items", "present", "on_leave", "attending"):
        assert getattr(after, fact) == getattr(before, fact)


def test_submitted_minutes_cannot_be_edited(submitted, office_clerk):
    with pytest.raises(InvalidTransition, match="Submitted to the leader"):
        minutes_services.edit_minutes(
            actor=office_clerk, minutes=submitted, title="再改", narrative=""
        )


def test_submitting_tells_the_leader(submitted, leader):
    assert submitted.status == Minutes.Status.SUBMITTED
    texts = Notification.objects.filter(recipient=leader, text__startswith="Minutes")
    assert list(texts.values_list("text", flat=True)) == ["Minutes to sign: 全体会议纪要"]


def test_the_leader_returns_the_draft_with_comments(submitted, leader, office_clerk):
    minutes = minutes_services.return_minutes(
        actor=leader, minutes=submitted, comments="请补充经费数额。"
    )

    assert (minutes.status, minutes.comments) == (Minutes.Status.RETURNED, "请补充经费数额。")
    minutes_services.edit_minutes(
        actor=office_clerk, minutes=minutes, title="全体会议纪要", narrative="x"
    )
    assert (
        minutes_services.submit_minutes(actor=office_clerk, minutes=minutes).status == "submitted"
    )


# --- Signing: only the leader, with the password again (Art. 15, R-MIN-1, R-MIN-3) ---------------


def test_the_leader_signs_and_the_minutes_are_issued(submitted, leader, fake, sign):
    minutes = sign(submitted)

    issued = IssuedMinutes.objects.get()
    year = timezone.localdate().year
    assert minutes.status == Minutes.Status.ISSUED
    assert issued.number == f"信息化纪要\u3014{year}\u30151号"
    assert (issued.year, issued.sequence, issued.signer, issued.demo_signature) == (
        year,
        1,
        leader,
        True,
    )
    assert issued.pdf_sha256 == sha256(bytes(issued.pdf))
    assert bytes(issued.pdf).endswith(FAKE_SIGNATURE)
    assert set(issued.distributions.values_list("unit__code", flat=True)) == {"netc", "finance"}
    (document,) = fake.rendered
    assert (document.number, document.draft, document.signer) == (issued.number, False, "孙其信")
    assert issued.content["number"] == issued.number
    assert list(
        AuditEntry.objects.filter(action__startswith="minutes.sign").values_list("action", "actor")
    ) == [("minutes.sign_authenticated", leader.pk)]
    assert AuditEntry.objects.filter(action="minutes.issued", actor=leader).count() == 1


@pytest.mark.parametrize(
    ("year", "sequence", "number"),
    [
        (2026, 3, "信息化纪要〔2026〕3号"),
        (2026, 10, "信息化纪要〔2026〕10号"),
        (2027, 1, "信息化纪要〔2027〕1号"),
    ],
)
def test_numbers_have_hexagonal_brackets_the_full_year_and_no_leading_zero(year, sequence, number):
    formatted = documents.format_number("信息化纪要", year, sequence)

    assert formatted == number
    assert "\u3014" in formatted and "\u3015" in formatted  # 〔 〕, not 〖〗 or [] or （）
    assert "第" not in formatted and "〕0" not in formatted


def test_numbers_follow_each_other_in_the_body_and_year(
    roster, submitted, office_clerk, leader, fake, sign
):
    first = sign(submitted).issued.get()
    other = _another_closed_meeting(roster, office_clerk, leader, "专题会")
    second = sign(submitted_minutes(other, clerk=office_clerk)).issued.get()

    assert (first.sequence, second.sequence) == (1, 2)
    assert DocumentCounter.objects.get(body=roster.leading_group).last == 2


@pytest.mark.parametrize("who", ["deputy", "admin", "office_clerk", "member"])
def test_only_the_leader_signs(request, submitted, fake, who):
    person = request.getfixturevalue(who)

    with pytest.raises(MeetingError, match=r"Only the leader of .* signs its minutes \(Art. 15\)"):
        minutes_services.request_signature(actor=person, minutes=submitted, password=PASSWORD)

    submitted.refresh_from_db()
    assert submitted.status == Minutes.Status.SUBMITTED
    assert IssuedMinutes.objects.count() == 0


def test_the_signing_task_checks_the_seat_again(submitted, leader, deputy, fake):
    Minutes.objects.filter(pk=submitted.pk).update(status=Minutes.Status.SIGNING)

    with pytest.raises(MeetingError, match=r"\(Art. 15\)"):
        issuing.sign_and_issue(minutes_id=submitted.pk, signer_id=deputy.pk)

    assert IssuedMinutes.objects.count() == 0
    assert not DocumentCounter.objects.filter(last__gt=0).exists()


def test_a_wrong_password_is_refused_recorded_and_nothing_is_issued(
    submitted, leader, fake, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(MeetingError, match=r"The password is not right; nothing was signed\."),
    ):
        minutes_services.request_signature(actor=leader, minutes=submitted, password="wrong")

    submitted.refresh_from_db()
    assert submitted.status == Minutes.Status.SUBMITTED
    assert callbacks == [auditchain.link_pending]  # the refusal's entry linked; no signing task
    assert IssuedMinutes.objects.count() == 0
    assert DocumentCounter.objects.count() == 0
    refusal = AuditEntry.objects.get(action="minutes.sign_refused")
    assert (refusal.actor, refusal.object_id, refusal.after) == (
        leader,
        str(submitted.pk),
        {"reason": "password"},
    )


def test_a_failed_signing_gives_its_number_back(submitted, leader, fake, sign):
    fake.fail = RuntimeError("token not present")

    minutes = sign(submitted)

    assert minutes.status == Minutes.Status.SUBMITTED
    assert minutes.comments == "Signing failed: token not present"
    assert IssuedMinutes.objects.count() == 0
    assert not DocumentCounter.objects.filter(last__gt=0).exists()
    assert AuditEntry.objects.filter(action="minutes.signing_failed").count() == 1

    fake.fail = None
    issued = sign(minutes).issued.get()
    assert issued.sequence == 1  # gapless: the failed attempt used no number


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_signings_at_once_get_distinct_consecutive_numbers(
    roster, office_clerk, leader, monkeypatch, settings
):
    # Signing requests are only queued here; the two threads then run the task's body.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    fake = use_fake_signing(monkeypatch)
    fake.delay = 0.3  # each holds its number while it renders: the other must wait
    minutes = []
    for title in ("专题会一", "专题会二"):
        meeting = _another_closed_meeting(roster, office_clerk, leader, title)
        draft = submitted_minutes(meeting, clerk=office_clerk)
        minutes.append(
            minutes_services.request_signature(actor=leader, minutes=draft, password=PASSWORD)
        )
    assert [m.status for m in minutes] == [Minutes.Status.SIGNING] * 2
    start = threading.Barrier(2)
    numbers, errors = [], []

    def sign(minutes_id: int) -> None:
        try:
            start.wait()
            issued = issuing.sign_and_issue(minutes_id=minutes_id, signer_id=leader.pk)
            numbers.append(issued.sequence)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=sign, args=(m.pk,)) for m in minutes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(numbers) == [1, 2]
    assert DocumentCounter.objects.get(body=roster.leading_group).last == 2
    assert sorted(IssuedMinutes.objects.values_list("sequence", flat=True)) == [1, 2]


# --- Issued minutes are immutable (R-MIN-2) -----------------------------------------------------


@pytest.fixture
def issued(submitted, fake, sign) -> IssuedMinutes:
    return sign(submitted).issued.get()


def test_issued_minutes_refuse_save_delete_and_update(issued):
    issued.title = "改动"
    with pytest.raises(ImmutableDocument):
        issued.save()
    with pytest.raises(ImmutableDocument):
        issued.delete()
    with pytest.raises(ImmutableDocument):
        IssuedMinutes.objects.filter(pk=issued.pk).update(title="改动")
    with pytest.raises(ImmutableDocument):
        IssuedMinutes.objects.filter(pk=issued.pk).delete()

    assert IssuedMinutes.objects.get(pk=issued.pk).title == "全体会议纪要"


# The triggers' refusal: migration 0004's on SQLite (every role), infogov.db's on PostgreSQL
# (all but the tables' owner: the tests then act as the serving role).
REFUSED = r"immutable|refused: its rows are never changed"


def test_the_database_refuses_a_raw_update_of_issued_minutes(issued):
    table = IssuedMinutes._meta.db_table
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        serving_role(),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET title = %s WHERE id = %s", ["改动", issued.pk])
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        serving_role(),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET pdf = %s WHERE id = %s", [b"%PDF forged", issued.pk])

    stored = IssuedMinutes.objects.get(pk=issued.pk)
    assert (stored.title, sha256(bytes(stored.pdf))) == ("全体会议纪要", issued.pdf_sha256)


@delete_trigger
def test_postgresql_also_refuses_a_raw_delete_of_issued_minutes(issued):
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        serving_role(),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {IssuedMinutes._meta.db_table} WHERE id = %s", [issued.pk])

    assert IssuedMinutes.objects.filter(pk=issued.pk).exists()


# --- Corrections (R-MIN-2) ----------------------------------------------------------------------


def test_a_correction_references_the_original_and_verification_reports_it(
    issued, office_clerk, leader, fake, sign
):
    draft = minutes_services.start_correction(actor=office_clerk, issued=issued)
    assert (draft.corrects, draft.title, draft.status) == (issued, issued.title, "draft")
    assert draft.narrative == issued.minutes.narrative
    assert set(draft.distribution.values_list("code", flat=True)) == {"netc", "finance"}
    with pytest.raises(MeetingError, match=r"A correction of .* already exists"):
        minutes_services.start_correction(actor=office_clerk, issued=issued)

    minutes_services.edit_minutes(
        actor=office_clerk, minutes=draft, title=issued.title, narrative="更正后的纪要。"
    )
    minutes_services.submit_minutes(actor=office_clerk, minutes=draft)
    correction = sign(draft).issued.get()

    assert (correction.corrects, correction.sequence) == (issued, 2)
    original = minutes_services.verify_number(issued.number)
    assert (original.valid, original.issued, original.newer) == (True, issued, correction)
    by_file = minutes_services.verify_file(bytes(issued.pdf))
    assert (by_file.issued, by_file.hash_matches, by_file.newer) == (issued, True, correction)
    latest = minutes_services.verify_number(correction.number)
    assert (latest.valid, latest.newer) == (True, None)


def test_verifying_an_unknown_number_or_a_changed_file(issued, fake):
    changed = bytes(issued.pdf).replace(b"fake minutes", b"fake MINUTES")

    assert minutes_services.verify_number("信息化纪要〔1999〕1号") is None
    result = minutes_services.verify_file(changed)
    assert (result.valid, result.issued, result.hash_matches) == (False, None, False)


# --- Distribution and reading (Art. 16) ---------------------------------------------------------


def test_read_receipts_are_recorded_once_per_person_of_a_unit_concerned(
    issued, office_clerk, leader
):
    library = User.objects.create(
        username="reader", full_name="图书馆馆员", unit=Unit.objects.get(code="library")
    )

    first = minutes_services.record_reading(reader=office_clerk, issued=issued)  # NETC
    again = minutes_services.record_reading(reader=office_clerk, issued=issued)
    no_unit = minutes_services.record_reading(reader=leader, issued=issued)
    not_sent = minutes_services.record_reading(reader=library, issued=issued)

    assert (first, again, no_unit, not_sent) == (1, 0, 0, 0)
    assert list(
        ReadReceipt.objects.values_list("distribution__unit__code", "reader__username")
    ) == [("netc", "clerk")]


# --- The demo -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the signing task runs when the demo's steps commit
def test_the_demo_issues_the_plenarys_minutes_really_signed(roster, settings):
    from meetings.demo import load_demo_meetings
    from meetings.minutes import signing
    from members.demo import load_demo

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as `make run`
    load_demo()

    lines = load_demo_meetings()

    issued = IssuedMinutes.objects.get()
    assert issued.number == f"信息化纪要〔{issued.year}〕1号"
    assert any(f"minutes issued as {issued.number}" in line for line in lines)
    assert issued.minutes.narrative.startswith("会议听取了")
    assert set(issued.distributions.values_list("unit__code", flat=True)) == {
        "netc",
        "finance",
        "state-assets",
    }
    check = signing.verify_pdf(bytes(issued.pdf))
    assert (check.valid, check.signer_name) == (True, "孙其信")
    assert signing.demo_ca_certificate_path().is_file()
    assert load_demo_meetings() == []


@pytest.mark.parametrize("clock", ["00:02", "00:30", "02:59", "03:00", "05:59", "06:00", "23:59"])
def test_the_demo_plenary_of_a_roster_seated_today_is_convened_before_it_starts(db, clock):
    # The roster is seated today, so the demo's clock goes back no further than midnight: the
    # plenary must start after midnight, when it is convened (Art. 12), and before now (it
    # was held). Late in the day it starts three hours ago.
    from meetings.demo import _past_start
    from members import services as member_services
    from members.demo import load_demo
    from members.models import Body

    member_services.load_roster()
    load_demo()
    # As on a fresh database (the live server's): every seat filled today.
    Appointment.objects.update(started_on=timezone.localdate())
    body = Body.objects.get(kind=Body.Kind.LEADING_GROUP)
    today = timezone.localdate()
    hour, minute = map(int, clock.split(":"))
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(hour, minute, 30)))
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))

    starts_at = _past_start(body, now)

    assert rules.art12_may_convene(starts_at=starts_at, now=midnight, agenda_items=2) is None
    assert starts_at <= now - dt.timedelta(minutes=1)
    if now - midnight >= dt.timedelta(hours=6):
        assert starts_at == (now - dt.timedelta(hours=3)).replace(second=0)


def test_the_demo_meetings_load_just_after_midnight(db):
    # CI once ran at 00:27 in Shanghai: the plenary started at midnight, when the demo's
    # clock convened it, and convening refused a start that had passed.
    from unittest import mock

    from meetings.demo import load_demo_meetings
    from members import services as member_services
    from members.demo import load_demo

    member_services.load_roster()
    load_demo()
    Appointment.objects.update(started_on=timezone.localdate())  # as on a fresh database
    real_now = timezone.now
    started = real_now()
    local_midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 0)))
    fake_start = local_midnight + dt.timedelta(minutes=27)

    with mock.patch.object(timezone, "now", lambda: fake_start + (real_now() - started)):
        lines = load_demo_meetings()

    assert any("plenary" in line.lower() or "全体会议" in line for line in lines), lines
    plenary = Meeting.objects.get(kind=Meeting.Kind.LG_PLENARY, status=Meeting.Status.CLOSED)
    assert local_midnight < plenary.starts_at < fake_start
