"""What the minutes PDF shows and how it is signed: the interfaces between the minutes
services (meetings.services), the renderer (meetings.pdf) and the signer (meetings.signing).

Plain frozen dataclasses: the renderer and the signer know nothing of models or requests.
"""

import datetime as dt
from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class ItemLine:
    order: int
    title: str
    presenter: str  # the presenting unit, or ""
    decision: str  # the decision text, or "" when none was recorded
    forwarded_to: str  # "校长办公会" / "党委常委会" / ""
    votes: tuple[VoteLine, ...] = ()


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
    content_sha256: str  # SHA-256 of the canonical content (see meetings.services)
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
