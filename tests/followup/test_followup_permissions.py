"""Every follow-up URL × every role → the expected status; a refused request changes nothing
(R-DUTY-1). The Office creates, assigns and closes; the lead unit's liaison acknowledges and
reports; the Work Group's leader closes too and, with its deputies, decides extensions;
leaders see everything; another unit's liaison, a plain member, an outsider and the
superuser (who holds no seat) see nothing: 404.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from django.utils import timezone

from followup import services
from followup.models import Event, Extension, Finding, Forwarding, Inspection, Item, Reminder
from followup.rules import ItemStatus as S
from infogov.models import AuditEntry
from meetings import services as meeting_services
from meetings.models import AgendaItem, Decision, Meeting
from tests.test_permissions import _url_names

ROLES = [
    "anonymous", "outsider", "member", "leader", "deputy", "wg_deputy", "office_clerk",
    "liaison", "other_liaison", "admin",
]  # fmt: skip
SEES_ALL = {"leader", "deputy", "wg_deputy", "office_clerk"}
SEES_ITEM = SEES_ALL | {"liaison"}
SEES_LEDGER = SEES_ITEM | {"other_liaison"}


def login(path):
    return (302, f"/login/?next={path}")


def grid(path, ok, *, sees, success=200, location=None, seen_but_not=403):
    """``ok`` get ``success``; who sees (``sees``) but is not in ``ok`` gets 403; anyone
    else signed in 404; anonymous visitors are sent to log in."""
    expected = {"anonymous": login(path)}
    for role in ROLES[1:]:
        if role in ok:
            expected[role] = (success, location)
        elif role in sees:
            expected[role] = (seen_but_not, None)
        else:
            expected[role] = (404, None)
    return expected


def page(path, sees):
    return grid(path, sees, sees=sees)


def post_only(path):
    return {"anonymous": login(path)} | dict.fromkeys(ROLES[1:], (405, None))


def step(pk_name, name, ok, data=None):
    path = f"/followup/items/{{{pk_name}}}/{name}/"
    return (
        "followup:item_step",
        "post",
        path,
        data,
        grid(path, ok, sees=SEES_ITEM, success=302, location=f"/followup/items/{{{pk_name}}}/"),
    )


DUE = "{due}"
GRID = [
    ("followup:item_list", "get", "/followup/", None, page("/followup/", SEES_LEDGER)),
    (
        "followup:item_export",
        "get",
        "/followup/export.xlsx",
        None,
        page("/followup/export.xlsx", SEES_LEDGER),
    ),
    ("followup:report", "get", "/followup/report/", None, page("/followup/report/", SEES_LEDGER)),
    (
        "followup:report_export",
        "get",
        "/followup/report.xlsx",
        None,
        page("/followup/report.xlsx", SEES_LEDGER),
    ),
    (
        "followup:item_new",
        "get",
        "/followup/new/",
        None,
        grid("/followup/new/", {"office_clerk"}, sees=SEES_LEDGER),
    ),
    (
        "followup:item_new",
        "post",
        "/followup/new/",
        {
            "source": "decision",
            "decision": "{decision}",
            "title": "新事项",
            "lead_unit": "{finance}",
            "responsible": "{liaison}",
            "due_date": DUE,
            "weight": "1",
        },
        grid("/followup/new/", {"office_clerk"}, sees=SEES_LEDGER, success=302),
    ),
    (
        "followup:decision_list",
        "get",
        "/followup/decisions/",
        None,
        grid("/followup/decisions/", {"office_clerk"}, sees=SEES_LEDGER),
    ),
    (
        "followup:agenda_add",
        "post",
        "/followup/agenda/",
        {"meeting": "{meeting}"},
        grid(
            "/followup/agenda/",
            {"office_clerk"},
            sees=SEES_LEDGER,
            success=302,
            location="/meetings/{meeting}/",
        ),
    ),
    ("followup:agenda_add", "get", "/followup/agenda/", None, post_only("/followup/agenda/")),
    (
        "followup:item_detail",
        "get",
        "/followup/items/{assigned}/",
        None,
        page("/followup/items/{assigned}/", SEES_ITEM),
    ),
    (
        "followup:item_detail",
        "get",
        "/followup/items/999999/",
        None,
        page("/followup/items/999999/", set()) | {"office_clerk": (404, None)},
    ),
    step("draft", "assign", {"office_clerk"}),
    step("assigned", "acknowledge", {"liaison"}),
    step("acknowledged", "report", {"liaison"}, {"text": "进展", "percent": "20"}),
    step("in_progress", "request-completion", {"liaison"}, {"text": "办结报告"}),
    step("completion", "close", {"office_clerk", "deputy"}, {"text": ""}),
    step("completion", "return", {"office_clerk", "deputy"}, {"reason": "材料不全"}),
    step("in_progress", "cancel", {"office_clerk"}, {"reason": "方案调整"}),
    step(
        "acknowledged",
        "request-extension",
        {"liaison"},
        {"new_due_date": DUE, "reason": "经费未到"},
    ),
    step("in_progress", "remind", {"office_clerk"}),
    (
        "followup:item_step",
        "post",
        "/followup/items/{assigned}/no-such-step/",
        None,
        page("/followup/items/{assigned}/no-such-step/", set()) | {"office_clerk": (404, None)},
    ),
    (
        "followup:item_step",
        "get",
        "/followup/items/{assigned}/assign/",
        None,
        post_only("/followup/items/{assigned}/assign/"),
    ),
    (
        "followup:extension_decide",
        "post",
        "/followup/extensions/{extension}/decide/",
        {"approve": "1"},
        grid(
            "/followup/extensions/{extension}/decide/",
            {"deputy", "wg_deputy"},
            sees=SEES_ITEM,
            success=302,
            location="/followup/items/{in_progress}/",
        ),
    ),
    (
        "followup:milestone_add",
        "post",
        "/followup/items/{in_progress}/milestones/",
        {"title": "完成招标", "due_date": DUE},
        grid(
            "/followup/items/{in_progress}/milestones/",
            {"office_clerk"},
            sees=SEES_ITEM,
            success=302,
            location="/followup/items/{in_progress}/",
        ),
    ),
    (
        "followup:attachment",
        "get",
        "/followup/items/{in_progress}/attachments/{event}/",
        None,
        page("/followup/items/{in_progress}/attachments/{event}/", SEES_ITEM),
    ),
    (
        "followup:forwarding_list",
        "get",
        "/followup/forwardings/",
        None,
        page("/followup/forwardings/", SEES_ALL),
    ),
    (
        "followup:forwarding_detail",
        "get",
        "/followup/forwardings/{forwarding}/",
        None,
        page("/followup/forwardings/{forwarding}/", SEES_ALL),
    ),
    (
        "followup:forwarding_detail",
        "post",
        "/followup/forwardings/{forwarding}/",
        {
            "sent_on": "2025-09-01",
            "their_meeting_on": "2025-09-10",
            "outcome": "approved",
            "document_number": "校办〔2025〕3号",
        },
        grid(
            "/followup/forwardings/{forwarding}/",
            {"office_clerk"},
            sees=SEES_ALL,
            success=302,
            location="/followup/forwardings/{forwarding}/",
        ),
    ),
    (
        "followup:inspection_list",
        "get",
        "/followup/inspections/",
        None,
        page("/followup/inspections/", SEES_ALL),
    ),
    (
        "followup:inspection_list",
        "post",
        "/followup/inspections/",
        {
            "kind": "evaluation",
            "title": "信息化评估",
            "held_on": "2025-09-15",
            "inspectors": "工作组",
            "units": "{finance}",
        },
        grid(
            "/followup/inspections/",
            {"office_clerk", "deputy", "wg_deputy"},
            sees=SEES_ALL,
            success=302,
        ),
    ),
    (
        "followup:inspection_detail",
        "get",
        "/followup/inspections/{inspection}/",
        None,
        page("/followup/inspections/{inspection}/", SEES_ALL),
    ),
    (
        "followup:finding_add",
        "post",
        "/followup/inspections/{inspection}/findings/",
        {
            "unit": "{finance}",
            "severity": "high",
            "text": "弱口令",
            "responsible": "{liaison}",
            "due_date": DUE,
        },
        grid(
            "/followup/inspections/{inspection}/findings/",
            {"office_clerk", "deputy", "wg_deputy"},
            sees=SEES_ALL,
            success=302,
            location="/followup/inspections/{inspection}/",
        ),
    ),
]

CASES = [
    pytest.param(name, method, path, data, role, *expected[role], id=f"{method} {path} {role}")
    for name, method, path, data, expected in GRID
    for role in ROLES
]


@dataclass
class World:
    ids: dict

    def fill(self, text: str) -> str:
        return text.format(**self.ids)


@pytest.fixture
def world(make_item, liaison, other_liaison, finance, office_clerk, roster, decision) -> World:
    draft = make_item(S.DRAFT)
    assigned = make_item(S.ASSIGNED)
    acknowledged = make_item(S.ACKNOWLEDGED)
    in_progress = make_item(S.IN_PROGRESS)
    completion = make_item(S.COMPLETION_REQUESTED)
    services.report_progress(
        actor=liaison, item=in_progress, text="附方案", percent=50,
        attachment=SimpleUploadedFile("方案.txt", b"plan"),
    )  # fmt: skip
    event = in_progress.events.exclude(attachment="").get()
    extension = Extension.objects.create(
        item=in_progress, reason="经费未到", old_due_date=in_progress.due_date,
        new_due_date=in_progress.due_date + dt.timedelta(days=10), requested_by=liaison,
    )  # fmt: skip
    forwarded = Decision.objects.create(
        item=AgendaItem.objects.create(meeting=decision.item.meeting, order=2, title="上报"),
        text="报校长办公会。",
        forward_to=Decision.Forward.PRESIDENTS_OFFICE,
    )
    forwarding = services.track_forwarding(actor=None, decision=forwarded)
    inspection = services.record_inspection(
        actor=None, kind=Inspection.Kind.NETWORK_SECURITY, title="网络安全检查",
        held_on=dt.date(2025, 9, 15), inspectors="网教中心", units=[finance],
    )  # fmt: skip
    meeting = meeting_services.draft_meeting(
        actor=office_clerk, body=roster.leading_group, kind=Meeting.Kind.LG_SPECIAL,
        title="下次专题会", starts_at=timezone.now() + dt.timedelta(days=7), location="行政楼",
    )  # fmt: skip
    return World(
        ids={
            "draft": draft.pk, "assigned": assigned.pk, "acknowledged": acknowledged.pk,
            "in_progress": in_progress.pk, "completion": completion.pk, "event": event.pk,
            "extension": extension.pk, "forwarding": forwarding.pk, "inspection": inspection.pk,
            "meeting": meeting.pk, "decision": decision.pk, "finance": finance.pk,
            "liaison": liaison.pk,
            "due": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        }
    )  # fmt: skip


def snapshot() -> dict:
    return {
        "items": list(
            Item.objects.order_by("pk").values_list("pk", "status", "percent", "due_date")
        ),
        "events": Event.objects.count(),
        "extensions": list(Extension.objects.values_list("status", flat=True)),
        "reminders": Reminder.objects.count(),
        "forwardings": list(Forwarding.objects.values_list("outcome", flat=True)),
        "inspections": Inspection.objects.count(),
        "findings": Finding.objects.count(),
        "milestones": Item.objects.filter(milestones__isnull=False).count(),
        "agenda": AgendaItem.objects.count(),
        "audit": AuditEntry.objects.count(),
    }  # fmt: skip


@pytest.mark.parametrize(("name", "method", "path", "data", "role", "status", "location"), CASES)
def test_followup_permission_grid(
    request, client, world, name, method, path, data, role, status, location
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = world.fill(path)
    body = {key: world.fill(str(value)) for key, value in (data or {}).items()}
    before = snapshot()

    response = client.post(url, body) if method == "post" else client.get(url)

    assert response.status_code == status
    if location is not None:
        assert response["Location"] == world.fill(location)
    after = snapshot()
    if method == "post" and status == 302 and role != "anonymous":
        # The step was taken: no error message, and the audit trail says so.
        messages = [str(m) for m in response.wsgi_request._messages]
        assert all("error" not in m.lower() for m in messages)
        assert after["audit"] > before["audit"], messages
    else:
        assert after == before


def test_the_grid_covers_every_followup_url():
    names = {n for n in _url_names(get_resolver().url_patterns) if n.startswith("followup:")}
    assert names == {name for name, *_ in GRID}


def test_a_unit_liaison_of_another_unit_sees_an_empty_ledger(client, other_liaison, world):
    client.force_login(other_liaison)
    assert client.get("/followup/").context["page"].paginator.count == 0
