"""Who may do what with a meeting. Asks django-guardian only through members.permissions.

Objects a person may not see answer 404; steps they may see but not take answer 403.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable
from django.http import Http404
from django.shortcuts import get_object_or_404

from meetings import rules
from meetings.models import (
    AgendaItem,
    Attendee,
    Distribution,
    ExpectedMember,
    IssuedMinutes,
    Material,
    Meeting,
    Minutes,
    Motion,
)
from members.models import Body, User
from members.permissions import body_perms, has_body_perm

# A question of the kind "may ``user`` do this with the meetings of ``body``?".
Allowed = Callable[[User, Body | int], bool]


def can_manage(user: User, body: Body | int) -> bool:
    """Art. 9, 12: the Office organises the body's meetings (drafts, agenda, attendance)."""
    return has_body_perm(user, "manage_meetings", body)


def can_convene(user: User, body: Body | int) -> bool:
    """Art. 12 / R-MEET-1: the leader or a deputy convenes (the service checks the seat too)."""
    return has_body_perm(user, "convene_meeting", body)


def can_chair(user: User, body: Body | int) -> bool:
    """Art. 12: run the session (open and close it, its motions, votes and decisions): the
    convenors, and the Office on their behalf (rules.may_chair)."""
    body_id = body if isinstance(body, int) else body.pk
    return rules.may_chair(body_perms(user).get(body_id, frozenset()))


def expected_member(user: User, meeting: Meeting) -> ExpectedMember | None:
    if not user.is_authenticated:
        return None
    try:  # get() drops the default ordering, which would join the meeting for nothing
        return ExpectedMember.objects.get(meeting_id=meeting.pk, person_id=user.pk)
    except ExpectedMember.DoesNotExist:
        return None


def can_view(user: User, meeting: Meeting) -> bool:
    """Drafts are seen by the Office and the convenors; convened meetings also by the body's
    voting members, the expected members and the invited 列席 attendees."""
    if not user.is_authenticated or not user.is_active:
        return False
    if can_chair(user, meeting.body_id):
        return True
    if meeting.status == Meeting.Status.DRAFT:
        return False
    return (
        has_body_perm(user, "vote", meeting.body_id)
        or meeting.expected_members.filter(person=user).exists()
        or meeting.attendees.filter(person=user).exists()
    )


def visible_meetings(user: User) -> QuerySet[Meeting]:
    """Return the meetings ``user`` may see, by the same rule as can_view, in one query."""
    if not user.is_authenticated or not user.is_active:
        return Meeting.objects.none()
    perms = body_perms(user)
    chair_bodies = [b for b, codes in perms.items() if rules.may_chair(codes)]
    vote_bodies = [b for b, codes in perms.items() if "vote" in codes]
    invited = Exists(ExpectedMember.objects.filter(meeting=OuterRef("pk"), person=user)) | Exists(
        Attendee.objects.filter(meeting=OuterRef("pk"), person=user)
    )
    return Meeting.objects.filter(
        Q(body__in=chair_bodies)
        | (~Q(status=Meeting.Status.DRAFT) & (Q(body__in=vote_bodies) | invited))
    )


def get_meeting_for_user_or_404(user: User, pk: int, *, related: tuple[str, ...] = ()) -> Meeting:
    """The meeting if ``user`` may see it, else 404, with the rows ``related`` to it that the
    page shows (select_related); the permissions need only its body's id."""
    meetings = Meeting.objects.select_related(*related) if related else Meeting.objects.all()
    meeting = get_object_or_404(meetings, pk=pk)
    if not can_view(user, meeting):
        raise Http404
    return meeting


def get_motion_for_user_or_404(user: User, pk: int) -> Motion:
    """The motion with its item and meeting if ``user`` may see it, else 404."""
    motion = get_object_or_404(Motion.objects.select_related("item__meeting"), pk=pk)
    if not can_view(user, motion.item.meeting):
        raise Http404
    return motion


def get_item_for_user_or_404(user: User, pk: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__body"), pk=pk)
    if not can_view(user, item.meeting):
        raise Http404
    return item


def get_expected_member_for_user_or_404(user: User, pk: int) -> ExpectedMember:
    member = get_object_or_404(
        ExpectedMember.objects.select_related("meeting__body", "person"), pk=pk
    )
    if not can_view(user, member.meeting):
        raise Http404
    return member


def get_material_for_user_or_404(user: User, pk: int) -> Material:
    material = get_object_or_404(Material.objects.select_related("item__meeting__body"), pk=pk)
    if not can_view(user, material.item.meeting):
        raise Http404
    return material


def get_attendee_for_user_or_404(user: User, pk: int) -> Attendee:
    attendee = get_object_or_404(Attendee.objects.select_related("meeting", "person"), pk=pk)
    if not can_view(user, attendee.meeting):
        raise Http404
    return attendee


# --- Minutes (Art. 15-16) -----------------------------------------------------------------------


def can_edit_minutes(user: User, body: Body | int) -> bool:
    """Art. 9, 15: the Office drafts the minutes, submits them and starts corrections."""
    return can_manage(user, body)


def can_sign_minutes(user: User, body: Body | int) -> bool:
    """Art. 15 / R-MIN-1: the body's leader returns or signs (the service checks the seat too)."""
    return has_body_perm(user, "sign_minutes", body)


def get_minutes_for_user_or_404(user: User, pk: int) -> Minutes:
    """Minutes are seen by whoever sees their meeting."""
    minutes = get_object_or_404(
        Minutes.objects.select_related("meeting__body", "meeting__chair", "corrects"), pk=pk
    )
    if not can_view(user, minutes.meeting):
        raise Http404
    return minutes


def _in_distribution(unit_id: int) -> Exists:
    return Exists(Distribution.objects.filter(issued=OuterRef("pk"), unit_id=unit_id))


def visible_issued(user: User) -> QuerySet[IssuedMinutes]:
    """Issued minutes ``user`` may read: those of a meeting they see, and those sent to their
    unit (Art. 16). The PDF bytes are left in the database until asked for."""
    if not user.is_authenticated or not user.is_active:
        return IssuedMinutes.objects.none()
    seen: Q | Combinable = Q(minutes__meeting__in=visible_meetings(user))
    if user.unit_id is not None:
        seen |= _in_distribution(user.unit_id)
    return IssuedMinutes.objects.filter(seen).defer("pdf")


def can_view_issued(user: User, issued: IssuedMinutes) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if can_view(user, issued.minutes.meeting):
        return True
    return user.unit_id is not None and issued.distributions.filter(unit_id=user.unit_id).exists()


def get_issued_for_user_or_404(user: User, pk: int, *, with_pdf: bool = False) -> IssuedMinutes:
    """The issued minutes if ``user`` may read them, else 404; the PDF only if asked for."""
    issued = IssuedMinutes.objects.select_related("minutes__meeting__body", "signer", "corrects")
    if not with_pdf:
        issued = issued.defer("pdf")
    found = get_object_or_404(issued, pk=pk)
    if not can_view_issued(user, found):
        raise Http404
    return found


def require(allowed: bool) -> None:
    """Raise 403 for a visible object whose step the person may not take."""
    if not allowed:
        raise PermissionDenied
