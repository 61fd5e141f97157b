"""Demo follow-up items for `make run` only; a production install never runs this.

Made through followup.services, as the Office and the units would in the portal: items from
the demo plenary's decisions in every state, one overdue, one closed late, a leader's
instruction, sub-items, the pending forwarding of the decision sent to the President's Office
Meeting, and a network security inspection whose findings became rectification items. Only
the dates the services refuse to set in the past (an overdue item, one closed late) are moved
back afterwards. Needs `load_demo` and `load_demo_meetings` first.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from followup import services
from followup.models import Forwarding, Holiday, Inspection, Item
from followup.rules import ItemStatus as S
from followup.rules import Source
from meetings.models import Decision
from members.models import Unit, User

PEOPLE = ["demo-clerk", "demo-liaison", "zhaoman", "sunqixin", "lili", "mabohu"]


class DemoError(Exception):
    pass


def demo_items_exist() -> bool:
    return Item.objects.filter(created_by__username="demo-clerk").exists()


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _backdate(item: Item, *, due: int, assigned: int | None = None) -> Item:
    """Move an item's dates into the past (creating one refuses a passed due date)."""
    fields = {"due_date": _days(due), "original_due_date": _days(due)}
    if assigned is not None:
        fields["assigned_at"] = timezone.now() + dt.timedelta(days=assigned)
    # Written directly, as no service moves a date back: the revision moves on all the same.
    Item.objects.filter(pk=item.pk).update(**fields, revision=F("revision") + 1)
    item.refresh_from_db()
    return item


def load_demo_followup() -> list[str]:
    """Create the demo items; return what was made. Idempotent: nothing once they exist."""
    with transaction.atomic():
        if demo_items_exist():
            return []
        p = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
        missing = sorted(set(PEOPLE) - set(p))
        if missing:
            raise DemoError(f"Missing demo logins {', '.join(missing)}: run `manage.py load_demo`.")
        return _load(p)


