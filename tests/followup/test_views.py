"""The follow-up pages: the ledger and its filters, its queries, the export read back, the
item page's steps, the monthly report and the dashboard panel."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import Item
from followup.rules import ItemStatus as S
from followup.rules import Source
from members.models import Unit

TODAY = timezone.localdate


def bulk_items(n: int, *, unit: Unit, responsible, decision, status=S.IN_PROGRESS) -> None:
    """``n`` items written directly (the services are tested elsewhere): for the queries."""
    today = TODAY()
    Item.objects.bulk_create(
        Item(
            title=f"事项{i}", source=Source.DECISION, decision=decision, lead_unit=unit,
            responsible=responsible, due_date=today + dt.timedelta(days=i % 60 - 10),
            original_due_date=today + dt.timedelta(days=i % 60 - 10), status=status,
            percent=i % 101,
        )
        for i in range(n)
    )  # fmt: skip


def ledger_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_ledger_queries_do_not_grow_with_its_rows(
    client, office_clerk, finance, liaison, decision, django_assert_max_num_queries
):
    client.force_login(office_clerk)
    url = reverse("followup:item_list")
    client.get(url)  # warm the session and the permissions cache
    bulk_items(50, unit=finance, responsible=liaison, decision=decision)
    fifty = ledger_queries(client, url)  # the rows are read and cached
    fifty_cached = ledger_queries(client, url)

    bulk_items(4950, unit=finance, responsible=liaison, decision=decision)
    five_thousand = ledger_queries(client, url)
    with django_assert_max_num_queries(7):  # the person, the session, the pickers and so on
        cached = client.get(url)

    assert Item.objects.count() == 5000
    assert fifty == five_thousand
    # Cached, the rows cost neither the count nor the page of items: only the revision.
    assert fifty_cached == fifty - 2
    assert "5000" in cached.content.decode()


def test_the_cached_ledger_shows_a_step_taken_since(client, office_clerk, make_item, liaison):
    from followup import services

    item = make_item(S.ACKNOWLEDGED, title="刚签收的事项")
    client.force_login(office_clerk)
    url = reverse("followup:item_list")
    assert "已签收" in client.get(url).content.decode()

    services.report_progress(actor=liaison, item=item, text="方案已定", percent=60)
    page = client.get(url).content.decode()

    assert "60%" in page
    assert "办理中" in page


def test_the_cached_ledger_shows_a_new_item(client, office_clerk, make_item):
    make_item(S.ASSIGNED, title="第一件")
    client.force_login(office_clerk)
    url = reverse("followup:item_list")
    assert "第二件" not in client.get(url).content.decode()

    make_item(S.ASSIGNED, title="第二件")

    assert "第二件" in client.get(url).content.decode()


def test_one_units_cached_ledger_is_not_shown_to_another(client, make_item, liaison, other_liaison):
    """Each unit's liaison sees one item, as often changed: the same count and revisions."""
    mine = make_item(S.ASSIGNED)
    theirs = make_item(S.ASSIGNED, lead_unit=Unit.objects.get(code="library"), title="图书馆事项")
    client.force_login(liaison)
    assert mine.get_absolute_url() in client.get(reverse("followup:item_list")).content.decode()

    client.force_login(other_liaison)
    page = client.get(reverse("followup:item_list")).content.decode()

    assert theirs.get_absolute_url() in page
    assert mine.get_absolute_url() not in page


def test_the_liaison_sees_only_their_units_items(client, make_item, liaison, roster):
    mine = make_item(S.ASSIGNED)
    other = make_item(S.ASSIGNED, lead_unit=Unit.objects.get(code="library"), title="图书馆事项")
    client.force_login(liaison)

    page = client.get(reverse("followup:item_list")).content.decode()

    assert mine.get_absolute_url() in page
    assert other.get_absolute_url() not in page
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_ledger_filters_by_light(client, office_clerk, make_item):
    late = make_item(S.IN_PROGRESS, title="逾期事项")
    Item.objects.filter(pk=late.pk).update(due_date=TODAY() - dt.timedelta(days=1))
    green = make_item(S.IN_PROGRESS, title="正常事项")
    client.force_login(office_clerk)

    page = client.get(reverse("followup:item_list"), {"light": "red"}).content.decode()

    assert late.get_absolute_url() in page
    assert green.get_absolute_url() not in page


