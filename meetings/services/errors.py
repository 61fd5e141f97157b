"""The meetings app's one error type and its kinds; every message is for users."""

from django.utils.translation import gettext as _

from infogov.steps import StepRefused
from meetings.models import QuorumCheck


class MeetingError(StepRefused):
    """A step the regulation or the meeting's state does not allow; the message is for users."""


class InvalidTransition(MeetingError):
    """A step its meeting's (or motion's) status does not allow (meetings.rules.ALLOWED_STEPS)."""


class QuorumNotMet(MeetingError):
    """A quorum gate refused (R-MEET-2); the check is recorded all the same."""

    def __init__(self, check: QuorumCheck):
        self.check = check
        super().__init__(
            _(
                "No quorum: %(present)d of %(expected)d members present, %(needed)d needed "
                "(Art. 12: more than two-thirds)."
            )
            % {"present": check.present, "expected": check.expected, "needed": check.needed}
        )
