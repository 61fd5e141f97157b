"""followup hears of meetings' decisions through meetings.signals (meetings never imports
followup): a decision marked for forwarding starts being tracked (Art. 14, R-EXEC-1)."""

from meetings.signals import decision_recorded


def _track_forwarded(sender, *, decision, actor, **kwargs) -> None:
    if decision.forward_to:
        from followup.services import track_forwarding

        track_forwarding(actor=actor, decision=decision)


def connect() -> None:
    decision_recorded.connect(_track_forwarded, dispatch_uid="followup.track_forwarded")
