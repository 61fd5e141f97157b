"""Signals meetings offers to the apps above it, so that meetings need not import them.

``motion_counted`` is sent once a vote's count is known, inside the transaction that counted
it (a named vote when it closes; a secret ballot when two scrutineers have counted it, or have
confirmed its paper totals): a receiver's changes commit or roll back with the count itself.
A project proposal learns its fate this way (ARCHITECTURE.md: "learns its fate from that
item's motion"). Receivers call their own services; they hold no rules.
"""

from django.dispatch import Signal

# Sent with ``motion`` (meetings.models.Motion, status CLOSED, ``passed`` set) and ``actor``.
motion_counted = Signal()
