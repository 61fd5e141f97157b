"""The ledger and the monthly report as .xlsx (XlsxWriter): Chinese headers, real date cells.

XlsxWriter's constant_memory mode writes each row to a temporary file as it goes, so a large
ledger is never held in memory; the finished workbook is streamed from a temporary file.
"""

import datetime as dt
import tempfile
from collections.abc import Iterable

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from followup.models import Item
from followup.rules import Light, Source, UnitMonth

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def _ledger_headers() -> list[str]:
    return [
        _("No."), _("Item"), _("Source"), _("Lead unit"), _("Co-units"), _("Responsible"),
        _("Due date"), _("Original due date"), _("Status"), _("Progress (%)"), _("Light"),
        _("Assigned on"), _("Acknowledged at"), _("Closed on"), _("Closed late"),
    ]  # fmt: skip


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


# The columns read for each row: plain values, no model instances (10,000 rows in ~1 s).
LEDGER_FIELDS = (
    "pk", "title", "source", "lead_unit__name", "responsible__full_name",
    "responsible__username", "due_date", "original_due_date", "status", "percent", "light",
    "assigned_at", "acknowledged_at", "closed_at", "closed_late",
)  # fmt: skip


def _co_units(items: QuerySet[Item]) -> dict[int, str]:
    """{item id: its co-units' names}, for all of ``items`` in one query."""
    rows = (
        Item.co_units.through.objects.filter(item_id__in=items.values("pk"))
        .order_by("item_id", "unit__order")
        .values_list("item_id", "unit__name")
    )
    names: dict[int, list[str]] = {}
    for item_id, name in rows.iterator(chunk_size=CHUNK):
        names.setdefault(item_id, []).append(name)
    return {item_id: "、".join(found) for item_id, found in names.items()}


def write_ledger(path: str, items: QuerySet[Item]) -> int:
    """Write ``items`` (annotated with ``light``) to ``path``; return the number of rows."""
    with translation.override("zh-hans"):
        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = book.add_worksheet(_("Follow-up ledger"))
        bold = book.add_format({"bold": True})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 5, 16)
        sheet.set_column(6, 7, 12)
        sheet.write_row(0, 0, _ledger_headers(), bold)
        # Translated once, not once a row.
        statuses = {k: str(v) for k, v in Item.Status.choices}
        sources = {k: str(v) for k, v in Source.choices}
        lights = {k: str(v) for k, v in Light.choices}
        yes, no = pgettext("follow-up", "yes"), pgettext("follow-up", "no")
        co_units = _co_units(items)
        row = 0
        rows = items.values_list(*LEDGER_FIELDS).iterator(chunk_size=CHUNK)
        for row, values in enumerate(rows, start=1):
            (pk, title, source, unit, full_name, username, due, original, status, percent,
             light, assigned_at, acknowledged_at, closed_at, closed_late) = values  # fmt: skip
            sheet.write_number(row, 0, row)
            sheet.write_string(row, 1, title)
            sheet.write_string(row, 2, sources.get(source, source))
            sheet.write_string(row, 3, unit)
            sheet.write_string(row, 4, co_units.get(pk, ""))
            sheet.write_string(row, 5, full_name or username)
            sheet.write_datetime(row, 6, due, day)
            sheet.write_datetime(row, 7, original, day)
            sheet.write_string(row, 8, statuses[status])
            sheet.write_number(row, 9, percent)
            sheet.write_string(row, 10, lights[light])
            _write_when(sheet, row, 11, _local(assigned_at), day, as_date=True)
            _write_when(sheet, row, 12, _local(acknowledged_at), moment)
            _write_when(sheet, row, 13, _local(closed_at), day, as_date=True)
            sheet.write_string(row, 14, yes if closed_late else no)
        book.close()
    return row


def _write_when(sheet, row, col, value, fmt, *, as_date: bool = False) -> None:
    if value is None:
        sheet.write_blank(row, col, None)
    else:
        sheet.write_datetime(row, col, value.date() if as_date else value, fmt)


def write_report(path: str, month: dt.date, rows: Iterable[UnitMonth]) -> None:
    """The monthly report's figures, as the page shows them."""
    with translation.override("zh-hans"):
        book = xlsxwriter.Workbook(path)
        sheet = book.add_worksheet(_("Monthly report"))
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, _("Items due in %(month)s") % {"month": f"{month:%Y-%m}"}, bold)
        headers = [
            _("Unit"),
            _("Due"),
            pgettext("follow-up", "Closed"),
            _("Completion (%)"),
            _("Overdue (%)"),
            _("Average days to close"),
        ]
        sheet.write_row(1, 0, headers, bold)
        for i, unit in enumerate(rows, start=2):
            sheet.write_row(
                i, 0, [unit.unit, unit.due, unit.closed, unit.completion_percent,
                       unit.overdue_percent]
            )  # fmt: skip
            if unit.average_days_to_close is None:
                sheet.write_blank(i, 5, None)
            else:
                sheet.write_number(i, 5, unit.average_days_to_close)
        sheet.set_column(0, 0, 24)
        book.close()


def xlsx_response(write, filename: str) -> FileResponse:
    """Write a workbook with ``write(path)`` into a temporary file and stream it."""
    spool = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write(spool.name)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
