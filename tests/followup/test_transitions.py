"""Every step × every state × every role: allowed and done, or refused with a message and
nothing changed (R-EXEC-2, R-DUTY-1). The expectations are written out here, not read from
followup.rules, so that a change of the table shows up as a failing test."""

import datetime as dt

import pytest
from django.utils import timezone

from followup import services
from followup.models import Event, Extension, Item, Reminder
from followup.rules import ItemStatus as S
from followup.rules import ItemStep as T
from infogov.models import AuditEntry

ROLES = [
    "office_clerk",  # the Office (Art. 9)
    "deputy",  # 赵曼: the Work Group's leader
    "wg_deputy",  # 马博虎: a deputy leader of the Work Group
    "liaison",  # Finance's liaison: the item's lead unit
    "other_liaison",  # the Library's liaison
    "leader",  # 孙其信: sees everything, takes no step
    "member",  # 阎祖书
    "outsider",
]
ROLE_STEPS = {
    "office_clerk": {T.ASSIGN, T.CLOSE, T.RETURN, T.CANCEL, T.REMIND},
    "deputy": {T.CLOSE, T.RETURN, T.DECIDE_EXTENSION},
    "wg_deputy": {T.DECIDE_EXTENSION},
    "liaison": {T.ACKNOWLEDGE, T.REPORT, T.REQUEST_COMPLETION, T.REQUEST_EXTENSION},
}
WORKING = {
    T.REPORT,
    T.REQUEST_COMPLETION,
    T.CANCEL,
    T.REQUEST_EXTENSION,
    T.DECIDE_EXTENSION,
    T.REMIND,
}
STATE_STEPS = {
    S.DRAFT: {T.ASSIGN, T.CANCEL},
    S.ASSIGNED: {T.ACKNOWLEDGE, T.CANCEL, T.REQUEST_EXTENSION, T.DECIDE_EXTENSION, T.REMIND},
    S.ACKNOWLEDGED: WORKING,
    S.IN_PROGRESS: WORKING,
    S.RETURNED: WORKING,
    S.COMPLETION_REQUESTED: {T.CLOSE, T.RETURN, T.CANCEL, T.DECIDE_EXTENSION, T.REMIND},
    S.CLOSED: set(),
    S.CANCELLED: set(),
}
LEADS_TO = {
    T.ASSIGN: S.ASSIGNED,
    T.ACKNOWLEDGE: S.ACKNOWLEDGED,
    T.REPORT: S.IN_PROGRESS,
    T.REQUEST_COMPLETION: S.COMPLETION_REQUESTED,
    T.CLOSE: S.CLOSED,
    T.RETURN: S.RETURNED,
    T.CANCEL: S.CANCELLED,
}


def take(step: T, actor, item: Item):
    """Take ``step`` on ``item`` as ``actor`` through its service, with valid input."""
    call = {
        T.ASSIGN: lambda: services.assign_item(actor=actor, item=item),
        T.ACKNOWLEDGE: lambda: services.acknowledge_item(actor=actor, item=item),
        T.REPORT: lambda: services.report_progress(actor=actor, item=item, text="进展", percent=60),
        T.REQUEST_COMPLETION: lambda: services.request_completion(
            actor=actor, item=item, text="办结报告"
        ),
        T.CLOSE: lambda: services.close_item(actor=actor, item=item, text=""),
        T.RETURN: lambda: services.return_item(actor=actor, item=item, reason="材料不全"),
        T.CANCEL: lambda: services.cancel_item(actor=actor, item=item, reason="方案调整"),
        T.REQUEST_EXTENSION: lambda: services.request_extension(
            actor=actor,
            item=item,
            new_due_date=item.due_date + dt.timedelta(days=10),
            reason="经费未到",
        ),
        T.DECIDE_EXTENSION: lambda: services.decide_extension(
            actor=actor, extension=item.extensions.get(status="pending"), approve=True
        ),
        T.REMIND: lambda: services.remind_item(actor=actor, item=item),
    }[step]
    return call()


