"""R-VOTE-1: a secret ballot cannot be linked to its voter, read straight from the database,
and is counted by two scrutineers without any single ballot being decrypted (meetings.ballots).

Who has voted is known (the receipts); what they voted is only in ciphertexts (the ballots),
which hold no voter, no time and no orderable key. Counting takes two scrutineers' passwords.
"""

import json

import pytest
from allauth.account import signals
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from infogov.models import AuditEntry
from meetings import services
from meetings.ballots import keys, proofs
from meetings.ballots import services as ballots
from meetings.ballots.models import Ballot, PaperCount, Scrutineer, ScrutineerKey
from meetings.models import BallotReceipt, Motion
from meetings.services import MeetingError
from members.models import User
from tests.factories import PASSWORD
from tests.meetings import ballot_helpers

pytestmark = pytest.mark.usefixtures("english")

PATTERN = ["yes", "no", "yes", "abstain", "yes", "no", "yes", "no", "yes", "abstain", "yes"]


@pytest.fixture
def secret(in_session, leader):
    item = services.add_agenda_item(actor=leader, meeting=in_session, title="校园网", is_major=True)
    return services.create_motion(actor=leader, item=item, text="同意", method=Motion.Method.SECRET)


def _voters(meeting, n):
    return [m.person for m in meeting.expected_members.select_related("person").order_by("order")][
        :n
    ]


def _cast_pattern(motion, meeting):
    voters = _voters(meeting, len(PATTERN))
    trackers = [
        services.cast_vote(voter=v, motion=motion, choice=c)
        for v, c in zip(voters, PATTERN, strict=True)
    ]
    return voters, trackers


def test_the_box_holds_ciphertexts_with_no_voter_time_or_order(secret, in_session, leader):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    voters, trackers = _cast_pattern(motion, in_session)

    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "meetings_ballot")
        }
        relations = connection.introspection.get_relations(cursor, "meetings_ballot")
    assert columns == {"tracker", "motion_id", "data"}
    assert {column: ref[:2] for column, ref in relations.items()} == {
        "motion_id": ("id", "meetings_motion")
    }
    assert sorted(Ballot.objects.values_list("tracker", flat=True)) == sorted(trackers)
    for ballot in Ballot.objects.all():
        data = bytes(ballot.data)
        assert len(data) == 640
        assert proofs.verify_ballot(
            proofs.Ballot.from_bytes(data, 3), bytes(motion.ballot_key), motion.pk
        )
        assert b"abstain" not in data
    assert BallotReceipt.objects.filter(motion=motion).count() == len(voters)


def test_two_scrutineers_count_and_the_shares_are_destroyed(secret, in_session, leader):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    _cast_pattern(motion, in_session)
    motion = services.close_vote(actor=leader, motion=motion)
    assert motion.status == Motion.Status.CLOSED and motion.counted == ""
    assert motion.yes is None
    first, second = [s.person for s in motion.scrutineers.order_by("index")]

    motion = services.count_secret(actor=first, motion=motion, password=PASSWORD)
    motion.refresh_from_db()
    assert motion.counted == "" and motion.yes is None  # one of two: not yet counted
    motion = services.count_secret(actor=second, motion=motion, password=PASSWORD)
    motion.refresh_from_db()

    assert motion.counted == Motion.Counted.CRYPTO
    assert (motion.yes, motion.no, motion.abstain) == (6, 3, 2)
    assert not Scrutineer.objects.filter(motion=motion, sealed_share__isnull=False).exists()
    assert ballots.verify(motion) == []
    call_command("verify_ballot", str(motion.pk))


def test_two_of_three_count_with_one_missing_and_fewer_wait(secret, in_session, leader):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret, n=3)
    _cast_pattern(motion, in_session)
    motion = services.close_vote(actor=leader, motion=motion)
    first, _second, third = [s.person for s in motion.scrutineers.order_by("index")]

    services.count_secret(actor=third, motion=motion, password=PASSWORD)
    motion.refresh_from_db()
    assert motion.counted == ""  # closed, not yet counted: nothing is lost, it waits
    with pytest.raises(MeetingError, match="another scrutineer must too"):
        services.count_secret(actor=third, motion=motion, password=PASSWORD)
    with pytest.raises(MeetingError, match="Wrong password"):
        services.count_secret(actor=first, motion=motion, password="wrong")
    with pytest.raises(MeetingError, match="Only this ballot's scrutineers"):
        services.count_secret(actor=_voters(in_session, 16)[-1], motion=motion, password=PASSWORD)
    services.count_secret(actor=first, motion=motion, password=PASSWORD)  # second is away
    motion.refresh_from_db()

    assert (motion.yes, motion.no, motion.abstain) == (6, 3, 2)
    assert ballots.verify(motion) == []


