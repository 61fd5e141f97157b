"""The call (征集, Art. 8 (3)): the Work Group opens the year's call, with its envelope and an
optional top-up window with a cap; the windows decide whether a unit may propose or submit on a
given day, and say so when it may not.
"""

import datetime as dt

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infogov import audit
from members.models import User
from projects import permissions, rules
from projects.models import Call
from projects.services._common import ProjectError


@transaction.atomic
def open_call(
    *,
    actor: User,
    year: int,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    envelope_fen: int,
    guidelines: str = "",
    topup_opens_on: dt.date | None = None,
    topup_closes_on: dt.date | None = None,
    topup_cap_fen: int | None = None,
) -> Call:
    """征集: the Work Group opens the call for ``year``."""
    if not permissions.can_open_call(actor):
        raise ProjectError(_("Only the Work Group calls for projects (Art. 8 (3))."))
    if closes_on < opens_on:
        raise ProjectError(_("The call closes before it opens."))
    if (topup_opens_on is None) != (topup_closes_on is None) or (
        topup_opens_on is not None
        and (
            topup_cap_fen is None or topup_opens_on <= closes_on or topup_closes_on < topup_opens_on
        )
    ):
        raise ProjectError(
            _("A top-up window opens after the call closes, ends after it opens and has a cap.")
        )
    if Call.objects.filter(year=year).exists():
        raise ProjectError(_("There is already a call for %(year)s.") % {"year": year})
    call = Call.objects.create(
        year=year,
        title=title,
        guidelines=guidelines,
        opens_on=opens_on,
        closes_on=closes_on,
        envelope_fen=envelope_fen,
        topup_opens_on=topup_opens_on,
        topup_closes_on=topup_closes_on,
        topup_cap_fen=topup_cap_fen,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="projects.call_opened",
        obj=call,
        after={"year": year, "envelope_fen": envelope_fen},
    )
    return call


def _window(call: Call, day: dt.date) -> bool | None:
    """False in the main window, True in the top-up window, None when closed."""
    if rules.art8_call_is_open(opens_on=call.opens_on, closes_on=call.closes_on, day=day):
        return False
    if call.topup_opens_on and rules.art8_call_is_open(
        opens_on=call.topup_opens_on, closes_on=call.topup_closes_on, day=day
    ):
        return True
    return None


def _closed_message(call: Call) -> str:
    dates = {
        "opens": date_format(call.opens_on),
        "closes": date_format(call.closes_on),
    }
    if call.topup_opens_on:
        return _(
            "The call accepts proposals from %(opens)s to %(closes)s, and in its top-up window "
            "from %(topup_opens)s to %(topup_closes)s."
        ) % {
            **dates,
            "topup_opens": date_format(call.topup_opens_on),
            "topup_closes": date_format(call.topup_closes_on),
        }
    return _("The call accepts proposals from %(opens)s to %(closes)s.") % dates
