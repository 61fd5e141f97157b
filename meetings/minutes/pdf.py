"""The minutes (纪要) as a PDF laid out after GB/T 9704-2012 (R-MIN-2): a pure function of a
:class:`~meetings.minutes.documents.MinutesDocument`, without models or requests.

HTML comes from the template ``meetings/minutes_pdf.html`` (autoescaped), the style sheet from
``meetings/minutes_pdf.css``; WeasyPrint lays them out and embeds subsets of the fonts: the
free Fandol faces that ``make fonts`` copies to ``VAR_DIR/fonts/fandol``, Noto CJK where they
are missing. The signer (meetings.minutes.signing) draws its stamp in the :class:`StampBox`
measured here from the layout of the block ``#signature-area``.

WeasyPrint reads nothing but data: URIs and files under the fonts directory and the static
directories; any other URL stops the rendering with :class:`ResourceRefused`.

WeasyPrint is imported inside the functions that lay out (as the signer does with pyHanko):
every web process imports this module through the minutes' services, and WeasyPrint would
cost each of them 1.3 s and about 40 MB, where only the worker and a preview need it.
"""

from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string

from meetings.minutes.documents import (
    MinutesDocument,
    RenderedPdf,
    StampBox,
    chinese_date,
    without_bidi_controls,
)

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

HTML_TEMPLATE = "meetings/minutes_pdf.html"
CSS_TEMPLATE = "meetings/minutes_pdf.css"
SIGNATURE_AREA_ID = "signature-area"
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF points are 1/72 in.

# The faces read from VAR_DIR/fonts/fandol, (family in the style sheet, file, weight): 仿宋
# for the text, 黑体 and 楷体 for headings, bold 宋 standing in for 小标宋 (mark and title).
FANDOL_FACES = (
    ("Minutes Fang", "FandolFang-Regular.otf", 400),
    ("Minutes Hei", "FandolHei-Regular.otf", 400),
    ("Minutes Kai", "FandolKai-Regular.otf", 400),
    ("Minutes Song", "FandolSong-Bold.otf", 700),
)

# Narrative headings (documents.MinutesDocument): 一、 / （一） / 1. and （1）.
_CN_DIGITS = "零一二三四五六七八九十百"
_HEADINGS = (
    ("h1", re.compile(rf"^[{_CN_DIGITS}]+、")),
    ("h2", re.compile(rf"^[（(][{_CN_DIGITS}]+[）)]")),
    ("h3", re.compile(r"^(?:\d+[.．](?!\d)|[（(]\d+[）)])")),
)


class MinutesRenderError(Exception):
    """The minutes could not be rendered."""


class ResourceRefused(MinutesRenderError):
    """The layout asked for a resource that is neither a data: URI nor a permitted file."""


@dataclass(frozen=True)
class Block:
    kind: str  # "h1", "h2", "h3" or "p"
    text: str


def parse_narrative(text: str) -> list[Block]:
    """One block per non-blank line; headings recognised by their numbering."""
    blocks = []
    for raw in text.splitlines():
        line = raw.strip().strip("\u3000").strip()
        if not line:
            continue
        kind = next((kind for kind, pattern in _HEADINGS if pattern.match(line)), "p")
        blocks.append(Block(kind, line))
    return blocks


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (1 ≤ n ≤ 99; larger as digits)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, units = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _CN_DIGITS[tens]) + "十"
    if units:
        text += _CN_DIGITS[units]
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；：" else text + "。"


def _item_lines(item) -> list[str]:
    lines = []
    if item.presenter:
        lines.append(f"汇报单位：{_sentence(item.presenter)}")
    for vote in item.votes:
        lines.append(
            f"表决事项：{_sentence(vote.motion)}表决方式：{vote.method_label}。"
            f"同意{vote.yes}票，不同意{vote.no}票，弃权{vote.abstain}票。"
            f"表决规则：{_sentence(vote.rule_label)}"
            f"表决结果：{'通过' if vote.passed else '未通过'}。"
        )
        if vote.count_note:
            lines.append(f"{vote.count_note}。")
        named = [f"{choice}：{'、'.join(names)}" for choice, names in vote.names_by_choice if names]
        if named:
            lines.append(f"记名表决情况——{'；'.join(named)}。")
    if item.decision:
        # Art. 13: the minutes say whether the matter was approved or not adopted.
        outcome = f"（{item.outcome}）" if item.outcome else ""
        lines.append(f"会议决定{outcome}：{_sentence(item.decision)}")
    if item.forwarded_to:
        lines.append(f"该事项提交{item.forwarded_to}审议。")
    return lines