def test_a_forged_ballot_is_refused_and_stores_nothing(secret, in_session, leader, member):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    key = bytes(motion.ballot_key)
    good = proofs.make_ballot(0, 3, key, motion.pk)
    two_ones = proofs.Ballot(
        (good.ciphertexts[0], good.ciphertexts[0], good.ciphertexts[2]),
        good.bit_proofs,
        good.sum_proof,
    )
    other_motion = proofs.make_ballot(0, 3, key, motion.pk + 1)
    before = (Ballot.objects.count(), BallotReceipt.objects.count(), AuditEntry.objects.count())

    for forged in (two_ones.to_bytes(), other_motion.to_bytes(), b"\x00" * 640, b"short"):
        with pytest.raises(MeetingError, match="This ballot is not valid"):
            services.cast_ballot(voter=member, motion=motion, ballot=forged)
        after = (Ballot.objects.count(), BallotReceipt.objects.count(), AuditEntry.objects.count())
        assert after == before

    services.cast_ballot(voter=member, motion=motion, ballot=good.to_bytes())
    assert Ballot.objects.get().tracker == good.tracker


def test_a_wrong_partial_decryption_is_refused(secret, in_session, leader):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    _cast_pattern(motion, in_session)
    motion = services.close_vote(actor=leader, motion=motion)
    first = motion.scrutineers.get(index=1)
    box = [proofs.Ballot.from_bytes(d, 3) for _t, d in ballots._ballots(motion)]
    sums = ballots.totals(box)
    points, proof_bytes = ballots.partials_of(
        12345, bytes(first.commitment), sums, motion.pk, first.index
    )

    with pytest.raises(MeetingError, match="does not match the scrutineer's share"):
        ballots.give_partial(first, sums, points, proof_bytes)
    first.refresh_from_db()
    assert first.partial is None


def test_the_command_finds_a_tampered_box(secret, in_session, leader):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    _cast_pattern(motion, in_session)
    motion = ballot_helpers.close_and_count(actor=leader, motion=motion)
    scrutineer = motion.scrutineers.get(index=1)
    points = bytearray(bytes(scrutineer.partial))
    points[0:32] = bytes(motion.scrutineers.get(index=2).partial)[0:32]
    Scrutineer.objects.filter(pk=scrutineer.pk).update(partial=bytes(points))

    with pytest.raises(CommandError, match="mismatch"):
        call_command("verify_ballot", str(motion.pk))


def test_a_password_change_keeps_the_key_and_a_reset_makes_a_new_one(
    client, english_pages, secret, in_session, leader, member
):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    _cast_pattern(motion, in_session)
    motion = services.close_vote(actor=leader, motion=motion)
    first, second = [s.person for s in motion.scrutineers.order_by("index")]
    public = bytes(ScrutineerKey.objects.get(person=first).public_key)

    client.force_login(first)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-new-Passw0rd!", "password2": "a-new-Passw0rd!"},
    )
    assert response.status_code == 302
    assert bytes(ScrutineerKey.objects.get(person=first).public_key) == public
    first.refresh_from_db()
    services.count_secret(actor=first, motion=motion, password="a-new-Passw0rd!")

    # A reset (nothing opens the old key): a new pair, which the old share does not open.
    old = bytes(ScrutineerKey.objects.get(person=second).public_key)
    second.set_password("reset-Passw0rd!")
    second.save()
    reset = RequestFactory().post("/password/reset/key/", {"password1": "reset-Passw0rd!"})
    signals.password_reset.send(sender=User, request=reset, user=second)
    assert bytes(ScrutineerKey.objects.get(person=second).public_key) != old
    with pytest.raises(MeetingError, match="does not open"):
        services.count_secret(actor=second, motion=motion, password="reset-Passw0rd!")


