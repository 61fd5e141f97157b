"""The follow-up services beyond the state machine: reminders, forwardings, inspections,
sub-items, the projects hook, the follow-up report in the next meeting."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from followup import hooks, services
from followup.models import Finding, Forwarding, Holiday, Inspection, Item, Reminder
from followup.rules import ItemStatus as S
from followup.rules import Source
from followup.services.reminders import send_reminders
from followup.workdays import load_calendar
from meetings import services as meeting_services
from meetings.models import AgendaItem, Decision, Notification
from members.models import Unit
from tests.meetings.conftest import (  # noqa: F401
    bare_draft,
    check_in_first,
    convened,
    draft,
    in_session,
    starts_at,
)

D = dt.date


def set_due(item: Item, due: dt.date) -> Item:
    """Move an item's due date (to the past too, which creating one refuses)."""
    Item.objects.filter(pk=item.pk).update(due_date=due, original_due_date=due)
    item.refresh_from_db()
    return item


# --- Reminders ------------------------------------------------------------------------------


@pytest.fixture
def monday(db):
    """Monday 22 September 2025, before the National Day holiday (1-8 Oct) and its make-up
    Sunday 28 September."""
    for day in range(1, 9):
        Holiday.objects.create(day=D(2025, 10, day), kind=Holiday.Kind.HOLIDAY, name="国庆节")
    Holiday.objects.create(day=D(2025, 9, 28), kind=Holiday.Kind.WORKDAY, name="调休")
    return D(2025, 9, 22)


def test_reminders_run_twice_send_each_mail_once(
    monday, make_item, finance_head, django_capture_on_commit_callbacks
):
    # Three working days after Monday 22 Sep is Thursday 25: due then, reminded today.
    soon = [
        set_due(make_item(S.IN_PROGRESS, title=f"即将到期{n}"), D(2025, 9, 25)) for n in range(2)
    ]
    # Overdue: due last Friday, still running.
    late = set_due(make_item(S.ASSIGNED, title="已逾期"), D(2025, 9, 19))
    set_due(make_item(S.IN_PROGRESS, title="还早"), D(2025, 9, 29))  # 4 working days: not yet
    set_due(make_item(S.CLOSED, title="已办结"), D(2025, 9, 25))  # closed: never
    set_due(make_item(S.DRAFT, title="草稿"), D(2025, 9, 19))  # not assigned: never
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders(today=monday)
    mails_first = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = send_reminders(today=monday)

    assert (first.due_soon, first.overdue) == (2, 1)
    assert mails_first == 3  # one mail per item, to the responsible person and the unit's head
    assert sorted(mail.outbox[0].to) == ["head@example.edu", "liaison@example.edu"]
    assert (second.due_soon, second.overdue) == (0, 0)
    assert len(mail.outbox) == 3
    assert Reminder.objects.filter(kind=Reminder.Kind.DUE_SOON).count() == 2
    assert set(
        Reminder.objects.filter(kind=Reminder.Kind.OVERDUE).values_list("item", flat=True)
    ) == {late.pk}
    assert {s.pk for s in soon} == set(
        Reminder.objects.filter(kind="due_soon").values_list("item", flat=True)
    )


def test_the_due_soon_reminder_counts_the_make_up_sunday(monday, make_item):
    # From Thursday 25 Sep: Fri 26, Sun 28 (make-up), Mon 29 -> due Mon 29 is 3 working days on.
    item = set_due(make_item(S.IN_PROGRESS), D(2025, 9, 29))

    sent = send_reminders(today=D(2025, 9, 25))

    assert sent.due_soon == 1
    assert Reminder.objects.get().item == item


def test_the_command_reports_what_it_sent(monday, make_item, capsys):
    set_due(make_item(S.IN_PROGRESS), D(2025, 9, 19))

    call_command("send_followup_reminders", "--date", "2025-09-22")
    call_command("send_followup_reminders", "--date", "2025-09-22")

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2025-09-22: 0 due-soon and 1 overdue reminders sent.",
        "2025-09-22: 0 due-soon and 0 overdue reminders sent.",
    ]


def test_the_supervising_leader_hears_when_an_item_turns_red(monday, make_item, leader):
    item = set_due(make_item(S.IN_PROGRESS, supervisor=leader), D(2025, 9, 19))

    send_reminders(today=monday)

    assert Notification.objects.filter(recipient=leader, text__contains=item.title).count() == 1