TEXT_WIDTH_PT = 156 / 25.4 * 72  # 442.2 pt
TITLE_SIZE_PT = 22
_NO_LINE_START = "，。、；：？！）》」』”’…—·"
_NO_LINE_END = "（《「『“‘"
# GB/T 9704 (词意完整): a title line ends between words. Without a word segmenter the title may
# break only after or before these words (and at brackets), never inside them: a small
# dictionary of the words that minutes' titles are made of.
_BREAK_AFTER = ("学年", "年度", "小组", "工作组", "办公室", "专家组", "关于", "的", "）", "》")
_BREAK_BEFORE = ("第", "全体会议", "专题会", "工作会", "会议纪要", "纪要", "关于", "（", "《")
_WORDS = (
    "信息化",
    "领导小组",
    "工作组",
    "办公室",
    "专家组",
    "全体会议",
    "专题会议",
    "专题会",
    "会议",
    "纪要",
    "学年",
    "年度",
)


def _em(char: str) -> float:
    return 0.5 if ord(char) < 0x2000 else 1.0


_LATIN_RUN = re.compile(r"[0-9A-Za-z]+(?:[—–-][0-9A-Za-z]+)*")  # G20, 2026—2027


def _inside_word(title: str, i: int) -> bool:
    """Whether a break before ``title[i]`` would split a dictionary word or a Latin run."""
    spans = [match.span() for match in _LATIN_RUN.finditer(title)]
    for word in _WORDS:
        spans += [(m.start(), m.end()) for m in re.finditer(word, title)]
    return any(start < i < end for start, end in spans)


def _is_chosen(title: str, i: int) -> bool:
    return title[:i].endswith(_BREAK_AFTER) or title[i:].startswith(_BREAK_BEFORE)


def title_breaks(title: str) -> list[int]:
    """The places a title line may end, best first: between words of the dictionary
    (``_BREAK_AFTER`` / ``_BREAK_BEFORE``), else anywhere outside a word and a Latin run and
    not before closing or after opening punctuation."""
    good: list[int] = []
    fair: list[int] = []
    for i in range(1, len(title)):
        if title[i] in _NO_LINE_START or title[i - 1] in _NO_LINE_END or _inside_word(title, i):
            continue
        (good if _is_chosen(title, i) else fair).append(i)
    return good + fair


def title_lines(title: str) -> list[str]:
    """The title in one line if it fits, else in two lines of similar length (the upper the
    longer: 梯形), broken between words (GB/T 9704: 词意完整，排列对称), else in as few lines
    as fit, each as long as it may be, broken at the same places."""
    widths = [_em(char) for char in title]
    capacity = TEXT_WIDTH_PT / TITLE_SIZE_PT
    if sum(widths) <= capacity:
        return [title]
    breaks = title_breaks(title)
    good = {i for i in breaks if _is_chosen(title, i)}
    best, best_score = None, None
    for i in breaks:
        first, second = sum(widths[:i]), sum(widths[i:])
        if max(first, second) > capacity:
            continue
        score = abs(first - second) + (0 if i in good else 8)
        score -= 0.1 if first >= second else 0
        if best_score is None or score < best_score:
            best, best_score = i, score
    if best is not None:
        return [title[:best], title[best:]]
    lines: list[str] = []
    start = 0
    while sum(widths[start:]) > capacity:
        fitting = [i for i in breaks if i > start and sum(widths[start:i]) <= capacity]
        if not fitting:
            return [*lines, title[start:]]  # nothing fits: the line breaker's turn
        end = max((i for i in fitting if i in good), default=max(fitting))
        if sum(widths[start:end]) < capacity / 2:
            end = max(fitting)
        lines.append(title[start:end])
        start = end
    return [*lines, title[start:]]


