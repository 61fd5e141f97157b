"""Every change of state of a meeting, by concern (Art. 12-16).

- convening.py: drafting, rescheduling, convening, postponing, cancelling;
- attendance.py: answers, check-in, the quorum gate, opening and closing the session;
- agenda.py: agenda items, their materials, non-voting attendees;
- votes.py: motions, opening, casting, closing and deferring votes (a show of hands is
  counted as it closes);
- counting.py: counting a closed secret ballot, by its scrutineers or on paper (the secret
  ballot's cryptography in meetings.ballots);
- decisions.py: how each item ended, and its forwarding;
- notifications.py: notifications in the portal and invitations by mail;

Each service checks the step against its state machine (meetings.rules.ALLOWED_STEPS), changes
the rows inside one transaction, records an audit entry, and defers mail until the
transaction commits. Permissions (who may press the button) are checked by the views through
meetings.permissions; the rules of the regulation that depend on the person (R-MEET-1: only
the leader or a deputy convenes; R-VOTE-4: only present seated members vote) are checked here
as well, so no path around the views can break them.

The minutes (Art. 15-16) have a package of their own, meetings.minutes.

Callers import this package: ``from meetings import services; services.convene_meeting(...)``.
"""

from meetings.services.agenda import (
    add_agenda_item,
    add_material,
    edit_agenda_item,
    invite_attendee,
    move_agenda_item,
    remove_agenda_item,
    remove_attendee,
    remove_material,
)
from meetings.services.attendance import (
    answer_attendance,
    attendance,
    check_in,
    check_in_code,
    close_meeting,
    meeting_of_check_in_code,
    open_meeting,
    set_check_in_open,
    undo_check_in,
)
from meetings.services.convening import (
    cancel_meeting,
    convene_meeting,
    convening_role,
    draft_meeting,
    postpone_meeting,
    reschedule_meeting,
)
from meetings.services.counting import confirm_paper_count, count_secret, record_paper_count
from meetings.services.decisions import record_decision
from meetings.services.errors import InvalidTransition, MeetingError, QuorumNotMet
from meetings.services.notifications import mark_notifications_read, unread_count
from meetings.services.votes import (
    VoterView,
    cast_ballot,
    cast_vote,
    close_vote,
    counts,
    create_motion,
    defer_vote,
    open_vote,
    record_show_of_hands,
    voted_count,
    voter_view,
)

__all__ = [
    "InvalidTransition",
    "MeetingError",
    "QuorumNotMet",
    "VoterView",
    "add_agenda_item",
    "add_material",
    "answer_attendance",
    "attendance",
    "cancel_meeting",
    "cast_ballot",
    "cast_vote",
    "check_in",
    "check_in_code",
    "close_meeting",
    "close_vote",
    "confirm_paper_count",
    "convene_meeting",
    "convening_role",
    "count_secret",
    "counts",
    "create_motion",
    "defer_vote",
    "draft_meeting",
    "edit_agenda_item",
    "invite_attendee",
    "mark_notifications_read",
    "meeting_of_check_in_code",
    "move_agenda_item",
    "open_meeting",
    "open_vote",
    "postpone_meeting",
    "record_decision",
    "record_paper_count",
    "record_show_of_hands",
    "remove_agenda_item",
    "remove_attendee",
    "remove_material",
    "reschedule_meeting",
    "set_check_in_open",
    "undo_check_in",
    "unread_count",
    "voted_count",
    "voter_view",
]