def test_a_manual_reminder_is_logged_once_a_day(english, make_item, office_clerk):
    item = make_item(S.IN_PROGRESS)

    services.remind_item(actor=office_clerk, item=item)
    with pytest.raises(services.FollowupError, match="already been reminded today"):
        services.remind_item(actor=office_clerk, item=item)

    assert Reminder.objects.get().sent_by == office_clerk


# --- Forwarding (Art. 14) -------------------------------------------------------------------


def test_a_forwarded_decision_is_tracked_when_recorded(in_session, office_clerk):  # noqa: F811
    item = meeting_services.add_agenda_item(
        actor=office_clerk, meeting=in_session, title="数据治理"
    )

    decision = meeting_services.record_decision(
        actor=office_clerk,
        item=item,
        text="报校长办公会审定。",
        forward_to=Decision.Forward.PRESIDENTS_OFFICE,
    )

    forwarding = Forwarding.objects.get(decision=decision)
    assert (forwarding.to_body, forwarding.outcome) == ("presidents_office", "pending")


def test_a_decision_not_forwarded_has_no_forwarding(in_session, office_clerk):  # noqa: F811
    item = meeting_services.add_agenda_item(actor=office_clerk, meeting=in_session, title="培训")

    meeting_services.record_decision(actor=office_clerk, item=item, text="组织培训。")

    assert Forwarding.objects.count() == 0


def test_the_office_records_the_outcome(english, decision, office_clerk):
    decision = Decision.objects.create(
        item=AgendaItem.objects.create(meeting=decision.item.meeting, order=2, title="上报"),
        text="报党委常委会审定。",
        forward_to=Decision.Forward.PARTY_STANDING_COMMITTEE,
    )
    forwarding = services.track_forwarding(actor=office_clerk, decision=decision)

    with pytest.raises(services.FollowupError, match="needs the date of their meeting"):
        services.update_forwarding(
            actor=office_clerk, forwarding=forwarding, sent_on=D(2025, 9, 1),
            their_meeting_on=None, outcome="approved",
        )  # fmt: skip
    services.update_forwarding(
        actor=office_clerk, forwarding=forwarding, sent_on=D(2025, 9, 1),
        their_meeting_on=D(2025, 9, 10), outcome="approved_with_changes",
        document_number="校党委〔2025〕12号",
    )  # fmt: skip

    forwarding.refresh_from_db()
    assert (forwarding.outcome, forwarding.document_number) == (
        "approved_with_changes",
        "校党委〔2025〕12号",
    )


# --- Inspections (Art. 8 (4)(5)) ------------------------------------------------------------