def _qr_data_uri(payload: str) -> str:
    svg = segno.make(payload, error="m").svg_inline(scale=4, border=0, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _mark_size(mark: str) -> int:
    """The mark in at most 36 pt, and within nine tenths of the 156 mm (442 pt) width."""
    return max(16, min(36, int(398 / max(len(mark), 1))))


def html_for(doc: MinutesDocument) -> str:
    narrative = parse_narrative(doc.narrative)
    headings = sum(1 for block in narrative if block.kind == "h1")
    attendance = [
        {"label": label, "names": "、".join(names)}
        for label, names in (
            ("出席：", doc.present),
            ("请假：", doc.on_leave),
            ("列席：", doc.attending),
        )
        if names
    ]
    context = {
        "doc": doc,
        "mark_size": _mark_size(doc.mark),
        "number": "" if doc.draft else doc.number,
        "issued_on": "" if doc.draft else chinese_date(doc.issued_on),
        "title_lines": title_lines(doc.title),
        "narrative": narrative,
        "items_heading": f"{chinese_number(headings + 1)}、议题与表决情况",
        "items": [
            {"heading": f"（{chinese_number(item.order)}）{item.title}", "lines": _item_lines(item)}
            for item in doc.items
        ],
        "attendance": attendance,
        "distribution": "，".join(doc.distribution) + "。" if doc.distribution else "",
        "qr_uri": _qr_data_uri(f"{doc.verify_url}#sha256={doc.content_sha256}"),
        "hash_prefix": doc.content_sha256[:16],
    }
    return render_to_string(HTML_TEMPLATE, context)


# --- Fonts, style sheet and URL fetching ----------------------------------------------------


def fonts_dir() -> Path:
    return Path(settings.VAR_DIR) / "fonts" / "fandol"


def allowed_roots() -> tuple[Path, ...]:
    roots = [fonts_dir(), Path(settings.STATIC_ROOT)]
    roots += [
        Path(entry[1] if isinstance(entry, tuple) else entry)
        for entry in getattr(settings, "STATICFILES_DIRS", [])
    ]
    return tuple(root.resolve() for root in roots)


def local_only_fetcher(roots: tuple[Path, ...]) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves data: URIs and files under ``roots`` and refuses
    anything else, before any I/O."""
    return _local_only_fetcher_class()(roots)


@functools.cache
def _local_only_fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyURLFetcher(URLFetcher):
        """``fail_on_errors`` makes a refusal stop the rendering instead of leaving a hole."""

        def __init__(self, roots: tuple[Path, ...]):
            super().__init__(fail_on_errors=True, allow_redirects=False)
            self.roots = roots

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                return self._file(url)
            raise ResourceRefused(f"refused to fetch {url[:200]!r}: only data: and local files")

        def _file(self, url: str) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise ResourceRefused(f"refused to fetch {url[:200]!r}: remote file URL")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ResourceRefused(f"refused to read {path}: outside the fonts and static dirs")
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return LocalOnlyURLFetcher


class _Styles:
    """The parsed style sheet and its FontConfiguration, kept between renders: loading the
    Fandol faces (26 MB) costs far more than laying out a few pages."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key = None
        self.font_config = None
        self.css = None
        # A FontConfiguration removes its temporary font folder when collected; let it go
        # before the interpreter tears WeasyPrint's modules down (imported late, they go first).
        atexit.register(self.release)

    def release(self) -> None:
        self.key = self.font_config = self.css = None

    def get(self, fetcher: URLFetcher) -> tuple[CSS, FontConfiguration]:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        folder = fonts_dir()
        faces = [
            {"family": family, "url": (folder / name).as_uri(), "weight": weight}
            for family, name, weight in FANDOL_FACES
            if (folder / name).is_file()
        ]
        css_text = render_to_string(CSS_TEMPLATE, {"font_faces": faces})
        key = (hashlib.sha256(css_text.encode()).hexdigest(), fetcher.roots)
        if key != self.key:
            if len(faces) < len(FANDOL_FACES):
                logger.warning(
                    "%d of the %d Fandol fonts in %s (run `make fonts`): the minutes use "
                    "Noto CJK instead",
                    len(faces),
                    len(FANDOL_FACES),
                    folder,
                )
            font_config = FontConfiguration()
            self.css = CSS(string=css_text, font_config=font_config, url_fetcher=fetcher)
            self.font_config, self.key = font_config, key
        return self.css, self.font_config


_styles = _Styles()


def render_html(html: str) -> Document:
    """Lay out ``html`` with the minutes style sheet; only local resources are fetched."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = local_only_fetcher(allowed_roots())
    with _styles.lock:
        try:
            css, font_config = _styles.get(fetcher)
            return HTML(string=html, base_url=None, url_fetcher=fetcher).render(
                stylesheets=[css], font_config=font_config
            )
        except FatalURLFetchingError as exc:
            # WeasyPrint wraps the fetcher's exception in a BaseException: give callers back
            # an ordinary one.
            cause = exc.__cause__
            if isinstance(cause, MinutesRenderError):
                raise type(cause)(*cause.args) from exc
            raise MinutesRenderError(str(exc)) from exc


def stamp_box(document: Document, element_id: str = SIGNATURE_AREA_ID) -> StampBox:
    """Where the block ``element_id`` ended up: its last page and its border box in PDF
    points from the bottom-left corner of that page."""
    found = None
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and element.get("id") == element_id:
                found = index, page, box
                break
    if found is None:
        raise MinutesRenderError(f"no #{element_id} in the layout")
    index, page, box = found
    height = page.height * PX_TO_PT
    x, y = box.border_box_x() * PX_TO_PT, box.border_box_y() * PX_TO_PT
    return StampBox(
        page=index,
        x1=round(x, 2),
        y1=round(height - y - box.border_height() * PX_TO_PT, 2),
        x2=round(x + box.border_width() * PX_TO_PT, 2),
        y2=round(height - y, 2),
    )


def render_minutes(doc: MinutesDocument) -> RenderedPdf:
    """The minutes as a PDF, with the rectangle where the signer draws its stamp. Bidi control
    characters never reach it (build_document removes them; so does this, for any document)."""
    document = render_html(html_for(without_bidi_controls(doc)))
    stamp = stamp_box(document)
    with _styles.lock:
        data = document.write_pdf()
    return RenderedPdf(data=data, stamp=stamp, pages=len(document.pages))
