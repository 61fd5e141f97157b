"""The audit trail's state on the admin index: for those who may read the trail, from the last
verification and the entries appended since (checked now if few), in a fixed number of
queries; nobody else sees it."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from infogov import audit, auditchain
from infogov.models import AuditEntry, AuditVerification
from meetings.models import Motion
from tests.factories import UserFactory

PANEL = re.compile(r'<ul class="messagelist" id="audit-chain"><li class="(\w+)">([^<]*)</li>')


def _panel(client, user) -> tuple[str, str] | None:
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    found = PANEL.search(response.content.decode())
    return found.groups() if found else None


def _head() -> int:
    """The last link (the roster's entries are linked as their commits would have)."""
    auditchain.link_pending()
    return AuditEntry.objects.aggregate(head=Max("seq"))["head"]


def _record(n: int) -> None:
    """``n`` entries, linked as their commit would (the test's transaction never commits)."""
    for i in range(n):
        audit.record(actor=None, action="test.panel", obj=Motion(pk=i + 1, text="甲"))
    auditchain.link_pending()


def test_entries_left_unlinked_too_long_are_reported(client, roster, admin, monkeypatch):
    call_command("verify_audit")
    audit.record(actor=None, action="test.panel", obj=Motion(pk=1, text="甲"))  # not linked
    # Longer ago than the grace, and no linker has run since: its linker failed.
    monkeypatch.setattr(auditchain, "PENDING_GRACE", dt.timedelta(0))
    state = _panel(client, admin)

    oldest = AuditEntry.objects.get(seq__isnull=True).at
    assert state == (
        "warning",
        f"审计链：有 1 条记录（最早写于 {timezone.localtime(oldest):%Y-%m-%d %H:%M}）尚未链入，"
        "请运行 manage.py verify_audit。",
    )
    call_command("verify_audit")  # links it
    assert auditchain.pending() == (0, None)


def _verified_at() -> str:
    at = AuditVerification.objects.latest().at
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def test_before_any_verification_the_panel_says_to_run_it(client, roster, admin):
    assert _panel(client, admin) == (
        "warning",
        f"审计链：尚未核验（{_head()} 条）。请运行 manage.py verify_audit。",
    )


def test_after_a_verification_the_panel_says_intact(client, roster, admin):
    call_command("verify_audit")

    assert _panel(client, admin) == (
        "success",
        f"审计链：完好（{_head()} 条，最近核验于 {_verified_at()}）",
    )


def test_entries_appended_since_are_checked_on_the_way(client, roster, admin):
    call_command("verify_audit")
    _record(2)

    assert _panel(client, admin) == (
        "success",
        f"审计链：完好（{_head()} 条，最近核验于 {_verified_at()}；其后新增的 2 条刚刚核对）",
    )


def test_an_entry_altered_since_the_verification_shows_at_once(client, roster, admin):
    call_command("verify_audit")
    _record(2)
    entry = AuditEntry.objects.order_by("-seq").first()
    with connection.cursor() as cursor:  # as the tables' owner
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER infogov_auditentry_append_only")
        cursor.execute("UPDATE infogov_auditentry SET action = 'x' WHERE id = %s", [entry.pk])

    assert _panel(client, admin) == (
        "error",
        f"审计链：已损坏。第 {entry.seq} 条（id {entry.pk}）：哈希不符，其内容已被改动。"
        "（刚刚发现）",
    )


def test_a_failed_verification_stays_on_the_panel(client, roster, admin):
    _record(1)
    entry = AuditEntry.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER infogov_auditentry_append_only")
        cursor.execute("DELETE FROM infogov_auditentry WHERE seq = %s", [entry.seq - 1])
    with pytest.raises(CommandError, match="序号中断"):
        call_command("verify_audit")

    assert _panel(client, admin) == (
        "error",
        f"审计链：已损坏。第 {entry.seq} 条（id {entry.pk}）：序号中断，第 {entry.seq - 1} 至 "
        f"{entry.seq - 1} 条已被删除。（核验于 {_verified_at()}）",
    )


def test_too_many_entries_since_are_left_to_the_command(client, roster, admin, monkeypatch):
    call_command("verify_audit")
    verified = _head()
    _record(3)
    monkeypatch.setattr(auditchain, "DASHBOARD_LIMIT", 2)

    assert _panel(client, admin) == (
        "warning",
        f"审计链：截至第 {verified} 条完好（核验于 {_verified_at()}）；其后新增的 3 条尚未核验，"
        "请运行 manage.py verify_audit。",
    )


@pytest.mark.parametrize(("appended", "queries"), [(0, 7), (5, 7), (40, 6)])
def test_the_panel_costs_the_same_queries_however_many_entries(
    client, roster, admin, django_assert_num_queries, monkeypatch, appended, queries
):
    """The session and the person; the last verification, the head, the entries awaiting
    their link, and the entries since (not read when more than DASHBOARD_LIMIT)."""
    monkeypatch.setattr(auditchain, "DASHBOARD_LIMIT", 20)  # 40 are more: not read
    call_command("verify_audit")
    _record(appended)
    client.force_login(admin)
    client.get("/admin/")  # the session's first queries

    with django_assert_num_queries(queries):
        response = client.get("/admin/")

    assert PANEL.search(response.content.decode()).group(1) == (
        "warning" if appended == 40 else "success"
    )


def test_staff_who_may_not_read_the_trail_do_not_see_it(client, roster):
    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_appointment"))

    assert _panel(client, staff) is None


def test_someone_not_staff_never_reaches_the_panel(client, roster, member):
    client.force_login(member)
    response = client.get("/admin/")

    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")
