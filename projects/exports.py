"""The year's figures (by unit and by category), the project ledger (项目台账) as .xlsx and the
approval notice (立项批复) as a PDF in the house layout. Read-only; a fixed number of queries
whatever the number of proposals."""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from projects.models import Allocation, BudgetLine, Call, Category, Proposal
from projects.rules import APPROVED_STATUSES, ProposalStatus

FIGURES = ("submitted", "recommended", "approved", "funded", "contracted")
_NOT_SUBMITTED = (ProposalStatus.DRAFT,)
_RECOMMENDED = (ProposalStatus.RECOMMENDED, ProposalStatus.ON_AGENDA, *APPROVED_STATUSES)


def _sum_of(model, field_name: str) -> Coalesce:
    total = (
        model.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(total=Sum(field_name))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(0))


def ledger_rows(call: Call):
    """The call's proposals with their figures in fen, one query."""
    return (
        Proposal.objects.filter(call=call)
        .select_related("unit", "tender")
        .annotate(
            requested=_sum_of(BudgetLine, "amount_fen"),
            funded=_sum_of(Allocation, "amount_fen"),
            contract=Coalesce(F("tender__contract_fen"), Value(0)),
        )
        .order_by("unit__order", "rank", "id")
    )


@dataclass
class Figures:
    """Amounts in fen by stage; ``*_yuan`` for display."""

    submitted: int = 0
    recommended: int = 0
    approved: int = 0
    funded: int = 0
    contracted: int = 0

    def add(self, proposal: Proposal) -> None:
        if proposal.status in _NOT_SUBMITTED:
            return
        self.submitted += proposal.requested
        if proposal.status in _RECOMMENDED:
            self.recommended += proposal.recommended_fen or 0
        if proposal.status in APPROVED_STATUSES:
            self.approved += proposal.approved_fen or 0
            self.funded += proposal.funded
            self.contracted += proposal.contract

    def as_list(self) -> list[int]:
        return [getattr(self, name) for name in FIGURES]


@dataclass
class Overview:
    total: Figures = field(default_factory=Figures)
    by_unit: dict[str, Figures] = field(default_factory=dict)
    by_category: dict[str, Figures] = field(default_factory=dict)

    def chart_data(self) -> dict:
        labels = [str(label) for label in _figure_labels()]
        return {
            "figures": labels,
            "units": {name: fig.as_list() for name, fig in self.by_unit.items()},
            "categories": {name: fig.as_list() for name, fig in self.by_category.items()},
        }


def _figure_labels():
    return [
        _("Submitted"),
        _("Recommended"),
        pgettext("project", "Approved"),
        _("Funded"),
        _("Contracted"),
    ]


def overview(call: Call) -> Overview:
    """The year's amounts submitted, recommended, approved, funded and contracted."""
    result = Overview()
    categories = dict(Category.choices)
    for proposal in ledger_rows(call):
        result.total.add(proposal)
        result.by_unit.setdefault(str(proposal.unit), Figures()).add(proposal)
        result.by_category.setdefault(
            str(categories.get(proposal.category, proposal.category)), Figures()
        ).add(proposal)
    return result


# --- The ledger as .xlsx --------------------------------------------------------------------
# A workbook of one sheet written with the standard library: cells are inline strings or
# numbers, which is all a ledger needs and every spreadsheet opens.


def _cell(ref: str, value) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def xlsx(rows: list[list]) -> bytes:
    """A one-sheet .xlsx of ``rows`` (strings and numbers)."""
    body = "".join(
        f'<row r="{r + 1}">'
        + "".join(_cell(f"{_column(c)}{r + 1}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows)
    )
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships">'
            '<sheets><sheet name="Ledger" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>{body}'
            "</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def ledger_xlsx(call: Call) -> bytes:
    """项目台账: one row per proposal, amounts in yuan as exact decimal text."""
    header = [
        _("Unit"),
        _("Project"),
        _("Category"),
        _("Status"),
        _("Requested (yuan)"),
        _("Recommended (yuan)"),
        _("Approved (yuan)"),
        _("Funded (yuan)"),
        _("Contract (yuan)"),
        _("Winner"),
    ]
    rows: list[list] = [[str(h) for h in header]]
    for p in ledger_rows(call):
        tender = getattr(p, "tender", None)
        rows.append(
            [
                str(p.unit),
                p.title,
                str(p.get_category_display()),
                str(p.get_status_display()),
                _yuan(p.requested),
                _yuan(p.recommended_fen),
                _yuan(p.approved_fen),
                _yuan(p.funded),
                _yuan(p.contract if tender else None),
                tender.winner if tender else "",
            ]
        )
    return xlsx(rows)


# --- The approval notice (立项批复) --------------------------------------------------------


def approval_notice_pdf(call: Call, day: dt.date | None = None) -> bytes | None:
    """The approval notice of ``call``'s approved projects, laid out as the minutes are
    (meetings.minutes.pdf); None while nothing is approved."""
    from meetings.minutes import pdf

    approved = list(
        Proposal.objects.filter(call=call, status__in=sorted(APPROVED_STATUSES))
        .select_related("unit", "approval_motion__item__meeting")
        .order_by("rank", "id")
    )
    if not approved:
        return None
    motion = approved[0].approval_motion
    html = render_to_string(
        "projects/approval_notice_pdf.html",
        {
            "call": call,
            "projects": approved,
            "total": sum(p.approved_fen for p in approved),
            "meeting": motion.item.meeting,
            "motion": motion,
            "issued_on": day or timezone.localdate(),
        },
    )
    return pdf.render_html(html).write_pdf()
