"""Every change of state in the roster, and the only code that grants object permissions.

- seats.py: seats added, filled and vacated, a unit head's ex officio seats passed on
  (R-ORG-1, R-ORG-4), and RosterError;
- grants.py: the one place that writes django-guardian's rows: a person's body and unit
  permissions made exactly what their seats confer today, and the repair of drift for everyone;
- loading.py: the annex (members.roster) loaded into the roster (R-ORG-3).

Nothing outside this package grants or revokes an object permission; each app reads them
through its own permissions.py.

Callers import this package: ``from members import services; services.fill_seat(...)``.
"""

from members.services.grants import (
    MANAGED_CODENAMES,
    Granted,
    PermissionChanges,
    sync_permissions,
    sync_user_permissions,
)
from members.services.loading import RosterLoad, load_roster
from members.services.seats import (
    RosterError,
    add_seat,
    fill_seat,
    is_administrator,
    transfer_ex_officio_seats,
    vacate_seat,
)

__all__ = [
    "MANAGED_CODENAMES",
    "Granted",
    "PermissionChanges",
    "RosterError",
    "RosterLoad",
    "add_seat",
    "fill_seat",
    "is_administrator",
    "load_roster",
    "sync_permissions",
    "sync_user_permissions",
    "transfer_ex_officio_seats",
    "vacate_seat",
]
