"""The minutes as a document: what the PDF shows, and how it is filled from the meeting's
record (R-MIN-1: the facts are not typed in).

The frozen dataclasses are the interfaces between this builder, the renderer
(meetings.minutes.pdf) and the signer (meetings.minutes.signing): those two know nothing of
models or requests. The words are Chinese whatever the UI language of whoever signs: minutes
are an official Chinese document (Art. 15).
"""

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from infogov.templatetags.chinese_time import period_of_day
from infogov.validators import strip_bidi
from meetings.minutes.models import Minutes
from meetings.models import Decision, ExpectedMember, Motion, QuorumCheck
from members.models import User
from members.ordering import by_pinyin


@dataclass(frozen=True)
class VoteLine:
    """One vote of an agenda item as the minutes quote it (R-VOTE-1: names only if named)."""

    motion: str
    method_label: str  # "举手表决" / "投票表决"
    yes: int
    no: int
    abstain: int
    rule_label: str  # "应到会成员超过半数同意（应到16人，需9票）"
    passed: bool
    # Named votes only: (choice label, [names]) in the order 同意, 不同意, 弃权.
    names_by_choice: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Secret ballots only: how they were counted (COUNT_NOTES), "" for a named vote.
    count_note: str = ""


@dataclass(frozen=True)
class ItemLine:
    order: int
    title: str
    presenter: str  # the presenting unit, or ""
    decision: str  # the decision text, or "" when none was recorded
    forwarded_to: str  # "校长办公会" / "党委常委会" / ""
    votes: tuple[VoteLine, ...] = ()
    # Art. 13: "通过" / "未通过" (a failed vote is not adopted); "" when no decision.
    outcome: str = ""


@dataclass(frozen=True)
class MinutesDocument:
    """Everything the PDF shows. Facts come from the meeting's record; the narrative is the
    Office's text, one block per line: "一、" lines are level-1 headings (黑体), "（一）" lines
    level-2 (楷体), "1." and "（1）" lines level-3 (仿宋), other lines are paragraphs."""

    mark: str  # the red minutes mark: "信息化工作领导小组纪要"
    number: str  # "〔2026〕3号"; "" on an unsigned draft preview
    issuer: str  # "信息化工作领导小组办公室" or the body
    issued_on: dt.date | None  # None on a draft preview
    title: str  # "信息化工作领导小组2026—2027学年第一次全体会议纪要"
    meeting_line: str  # "2026年11月8日上午，在行政楼第一会议室召开…由组长孙其信主持。"
    narrative: str
    items: tuple[ItemLine, ...]
    quorum_line: str  # "应到16人，实到14人，请假2人，超过应到会成员的三分之二（第十二条）。"
    present: tuple[str, ...]  # 出席: "孙其信（校长）" or "李力（网络与教育技术中心）"
    on_leave: tuple[str, ...]  # 请假: "戴军（出差）"
    attending: tuple[str, ...]  # 列席
    signer: str  # "孙其信"; "" on a draft preview
    verify_url: str  # absolute URL of the public verification page for this document
    content_sha256: str  # SHA-256 of the canonical content (see content_hash)
    draft: bool = False  # watermark "草稿" and no number
    distribution: tuple[str, ...] = field(default_factory=tuple)  # 分送: unit names