def test_the_export_holds_exactly_the_filtered_rows_with_real_dates(
    client, office_clerk, make_item, roster
):
    library = Unit.objects.get(code="library")
    finance_items = [make_item(S.IN_PROGRESS, title=f"计财{n}") for n in range(3)]
    make_item(S.ASSIGNED, lead_unit=library, title="图书馆")
    client.force_login(office_clerk)

    response = client.get(reverse("followup:item_export"), {"unit": finance_items[0].lead_unit_id})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "督办事项", "来源", "牵头单位")
    assert [row[1] for row in rows[1:]] == ["计财0", "计财1", "计财2"]
    assert {row[3] for row in rows[1:]} == {"计划财务处"}
    due = rows[1][6]
    assert isinstance(due, dt.datetime)
    assert due.date() == finance_items[0].due_date
    assert rows[1][8] == "办理中"


def test_the_liaison_acknowledges_and_reports_from_the_item_page(client, make_item, liaison):
    item = make_item(S.ASSIGNED)
    client.force_login(liaison)
    page = client.get(item.get_absolute_url()).content.decode()
    assert reverse("followup:item_step", args=[item.pk, "acknowledge"]) in page
    assert reverse("followup:item_step", args=[item.pk, "close"]) not in page

    client.post(reverse("followup:item_step", args=[item.pk, "acknowledge"]))
    response = client.post(
        reverse("followup:item_step", args=[item.pk, "report"]),
        {"text": "已完成方案", "percent": "30"},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.percent) == (S.IN_PROGRESS, 30)


def test_bad_input_is_a_message_and_changes_nothing(client, english_pages, make_item, liaison):
    item = make_item(S.ACKNOWLEDGED)
    client.force_login(liaison)

    response = client.post(
        reverse("followup:item_step", args=[item.pk, "report"]),
        {"text": "x", "percent": "150"},
        follow=True,
    )

    assert response.status_code == 200
    assert "less than or equal to 100" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.percent) == (S.ACKNOWLEDGED, 0)


def test_the_office_creates_an_item_from_a_decision(
    client, office_clerk, decision, finance, liaison
):
    client.force_login(office_clerk)
    form = client.get(reverse("followup:item_new"), {"decision": decision.pk}).content.decode()
    assert decision.text in form

    response = client.post(
        reverse("followup:item_new"),
        {
            "source": "decision", "decision": decision.pk, "title": "落实经费",
            "lead_unit": finance.pk, "responsible": liaison.pk,
            "due_date": (TODAY() + dt.timedelta(days=20)).isoformat(), "weight": "1",
        },
    )  # fmt: skip

    item = Item.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert (item.decision, item.status) == (decision, S.DRAFT)


def test_the_monthly_report_shows_the_figures_and_the_chart_data(client, office_clerk, make_item):
    closed = make_item(S.CLOSED)
    make_item(S.IN_PROGRESS)
    client.force_login(office_clerk)
    month = closed.original_due_date.strftime("%Y-%m")

    response = client.get(reverse("followup:report"), {"month": month})

    rows = response.context["rows"]
    assert [(r.unit, r.due, r.closed, r.completion_percent) for r in rows] == [
        ("计划财务处", 2, 1, 50)
    ]
    page = response.content.decode()
    assert 'id="followup-chart-data"' in page
    assert "vendor/chart.umd.min.js" in page
    export = client.get(reverse("followup:report_export"), {"month": month})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert list(book.active.iter_rows(min_row=3, values_only=True)) == [
        ("计划财务处", 2, 1, 50, 0, 0)
    ]


def test_the_dashboard_shows_pending_forwardings_to_leaders(client, leader, decision):
    from followup import services
    from meetings.models import AgendaItem, Decision

    forwarded = Decision.objects.create(
        item=AgendaItem.objects.create(meeting=decision.item.meeting, order=2, title="上报"),
        text="报校长办公会。",
        forward_to=Decision.Forward.PRESIDENTS_OFFICE,
    )
    forwarding = services.track_forwarding(actor=None, decision=forwarded)
    client.force_login(leader)

    page = client.get("/").content.decode()

    assert forwarding.get_absolute_url() in page


@pytest.mark.parametrize("width_marker", ['table class="stack ledger"'])
def test_the_ledger_stacks_on_phones(client, office_clerk, width_marker):
    client.force_login(office_clerk)
    assert width_marker in client.get(reverse("followup:item_list")).content.decode()