def test_each_finding_becomes_an_assigned_rectification_item(
    deputy, finance, liaison, django_capture_on_commit_callbacks
):
    library = Unit.objects.get(code="library")
    inspection = services.record_inspection(
        actor=deputy, kind=Inspection.Kind.NETWORK_SECURITY, title="2025年网络安全检查",
        held_on=D(2025, 9, 15), inspectors="网教中心、保卫处", units=[finance, library],
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        item = services.add_finding(
            actor=deputy, inspection=inspection, unit=finance, severity=Finding.Severity.HIGH,
            text="财务系统弱口令", responsible=liaison,
            due_date=timezone.localdate() + dt.timedelta(days=14),
        )  # fmt: skip

    assert (item.source, item.status, item.lead_unit) == (Source.INSPECTION, S.ASSIGNED, finance)
    assert item.finding.inspection == inspection
    assert [m.to for m in mail.outbox] == [["liaison@example.edu"]]


def test_a_finding_for_a_unit_not_inspected_is_refused(english, deputy, finance, liaison):
    inspection = services.record_inspection(
        actor=deputy, kind=Inspection.Kind.EVALUATION, title="评估", held_on=D(2025, 9, 15),
        inspectors="工作组", units=[Unit.objects.get(code="library")],
    )  # fmt: skip

    with pytest.raises(services.FollowupError, match="not inspected"):
        services.add_finding(
            actor=deputy, inspection=inspection, unit=finance, severity="low", text="x",
            responsible=liaison, due_date=timezone.localdate(),
        )  # fmt: skip
    assert Finding.objects.count() == 0


def test_a_unit_liaison_records_no_inspection(english, liaison, finance):
    with pytest.raises(services.FollowupError, match="Only the Work Group or the Office"):
        services.record_inspection(
            actor=liaison, kind="evaluation", title="x", held_on=D(2025, 9, 1), inspectors="x",
            units=[finance],
        )  # fmt: skip


# --- Items: creation, sub-items, the hook ---------------------------------------------------


def test_only_the_office_opens_items(english, decision, finance, liaison):
    with pytest.raises(services.FollowupError, match="Only the Office"):
        services.create_item(
            actor=liaison, title="x", lead_unit=finance, responsible=liaison,
            due_date=timezone.localdate(), source=Source.DECISION, decision=decision,
        )  # fmt: skip
    assert Item.objects.count() == 0


def test_an_item_from_a_decision_needs_the_decision(english, office_clerk, finance, liaison):
    with pytest.raises(services.FollowupError, match="Say where the item comes from"):
        services.create_item(
            actor=office_clerk, title="x", lead_unit=finance, responsible=liaison,
            due_date=timezone.localdate(), source=Source.DECISION,
        )  # fmt: skip


def test_sub_items_roll_up_beside_what_the_unit_entered(make_item, liaison):
    parent = make_item(S.IN_PROGRESS)  # the liaison entered 40%
    first = make_item(S.ACKNOWLEDGED, parent=parent, weight=3, title="子项一")
    second = make_item(S.ACKNOWLEDGED, parent=parent, weight=1, title="子项二")
    services.report_progress(actor=liaison, item=first, text="完成", percent=100)
    services.report_progress(actor=liaison, item=second, text="开始", percent=20)

    parent.refresh_from_db()
    from followup.rules import Part, rolled_up_percent

    children = parent.children.all()
    assert rolled_up_percent(Part(c.weight, c.percent) for c in children) == 80
    assert parent.percent == 40


def test_the_projects_hook_opens_an_assigned_milestone_item(finance, liaison):
    item = hooks.open_item(
        unit=finance,
        title="智慧财务平台：完成招标",
        due_date=timezone.localdate() + dt.timedelta(days=10),
        source_label="项目 2025-03 · 招标节点",
        source_url="/projects/3/",
    )

    assert (item.source, item.status, item.responsible) == (Source.PROJECT, S.ASSIGNED, liaison)
    assert (item.source_label, item.source_url) == ("项目 2025-03 · 招标节点", "/projects/3/")


def test_the_projects_hook_refuses_a_unit_with_nobody_seated(english, roster):
    with pytest.raises(services.FollowupError, match="lead unit and a responsible person"):
        hooks.open_item(
            unit=Unit.objects.get(code="library"), title="x",
            due_date=timezone.localdate(), source_label="项目", source_url="",
        )  # fmt: skip


def test_a_progress_report_rejects_a_file_type_not_allowed(english, make_item, liaison):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = make_item(S.ACKNOWLEDGED)
    with pytest.raises(services.FollowupError, match="cannot be uploaded"):
        services.report_progress(
            actor=liaison, item=item, text="x", percent=10,
            attachment=SimpleUploadedFile("run.exe", b"MZ"),
        )  # fmt: skip
    item.refresh_from_db()
    assert (item.status, item.percent) == (S.ACKNOWLEDGED, 0)


# --- Into the next meeting ------------------------------------------------------------------


def test_the_follow_up_report_lists_the_bodys_open_and_overdue_items(
    english,
    make_item,
    office_clerk,
    draft,  # noqa: F811
):
    make_item(S.IN_PROGRESS, title="经费落实")
    set_due(make_item(S.ASSIGNED, title="系统上线"), timezone.localdate() - dt.timedelta(days=3))
    make_item(S.CLOSED, title="已办结事项")

    agenda_item = services.add_followup_report(actor=office_clerk, meeting=draft)

    lines = agenda_item.description.splitlines()
    assert agenda_item.title == "Follow-up report"
    assert len(lines) == 2
    assert lines[0].startswith("[Overdue] 系统上线")
    assert lines[1].startswith("经费落实")


def test_load_calendar_is_one_query(django_assert_num_queries, monday):
    with django_assert_num_queries(1):
        load_calendar()
