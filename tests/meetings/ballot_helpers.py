"""Opening and counting a secret ballot in tests: two present members as scrutineers, each
with a ballot key under SCRUTINEER_PASSWORD, and the count by both."""

from meetings import services
from meetings.ballots import keys
from meetings.ballots.models import ScrutineerKey
from meetings.models import ExpectedMember, Motion
from members.demo import DEMO_PASSWORD
from members.models import User
from tests.factories import PASSWORD

SCRUTINEER_PASSWORD = PASSWORD


def scrutineers_for(motion: Motion, n: int = 2) -> list[User]:
    """The first ``n`` present expected members of the motion's meeting (scrutineers_in)."""
    return scrutineers_in(motion.item.meeting_id, n)


def scrutineers_in(meeting_id: int, n: int = 2) -> list[User]:
    """The first ``n`` present expected members in seat order, each given a ballot key under
    their password if they have none (setting a password makes one; roster people have none).
    Setting a password signs the person out of their sessions: call it before they log in."""
    people = [
        m.person
        for m in ExpectedMember.objects.filter(meeting_id=meeting_id, present=True)
        .select_related("person")
        .order_by("order")[:n]
    ]
    for person in people:
        if not ScrutineerKey.objects.filter(person=person).exists():
            if not person.has_usable_password() or not person.check_password(PASSWORD):
                person.set_password(PASSWORD)
                person.save(update_fields=["password"])
            if not ScrutineerKey.objects.filter(person=person).exists():
                keys.make_key(person, PASSWORD)
    return people


def open_vote(*, actor: User, motion: Motion, n: int = 2):
    """services.open_vote, with scrutineers if the motion is a secret ballot."""
    people = scrutineers_for(motion, n) if motion.method == Motion.Method.SECRET else ()
    return services.open_vote(actor=actor, motion=motion, scrutineers=people)


def password_of(person: User) -> str:
    """The password a test person's ballot key opens with: the tests' own, or the demo's for
    the demo roster that the browser tests load (every annex person signs in with it)."""
    return PASSWORD if person.check_password(PASSWORD) else DEMO_PASSWORD


def count(motion: Motion, people: list[User] | None = None) -> Motion:
    """Both (or the given) scrutineers confirm the count of a closed secret ballot."""
    if people is None:
        people = [s.person for s in motion.scrutineers.select_related("person")[:2]]
    for person in people:
        motion = services.count_secret(actor=person, motion=motion, password=password_of(person))
    motion.refresh_from_db()
    return motion


def close_and_count(*, actor: User, motion: Motion) -> Motion:
    """services.close_vote, then the count if it is a secret ballot."""
    closed = services.close_vote(actor=actor, motion=motion)
    if closed.method == Motion.Method.SECRET and closed.status == Motion.Status.CLOSED:
        return count(closed)
    return closed
