"""Signals meetings offers to the apps above it, so that meetings need not import them.

``motion_counted`` is sent once a vote's count is known, inside the transaction that counted
it (a named vote when it closes; a secret ballot when two scrutineers have counted it, or have
confirmed its paper totals): a receiver's changes commit or roll back with the count itself.
A project proposal learns its fate this way (ARCHITECTURE.md: "learns its fate from that
item's motion"). Receivers call their own services; they hold no rules.

``decision_recorded`` is sent by meetings.services.record_decision inside its transaction,
after the decision and its audit entry are written, with ``decision`` and ``actor``: a
receiver's writes commit or roll back with the decision. followup uses it to start tracking a
forwarded decision (Art. 14, R-EXEC-1).
"""

from django.dispatch import Signal

# Sent with ``motion`` (meetings.models.Motion, status CLOSED, ``passed`` set) and ``actor``.
motion_counted = Signal()

# Sent with ``decision`` (meetings.models.Decision) and ``actor``.
decision_recorded = Signal()
