"""Helpers of the minutes tests: a meeting held to the end, and fast stand-ins for the PDF
renderer and the signer, so that tests about numbers, states and pages need neither WeasyPrint
nor RSA keys. The tests that check real signatures use meetings.minutes.pdf and .signing."""

import dataclasses
import hashlib

from meetings import services
from meetings.minutes import pdf, signing
from meetings.minutes import services as minutes_services
from meetings.minutes.documents import MinutesDocument, RenderedPdf, SignatureCheck, StampBox
from meetings.minutes.models import Minutes
from meetings.models import Decision, Meeting, Motion
from members.models import Unit, User
from tests.meetings import ballot_helpers

FAKE_PDF = b"%PDF-1.7\n% fake minutes\n"
FAKE_SIGNATURE = b"\n% fake signature\n%%EOF\n"


@dataclasses.dataclass
class FakeSigning:
    """Records what the stand-ins were given; ``fail`` makes the signer raise."""

    rendered: list[MinutesDocument] = dataclasses.field(default_factory=list)
    fail: Exception | None = None
    delay: float = 0.0

    def render_minutes(self, doc: MinutesDocument) -> RenderedPdf:
        if self.delay:
            import time

            time.sleep(self.delay)  # rendering takes a while: lets concurrent signings overlap
        self.rendered.append(doc)
        body = f"{doc.number or 'draft'} {doc.title} {doc.content_sha256}".encode()
        return RenderedPdf(data=FAKE_PDF + body, stamp=StampBox(0, 10, 10, 60, 40), pages=1)

    def get_signer(self, person, **kwargs):
        fake = self

        class Signer:
            is_demo = True
            certificate_subject = f"CN={person.full_name},O=infogov DEMO CA — not legally reliable"

            def sign(self, pdf: bytes, **kwargs) -> bytes:
                if fake.fail is not None:
                    raise fake.fail
                return pdf + FAKE_SIGNATURE

        return Signer()

    def verify_pdf(self, data: bytes, **kwargs) -> SignatureCheck:
        ok = data.startswith(FAKE_PDF) and data.endswith(FAKE_SIGNATURE)
        return SignatureCheck(
            signed=ok,
            intact=ok,
            trusted=ok,
            covers_whole_file=ok,
            certified_no_changes=ok,
            signer_name="孙其信" if ok else "",
            signed_at=None,
            problems=() if ok else ("not a fake-signed file",),
        )


def use_fake_signing(monkeypatch) -> FakeSigning:
    """Put the stand-ins in place of pdf.render_minutes and signing's get_signer and verify_pdf
    (meetings.minutes: the code calls them through these modules)."""
    fake = FakeSigning()
    monkeypatch.setattr(pdf, "render_minutes", fake.render_minutes)
    monkeypatch.setattr(signing, "get_signer", fake.get_signer)
    monkeypatch.setattr(signing, "verify_pdf", fake.verify_pdf)
    return fake


FIRST_ITEM = "审议立项建议"


def first_item(meeting: Meeting, *, clerk: User):
    """The first item of the meetings these tests hold (convening needs one, Art. 12)."""
    netc = Unit.objects.get(code="netc")
    return services.add_agenda_item(
        actor=clerk, meeting=meeting, title=FIRST_ITEM, presenter_unit=netc, is_major=True
    )


def hold_meeting(meeting: Meeting, *, clerk: User, leader: User, present: int = 14) -> Meeting:
    """Take a convened meeting to its close: ``present`` members checked in (in seat order,
    the rest on leave), a named vote and a secret ballot with decisions; the Office closes it.
    Close also drafts the minutes (Art. 15)."""
    members = list(meeting.expected_members.select_related("person").order_by("order"))
    for member in members[present:]:
        services.answer_attendance(actor=clerk, member=member, response="leave", reason="出差")
    for member in members[:present]:
        services.check_in(actor=clerk, member=member, by_office=True)
    services.open_meeting(actor=clerk, meeting=meeting)
    finance = Unit.objects.get(code="finance")
    # Art. 12: a meeting convenes with an agenda; the items it already has are taken.
    projects = meeting.items.filter(title=FIRST_ITEM).first() or first_item(meeting, clerk=clerk)
    budget = meeting.items.filter(title="审议经费预算").first() or services.add_agenda_item(
        actor=clerk, meeting=meeting, title="审议经费预算", presenter_unit=finance, is_major=True
    )
    # R-VOTE-5: the chair states a view last.
    voters = sorted((m.person for m in members[:present]), key=lambda p: p.pk == leader.pk)
    named = services.create_motion(actor=leader, item=projects, text="同意立项建议")
    ballot_helpers.open_vote(actor=leader, motion=named)
    for i, voter in enumerate(voters):
        services.cast_vote(voter=voter, motion=named, choice="no" if i == 0 else "yes")
    named = ballot_helpers.close_and_count(actor=leader, motion=named)
    services.record_decision(
        actor=clerk,
        item=projects,
        text="原则同意立项建议。",
        motion=named,
        forward_to=Decision.Forward.PRESIDENTS_OFFICE,
    )
    secret = services.create_motion(
        actor=leader, item=budget, text="同意经费预算", method=Motion.Method.SECRET
    )
    ballot_helpers.open_vote(actor=leader, motion=secret)
    for i, voter in enumerate(voters):
        services.cast_vote(voter=voter, motion=secret, choice="abstain" if i == 1 else "yes")
    secret = ballot_helpers.close_and_count(actor=leader, motion=secret)
    services.record_decision(actor=clerk, item=budget, text="通过经费预算。", motion=secret)
    return services.close_meeting(actor=clerk, meeting=meeting)


def submitted_minutes(meeting: Meeting, *, clerk: User) -> Minutes:
    """The closed meeting's minutes, written by the Office, sent to NETC and Finance, submitted."""
    minutes = minutes_services.edit_minutes(
        actor=clerk,
        minutes=meeting.minutes.get(),
        title="全体会议纪要",
        narrative="会议形成如下纪要。\n一、关于立项建议\n原则同意。",
        distribution=Unit.objects.filter(code__in=["netc", "finance"]),
    )
    return minutes_services.submit_minutes(actor=clerk, minutes=minutes)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
