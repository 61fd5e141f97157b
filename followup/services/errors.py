"""The followup app's one error type; every message is for users."""

from infogov.steps import StepRefused


class FollowupError(StepRefused):
    """A step the regulation, the item's state or the person's capacity does not allow."""