def state_of(item: Item) -> dict:
    item.refresh_from_db()
    return {
        "item": {f.attname: getattr(item, f.attname) for f in Item._meta.concrete_fields},
        "events": Event.objects.filter(item=item).count(),
        "extensions": list(item.extensions.values_list("status", flat=True)),
        "reminders": Reminder.objects.filter(item=item).count(),
        "audit": AuditEntry.objects.count(),
    }


def prepared(make_item, state: S, step: T, liaison) -> Item:
    item = make_item(state)
    if step == T.DECIDE_EXTENSION:
        # A pending extension, whatever the state (e.g. left when the item was cancelled).
        Extension.objects.create(
            item=item, reason="经费未到", old_due_date=item.due_date,
            new_due_date=item.due_date + dt.timedelta(days=10), requested_by=liaison,
        )  # fmt: skip
    return item


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("step", list(T))
def test_every_step_in_every_state_for_every_role(
    request, english, make_item, liaison, step, state
):
    people = {role: request.getfixturevalue(role) for role in ROLES}
    allowed_in_state = step in STATE_STEPS[state]
    for role in ROLES:
        item = prepared(make_item, state, step, liaison)
        allowed = allowed_in_state and step in ROLE_STEPS.get(role, set())
        before = state_of(item)
        if not allowed:
            with pytest.raises(services.FollowupError) as refused:
                take(step, people[role], item)
            assert str(refused.value) in (
                f"Not possible while the item is {item.get_status_display()}.",
                "You may not do this for this item.",
            ), (role, str(refused.value))
            assert state_of(item) == before, role
            continue
        take(step, people[role], item)
        item.refresh_from_db()
        assert item.status == LEADS_TO.get(step, state), role
        assert AuditEntry.objects.count() > before["audit"]
        after = state_of(item)
        assert after["events"] == before["events"] + 1, role


def test_extension_approval_moves_the_due_date_and_keeps_the_original(
    make_item, liaison, wg_deputy
):
    item = make_item(S.IN_PROGRESS)
    original = item.due_date
    extension = services.request_extension(
        actor=liaison, item=item, new_due_date=original + dt.timedelta(days=14), reason="等待招标"
    )

    services.decide_extension(actor=wg_deputy, extension=extension, approve=True)

    item.refresh_from_db()
    assert item.due_date == original + dt.timedelta(days=14)
    assert item.original_due_date == original


def test_the_applicant_never_decides_their_own_extension(
    english, make_item, deputy, finance, liaison
):
    # 赵曼 as the item's responsible person cannot act for Finance; here the applicant is the
    # approver by construction: an extension row of hers.
    item = make_item(S.IN_PROGRESS)
    extension = Extension.objects.create(
        item=item, reason="x", old_due_date=item.due_date,
        new_due_date=item.due_date + dt.timedelta(days=3), requested_by=deputy,
    )  # fmt: skip

    with pytest.raises(services.FollowupError, match="someone other than its applicant"):
        services.decide_extension(actor=deputy, extension=extension, approve=True)
    extension.refresh_from_db()
    assert extension.status == Extension.Status.PENDING


def test_an_extension_after_the_due_date_is_refused(english, make_item, liaison):
    item = make_item(S.IN_PROGRESS)
    Item.objects.filter(pk=item.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))

    with pytest.raises(services.FollowupError, match="before the due date"):
        services.request_extension(
            actor=liaison, item=item, new_due_date=timezone.localdate(), reason="x"
        )
    assert item.extensions.count() == 0


def test_closing_after_the_due_date_marks_the_item_closed_late(make_item, office_clerk):
    item = make_item(S.COMPLETION_REQUESTED)
    Item.objects.filter(pk=item.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))

    services.close_item(actor=office_clerk, item=item)

    item.refresh_from_db()
    assert (item.status, item.closed_late) == (S.CLOSED, True)


@pytest.mark.parametrize(("step", "field"), [(T.RETURN, "reason"), (T.CANCEL, "reason")])
def test_returning_and_cancelling_need_a_reason(english, make_item, office_clerk, step, field):
    item = make_item(S.COMPLETION_REQUESTED)
    service = services.return_item if step == T.RETURN else services.cancel_item

    with pytest.raises(services.FollowupError, match="Give the reason"):
        service(actor=office_clerk, item=item, reason="  ")
    item.refresh_from_db()
    assert item.status == S.COMPLETION_REQUESTED