def test_a_first_password_makes_a_key(db):
    person = User.objects.create(username="newcomer", full_name="新委员")
    assert not ScrutineerKey.objects.filter(person=person).exists()
    person.set_password("first-Passw0rd!")
    person.save()
    public, secret_key = keys.secret_key(person, "first-Passw0rd!")
    assert len(public) == 32 and len(secret_key) == 32


def test_opening_needs_two_or_three_present_scrutineers_with_keys(session, leader):
    item = services.add_agenda_item(actor=leader, meeting=session, title="校园网", is_major=True)
    secret = services.create_motion(
        actor=leader, item=item, text="同意", method=Motion.Method.SECRET
    )
    absent = session.expected_members.get(present=False).person
    present = ballot_helpers.scrutineers_for(secret, 2)
    for people, message in (
        ([present[0]], "two or three"),
        ([present[0], present[0]], "two or three"),
        ([present[0], absent], "two or three"),
    ):
        with pytest.raises(MeetingError, match=message):
            services.open_vote(actor=leader, motion=secret, scrutineers=people)
    nokey = next(m.person for m in session.expected_members.filter(present=True).order_by("-order"))
    ScrutineerKey.objects.filter(person=nokey).delete()
    with pytest.raises(MeetingError, match="has no ballot key yet"):
        services.open_vote(actor=leader, motion=secret, scrutineers=[present[0], nokey])
    secret.refresh_from_db()
    assert secret.status == Motion.Status.DRAFT and not Scrutineer.objects.exists()


def test_paper_totals_confirmed_by_two_scrutineers(secret, in_session, leader, office_clerk):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    motion = services.close_vote(actor=leader, motion=motion)
    first, second = [s.person for s in motion.scrutineers.order_by("index")]

    with pytest.raises(MeetingError, match="more than the members present"):
        services.record_paper_count(actor=office_clerk, motion=motion, yes=10, no=5, abstain=2)
    services.record_paper_count(actor=office_clerk, motion=motion, yes=11, no=4, abstain=1)
    services.confirm_paper_count(actor=first, motion=motion, password=PASSWORD)
    motion.refresh_from_db()
    assert motion.counted == ""
    services.confirm_paper_count(actor=second, motion=motion, password=PASSWORD)
    motion.refresh_from_db()

    assert motion.counted == Motion.Counted.PAPER
    assert (motion.yes, motion.no, motion.abstain, motion.passed) == (11, 4, 1, True)
    assert PaperCount.objects.get(motion=motion).recorded_by == office_clerk


def test_no_choice_in_urls_audit_session_messages_or_logs(
    client, english_pages, secret, in_session, leader, member, caplog
):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    client.force_login(member)
    page = client.get(motion.get_absolute_url())
    assert b"?choice=" not in page.content
    confirm = client.post(reverse("meetings:vote_confirm", args=[motion.pk]), {"choice": "no"})
    assert b"You chose No" in confirm.content
    with caplog.at_level("DEBUG"):
        response = client.post(reverse("meetings:cast_vote", args=[motion.pk]), {"choice": "no"})
    assert response.status_code == 302 and "choice" not in response["Location"]
    after = client.get(motion.get_absolute_url())

    assert "vote-no" not in caplog.text and "'no'" not in caplog.text
    assert b"You have voted. Your ballot is secret." in after.content
    session = json.dumps(dict(client.session), default=str)
    assert '"no"' not in session and "choice" not in session
    entry = AuditEntry.objects.filter(action="vote.cast").get()
    assert (entry.actor, entry.before, entry.after) == (member, None, None)
    for entry in AuditEntry.objects.all():
        assert "choice" not in json.dumps([entry.before, entry.after])


def test_the_box_page_is_published_once_counted(
    client, english_pages, secret, in_session, leader, member
):
    motion = ballot_helpers.open_vote(actor=leader, motion=secret)
    client.force_login(member)
    client.post(reverse("meetings:cast_vote", args=[motion.pk]), {"choice": "yes"})
    tracker = client.cookies[f"ballot_tracker_{motion.pk}"].value
    box_url = reverse("meetings:ballot_box", args=[motion.pk])
    assert client.get(box_url).status_code == 404
    services.cast_vote(voter=leader, motion=motion, choice="no")
    ballot_helpers.close_and_count(actor=leader, motion=motion)

    box = client.get(box_url)

    assert box.status_code == 200
    assert f'id="ballot-{tracker}"'.encode() in box.content
    assert b"your ballot" in box.content
    assert box.content.count(b'id="ballot-') == 2
