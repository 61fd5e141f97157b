"""Meetings of the Leading Group and the Work Group, their attendance, agenda, votes and
decisions (Art. 12-14).

By concern, as meetings.services:

- meeting.py: the meeting, its status and its queryset;
- attendance.py: expected members and their attendance history, the quorum panel's counts,
  non-voting attendees, the quorum gate's checks;
- agenda.py: agenda items and their materials;
- votes.py: motions, named votes and secret ballots' receipts;
- decisions.py: how each item ended, and its forwarding;
- notifications.py: notifications in the portal.

The secret ballot's rows (meetings.ballots.models) and the minutes' (meetings.minutes.models)
are imported here too, so that Django registers them with this app. Callers import this
package: ``from meetings.models import Meeting``.
"""

# isort: off
# In the order the models were declared when they were one module, so that Django registers
# them (and the ballots' and minutes' after them) in the same order as before.
from meetings.models.meeting import Meeting, MeetingQuerySet
from meetings.models.attendance import (
    ATTENDANCE_COUNTS,
    AttendanceEvent,
    Attendee,
    ExpectedMember,
    ExpectedMemberQuerySet,
    QuorumCheck,
    attendance_of,
)
from meetings.models.agenda import (
    ALLOWED_MATERIAL_EXTENSIONS,
    MAX_MATERIAL_BYTES,
    AgendaItem,
    Material,
    material_path,
)
from meetings.models.votes import (
    BASIS_CHOICES,
    CHOICES,
    THRESHOLD_CHOICES,
    BallotReceipt,
    Motion,
    NamedVote,
)
from meetings.models.decisions import Decision
from meetings.models.notifications import Notification
from meetings.ballots.models import Ballot, PaperCount, Scrutineer, ScrutineerKey
from meetings.minutes.models import (
    Distribution,
    DocumentCounter,
    ImmutableDocument,
    IssuedMinutes,
    Minutes,
    ReadReceipt,
)
# isort: on

__all__ = [
    "ALLOWED_MATERIAL_EXTENSIONS",
    "ATTENDANCE_COUNTS",
    "BASIS_CHOICES",
    "CHOICES",
    "MAX_MATERIAL_BYTES",
    "THRESHOLD_CHOICES",
    "AgendaItem",
    "AttendanceEvent",
    "Attendee",
    "Ballot",
    "BallotReceipt",
    "Decision",
    "Distribution",
    "DocumentCounter",
    "ExpectedMember",
    "ExpectedMemberQuerySet",
    "ImmutableDocument",
    "IssuedMinutes",
    "Material",
    "Meeting",
    "MeetingQuerySet",
    "Minutes",
    "Motion",
    "NamedVote",
    "Notification",
    "PaperCount",
    "QuorumCheck",
    "ReadReceipt",
    "Scrutineer",
    "ScrutineerKey",
    "attendance_of",
    "material_path",
]