@dataclass(frozen=True)
class StampBox:
    """Where the visible signature stamp goes: a page (0-based) and a rectangle in PDF points
    from the bottom-left corner, as pyHanko expects."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    stamp: StampBox
    pages: int


@dataclass(frozen=True)
class SignatureCheck:
    """What a verification found. ``valid`` is true only if every other check holds."""

    signed: bool  # the file carries a signature at all
    intact: bool  # the signed bytes hash to the signature's digest
    trusted: bool  # the signer's certificate chains to a configured trust root
    covers_whole_file: bool  # ByteRange spans the file: nothing appended after signing
    certified_no_changes: bool  # a certification signature with DocMDP level 1
    signer_name: str
    signed_at: dt.datetime | None
    problems: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return (
            self.signed
            and self.intact
            and self.trusted
            and self.covers_whole_file
            and self.certified_no_changes
        )


# --- Filling the document from the record ------------------------------------------------------

CHOICE_LABELS = {"yes": "同意", "no": "不同意", "abstain": "弃权"}
# The minutes are an official Chinese document (Art. 15): their words do not follow the UI
# language of whoever signs.
KIND_LABELS = {"lg_plenary": "全体会议", "lg_special": "专题会议", "wg_special": "专题会议"}
METHOD_LABELS = {"named": "举手表决", "secret": "投票表决"}
# How a secret ballot was counted (meetings.ballots), as the minutes say it.
COUNT_NOTES = {
    "crypto": "计票由两名监票人以密钥解密总数完成，计票结果经验证无误",
    "paper": "纸质计票，票数经两名监票人确认",
    "": "已闭票，尚未计票",
}
BASIS_LABELS = {"expected": "应到会成员", "present": "实到会成员", "cast": "实际投票"}
THRESHOLD_LABELS = {"more_than_half": "超过半数", "two_thirds": "三分之二以上"}
OUTCOME_LABELS = {"approved": "通过", "not_adopted": "未通过"}
FORWARD_LABELS = {"party_standing_committee": "党委常委会", "presidents_office": "校长办公会"}


def chinese_date(day: dt.date | None) -> str:
    """GB/T 9704: 2026年3月5日, full year, no zero padding ("" for no date)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def build_document(
    minutes: Minutes,
    *,
    number: str = "",
    issued_on: dt.date | None = None,
    signer: User | None = None,
) -> MinutesDocument:
    """Fill the minutes from the meeting's record (R-MIN-1: facts are not typed in)."""
    meeting = minutes.meeting
    body = meeting.body
    starts = timezone.localtime(meeting.starts_at)
    period = period_of_day(starts.hour)
    chair = meeting.chair.full_name if meeting.chair else ""
    expected = list(meeting.expected_members.select_related("person__unit").order_by("order", "id"))

    def who(member) -> str:
        unit = member.person.unit.name if member.person.unit else member.person.title
        return f"{member.person.full_name}（{unit}）" if unit else member.person.full_name

    items = []
    for item in (
        meeting.items.select_related("presenter_unit").prefetch_related("motions").order_by("order")
    ):
        decision = Decision.objects.filter(item=item).first()
        votes = []
        for motion in item.motions.all():
            if motion.status != Motion.Status.CLOSED:
                continue
            names: tuple = ()
            method_label = METHOD_LABELS[motion.method]
            if motion.method == Motion.Method.NAMED:
                by_choice: dict[str, list[str]] = {c: [] for c in CHOICE_LABELS}
                by_office = 0
                for vote in motion.named_votes.select_related("voter"):
                    # Art. 13: a show of hands the Office recorded in the room says so.
                    name = vote.voter.full_name
                    if vote.recorded_by_id is not None:
                        by_office += 1
                        name += "（现场举手，办公室记录）"
                    by_choice[vote.choice].append(name)
                names = tuple(
                    (CHOICE_LABELS[c], tuple(by_pinyin(n))) for c, n in by_choice.items() if n
                )
                if by_office:
                    method_label += f"（其中{by_office}票为现场举手，由办公室记录）"
            votes.append(
                VoteLine(
                    motion=motion.text,
                    method_label=method_label,
                    yes=motion.yes or 0,
                    no=motion.no or 0,
                    abstain=motion.abstain or 0,
                    rule_label=(
                        f"{BASIS_LABELS[motion.basis]}{THRESHOLD_LABELS[motion.threshold]}同意"
                        f"（基数{motion.base}，需{motion.required}票）"
                    ),
                    passed=bool(motion.passed),
                    names_by_choice=names,
                    count_note=(
                        COUNT_NOTES[motion.counted] if motion.method == Motion.Method.SECRET else ""
                    ),
                )
            )
        items.append(
            ItemLine(
                order=item.order,
                title=item.title,
                presenter=item.presenter_unit.name if item.presenter_unit else "",
                decision=decision.text if decision else "",
                forwarded_to=FORWARD_LABELS.get(decision.forward_to, "") if decision else "",
                votes=tuple(votes),
                outcome=OUTCOME_LABELS[decision.outcome] if decision else "",
            )
        )
    present = tuple(who(m) for m in expected if m.present)
    on_leave = tuple(
        f"{m.person.full_name}（{m.leave_reason}）"
        for m in expected
        if not m.present and m.response == ExpectedMember.Response.LEAVE
    )
    # 列席 are those without a vote: a voting member also invited as 列席 is listed once, under
    # 出席 or 请假 (R-MEET-3).
    voting = {m.person_id for m in expected}
    attending = tuple(
        a.person.full_name
        for a in meeting.attendees.select_related("person").order_by("id")
        if a.person_id not in voting
    )
    # 实到 is the number of names under 出席, whoever checked in after the meeting opened; the
    # gate's own numbers stay in the quorum log. The meeting is valid because it opened.
    opened = meeting.quorum_checks.filter(gate=QuorumCheck.Gate.OPEN_MEETING, passed=True).exists()
    quorum_line = f"应到会成员{len(expected)}人，实到{len(present)}人" + (
        "，超过应到会成员的三分之二（第十二条），会议有效。" if opened else "。"
    )
    document = MinutesDocument(
        mark=body.minutes_mark or f"{body.name}纪要",
        number=number,
        issuer=body.name,
        issued_on=issued_on,
        title=minutes.title,
        meeting_line=(
            f"{chinese_date(starts.date())}{period}，{body.name}在{meeting.location}召开"
            f"{KIND_LABELS[meeting.kind]}" + (f"，会议由{chair}主持。" if chair else "。")
        ),
        narrative=minutes.narrative,
        items=tuple(items),
        quorum_line=quorum_line,
        present=present,
        on_leave=on_leave,
        attending=attending,
        signer=signer.full_name if signer else "",
        verify_url=f"{settings.INFOGOV_BASE_URL}{reverse('meetings:verify')}?number={number}",
        content_sha256="",
        draft=not number,
        distribution=tuple(minutes.distribution.order_by("order").values_list("name", flat=True)),
    )
    document = without_bidi_controls(document)
    return dataclasses.replace(document, content_sha256=content_hash(document))


def without_bidi_controls(value):
    """Return ``value`` (a document, an item line, a tuple, a string) with the bidi control
    characters removed from every string in it: U+202E in a title would print reversed in the
    signed PDF (infogov.validators.strip_bidi)."""
    if isinstance(value, str):
        return strip_bidi(value)
    if isinstance(value, tuple):
        return tuple(without_bidi_controls(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{
                f.name: without_bidi_controls(getattr(value, f.name))
                for f in dataclasses.fields(value)
            },
        )
    return value


def content_hash(document: MinutesDocument) -> str:
    """SHA-256 of the document's content (all but the hash itself), as canonical JSON."""
    content = dataclasses.asdict(dataclasses.replace(document, content_sha256=""))
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def format_number(prefix: str, year: int, sequence: int) -> str:
    """R-MIN-1: 信息化纪要〔2026〕3号: hexagonal brackets U+3014/U+3015, full year, no zeros."""
    return f"{prefix}\u3014{year}\u3015{sequence}号"
