"""Signals of meetings, for apps above it (followup) that meetings must not import.

``decision_recorded`` is sent by meetings.services.record_decision inside its transaction,
after the decision and its audit entry are written, with ``decision`` and ``actor``: a
receiver's writes commit or roll back with the decision. followup uses it to start tracking a
forwarded decision (Art. 14, R-EXEC-1).
"""

from django.dispatch import Signal

decision_recorded = Signal()