def _load(p: dict[str, User]) -> list[str]:
    clerk, liaison, wg_leader = p["demo-clerk"], p["demo-liaison"], p["zhaoman"]
    units = {u.code: u for u in Unit.objects.all()}
    finance, netc, office_unit = units["finance"], units["netc"], units["president-office"]
    Holiday.objects.get_or_create(
        day=dt.date(2027, 1, 1), defaults={"kind": Holiday.Kind.HOLIDAY, "name": "元旦"}
    )
    decisions = list(
        Decision.objects.filter(item__meeting__created_by=clerk).order_by("decided_at", "id")
    )
    first = decisions[0] if decisions else None
    second = decisions[-1] if decisions else None
    source = {"source": Source.DECISION, "decision": first} if first else {
        "source": Source.INSTRUCTION, "instructed_by": p["sunqixin"],
    }  # fmt: skip
    source2 = {"source": Source.DECISION, "decision": second} if second else source

    def item(title, unit, who, due, state, **extra) -> Item:
        made = services.create_item(
            actor=clerk, title=title, lead_unit=unit, responsible=who, due_date=_days(due),
            **(source | extra),
        )  # fmt: skip
        steps = {
            S.DRAFT: 0, S.ASSIGNED: 1, S.ACKNOWLEDGED: 2, S.IN_PROGRESS: 3,
            S.COMPLETION_REQUESTED: 4, S.CLOSED: 5, S.RETURNED: 5, S.CANCELLED: 0,
        }[state]  # fmt: skip
        actor = liaison if unit == finance else who
        if steps >= 1:
            services.assign_item(actor=clerk, item=made)
        if steps >= 2:
            services.acknowledge_item(actor=actor, item=made)
        if steps >= 3:
            services.report_progress(
                actor=actor, item=made, text="已制定工作方案，正在推进。", percent=45
            )
        if steps >= 4:
            services.request_completion(actor=actor, item=made, text="各项工作已完成，申请办结。")
        if state == S.CLOSED:
            services.close_item(actor=clerk, item=made, text="同意办结。")
        if state == S.RETURNED:
            services.return_item(
                actor=clerk, item=made, reason="缺少验收材料，请补充后再申请办结。"
            )
        if state == S.CANCELLED:
            services.cancel_item(actor=clerk, item=made, reason="会议决定调整方案，本事项撤销。")
        made.refresh_from_db()
        return made

    lines = []
    item("核定年度信息化项目经费预算（草稿）", finance, liaison, 40, S.DRAFT)
    item("编制智慧财务平台建设经费方案", finance, liaison, 25, S.ASSIGNED)
    item("落实信息化项目经费纳入年度预算", finance, liaison, 30, S.ACKNOWLEDGED)
    parent = item(
        "推进校园网络安全管理办法实施", netc, p["lili"], 45, S.IN_PROGRESS, **source2,
        co_units=[office_unit], supervisor=wg_leader,
    )  # fmt: skip
    services.add_milestone(actor=clerk, item=parent, title="印发实施细则", due_date=_days(10))
    for title, weight in (("完成各单位网络安全自查", 2), ("组织网络安全培训", 1)):
        child = services.create_item(
            actor=clerk, title=title, lead_unit=netc, responsible=p["lili"], due_date=_days(40),
            parent=parent, weight=weight, **source2,
        )  # fmt: skip
        services.assign_item(actor=clerk, item=child)
    behind = item("完成数据共享平台一期上线", netc, p["lili"], 20, S.IN_PROGRESS)
    milestone = services.add_milestone(
        actor=clerk, item=behind, title="完成需求调研", due_date=_days(2)
    )
    milestone.__class__.objects.filter(pk=milestone.pk).update(due_date=_days(-3))
    Item.objects.filter(pk=behind.pk).update(revision=F("revision") + 1)
    item("清理过期网站栏目", office_unit, p["mabohu"], 15, S.COMPLETION_REQUESTED,
         source=Source.INSTRUCTION, instructed_by=p["sunqixin"], decision=None)  # fmt: skip
    closed = item("更新网络与教育技术中心机房设备台账", netc, p["lili"], 12, S.CLOSED)
    _backdate(closed, due=12, assigned=-8)
    item("补充信息化项目验收材料", finance, liaison, 18, S.RETURNED)
    item("建设二级单位门户（已调整）", office_unit, p["mabohu"], 30, S.CANCELLED)
    lines.append("9 items from the plenary's decisions, one in each state, with sub-items")

    overdue = item("报送信息化专项经费使用情况", finance, liaison, 10, S.IN_PROGRESS,
                   supervisor=wg_leader)  # fmt: skip
    _backdate(overdue, due=-5, assigned=-20)
    lines.append(f"overdue: {overdue.title} (due {overdue.due_date:%Y-%m-%d})")

    late = item("完成校园卡系统等保测评整改", finance, liaison, 10, S.COMPLETION_REQUESTED)
    _backdate(late, due=-2, assigned=-25)
    services.close_item(actor=clerk, item=late, text="已完成，逾期办结。")
    lines.append(f"closed late: {late.title}")

    for decision in Decision.objects.exclude(forward_to="").filter(item__meeting__created_by=clerk):
        forwarding = services.track_forwarding(actor=clerk, decision=decision)
        if forwarding.outcome == Forwarding.Outcome.PENDING:
            lines.append(f"pending forwarding to {forwarding.get_to_body_display()}")

    inspection = services.record_inspection(
        actor=wg_leader, kind=Inspection.Kind.NETWORK_SECURITY, title="2026年度网络安全检查",
        held_on=_days(-14), inspectors="网络与教育技术中心、保卫处", units=[finance, netc],
    )  # fmt: skip
    services.add_finding(
        actor=wg_leader, inspection=inspection, unit=finance, severity="high",
        text="财务系统存在弱口令账户", responsible=liaison, due_date=_days(7),
    )  # fmt: skip
    services.add_finding(
        actor=wg_leader, inspection=inspection, unit=netc, severity="medium",
        text="机房门禁日志未按期留存", responsible=p["lili"], due_date=_days(21),
    )  # fmt: skip
    lines.append(f"inspection with 2 findings: {inspection.title}")
    services.report_progress(
        actor=liaison,
        item=Item.objects.get(title="落实信息化项目经费纳入年度预算"),
        text="已与网教中心核对项目清单，附初步预算表。",
        percent=20,
        attachment=ContentFile("项目,预算\n数据共享平台,120万\n".encode(), name="预算表.txt"),
    )
    return lines
