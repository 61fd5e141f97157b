"""The minutes PDF (R-MIN-2): fonts, text and geometry read back from the PDF itself with
poppler-utils and held against GB/T 9704-2012; the stamp box; drafts; the URL fetcher."""

import dataclasses
import datetime as dt
import itertools
import re
import socket
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from meetings.minutes import pdf
from meetings.minutes.documents import ItemLine, MinutesDocument, RenderedPdf, VoteLine

MM = 72 / 25.4  # PDF points per millimetre
PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
TOP, LEFT = 37 * MM, 28 * MM  # margins of the text block
WIDTH, HEIGHT = 156 * MM, 225 * MM  # the text block
LINE = HEIGHT / 22  # 22 lines per page
BODY_PT = 16  # 三号
INDENT = 2 * BODY_PT  # text-indent: 2em

PRESENT = (
    "孙其信（校长）",
    "赵曼（副校长）",
    "马博虎（党政办公室）",
    "李力（网络与教育技术中心）",
    "阎祖书",
    "陈玉林",
    "霍学喜",
    "韦革宏",
    "王文博",
    "刘卫军",
    "胡信生",
    "张岁平",
    "韩苏建",
    "刘西平",
)
NAMES = tuple(person.split("（")[0] for person in PRESENT)

NARRATIVE = """\
会议听取了网络与教育技术中心的工作汇报，审议了三项议题。现纪要如下：
一、关于校园网出口带宽扩容
（一）基本情况
网络与教育技术中心汇报了校园网出口带宽的使用情况。2026年秋季学期以来，高峰时段出口带宽利用率持续超过百分之九十，在线教学受到一定影响。
1.教育网出口由10G扩容至40G，运营商出口由20G扩容至40G，所需经费从信息化专项经费中列支。
二、关于数据治理与共享
会议强调，各单位要按照“一数一源”的原则，做好本单位数据的维护和共享。
"""


def make_minutes(**changes) -> MinutesDocument:
    """Issued minutes of a Leading Group meeting: three items, a named and a secret vote."""
    minutes = MinutesDocument(
        mark="信息化工作领导小组纪要",
        number="〔2026〕3号",
        issuer="信息化工作领导小组办公室",
        issued_on=dt.date(2026, 11, 8),
        title="信息化工作领导小组2026—2027学年第一次全体会议纪要",
        meeting_line=(
            "2026年11月8日上午，信息化工作领导小组在行政楼第一会议室召开2026—2027学年第一次"
            "全体会议，由组长孙其信主持。"
        ),
        narrative=NARRATIVE,
        items=(
            ItemLine(
                order=1,
                title="校园网出口带宽扩容方案",
                presenter="网络与教育技术中心",
                decision="同意校园网出口带宽扩容方案，由网络与教育技术中心组织实施。",
                forwarded_to="校长办公会",
                outcome="通过",
                votes=(
                    VoteLine(
                        motion="同意校园网出口带宽扩容方案",
                        method_label="举手表决",
                        yes=12,
                        no=1,
                        abstain=1,
                        rule_label="应到会成员超过半数同意（应到16人，需9票）",
                        passed=True,
                        names_by_choice=(
                            ("同意", NAMES[:12]),
                            ("不同意", (NAMES[12],)),
                            ("弃权", (NAMES[13],)),
                        ),
                    ),
                ),
            ),
            ItemLine(
                order=2,
                title="2027年度信息化建设项目立项",
                presenter="党政办公室",
                decision="",
                forwarded_to="",
                votes=(
                    VoteLine(
                        motion="2027年度信息化建设项目立项",
                        method_label="投票表决",
                        yes=8,
                        no=5,
                        abstain=1,
                        rule_label="应到会成员超过半数同意（应到16人，需9票）",
                        passed=False,
                    ),
                ),
            ),
            ItemLine(
                order=3,
                title="数据共享管理办法（修订）",
                presenter="网络与教育技术中心",
                decision="原则通过，根据会议意见修改后印发。",
                forwarded_to="",
            ),
        ),
        quorum_line="应到16人，实到14人，请假2人，超过应到会成员的三分之二（第十二条）。",
        present=PRESENT,
        on_leave=("戴军（出差）", "杨家荣（病假）"),
        attending=("张晓丽（计划财务处）",),
        signer="孙其信",
        verify_url="https://infogov.example.edu/minutes/verify/7f3c2a",
        content_sha256="3f2a9c0d5be17a4c" + "0123456789abcdef" * 3,
        distribution=("各学院", "各部门"),
    )
    return dataclasses.replace(minutes, **changes)


def long_minutes() -> MinutesDocument:
    extra = "\n".join(
        f"{pdf.chinese_number(n)}、关于第{n}项专题工作\n"
        "会议指出，信息化是学校事业发展的重要支撑，各单位要提高认识、加强协同，按照学校统一部署"
        "扎实推进各项工作，确保年度目标任务按期完成，并于每月底前向领导小组办公室报送进展情况。"
        "对推进不力、影响全局的，由办公室督办并在下次会议上通报。\n"
        "（一）工作要求\n"
        "各单位主要负责人是本单位信息化工作的第一责任人，要亲自部署、亲自过问，落实专人负责，"
        "建立台账，逐项销号，做到责任到人、措施到位、按时办结。"
        for n in range(3, 16)
    )
    return make_minutes(narrative=NARRATIVE + extra)


# --- Reading the PDF back with poppler-utils ------------------------------------------------


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@dataclass(frozen=True)
class Line:
    """A line as pdftotext -bbox-layout sees it, in points from the top-left corner."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def height(self) -> float:
        return self.y_max - self.y_min


XHTML = "{http://www.w3.org/1999/xhtml}"


def bbox(path: Path) -> list[list[Line]]:
    """Per page, its lines (the words of a line joined without spaces)."""
    root = ET.fromstring(run("pdftotext", "-bbox-layout", str(path), "-"))
    pages = []
    for page in root.iter(f"{XHTML}page"):
        lines = []
        for line in page.iter(f"{XHTML}line"):
            text = "".join(word.text or "" for word in line.iter(f"{XHTML}word"))
            box = (float(line.get(key)) for key in ("xMin", "yMin", "xMax", "yMax"))
            lines.append(Line(text, *box))
        pages.append(lines)
    return pages


def pdffonts(path: Path) -> list[dict[str, str]]:
    """The rows of pdffonts' table: name, emb, sub, uni (type and encoding have spaces)."""
    out = run("pdffonts", str(path)).splitlines()
    assert out[0].split()[:3] == ["name", "type", "encoding"], out[0]
    assert set(out[1]) <= {"-", " "}, out[1]
    rows = []
    for row in out[2:]:
        cells = row.split()
        rows.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4], "uni": cells[-3]})
    return rows


def text_of(path: Path, *options: str) -> str:
    return run("pdftotext", *options, str(path), "-")


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def one(lines: list[Line], pattern: str) -> Line:
    found = [line for line in lines if re.search(pattern, line.text)]
    assert len(found) == 1, (pattern, [line.text for line in found])
    return found[0]


def red_pixels(path: Path, page: int, line: Line) -> int:
    """Count pure-red pixels inside ``line`` on ``page`` (1-based), rendered at 72 dpi."""
    ppm = subprocess.run(
        ["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(path)],
        check=True,
        capture_output=True,
    ).stdout
    magic, width, _height, maxval, data = ppm.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    width = int(width)
    count = 0
    for y in range(int(line.y_min), int(line.y_max) + 1):
        for x in range(int(line.x_min), int(line.x_max) + 1):
            r, g, b = data[3 * (y * width + x) : 3 * (y * width + x) + 3]
            count += r > 200 and g < 90 and b < 90
    return count


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fandol():
    """The Fandol fonts that `make fonts` installs: the geometry below uses their metrics."""
    folder = pdf.fonts_dir()
    missing = [name for _, name, _ in pdf.FANDOL_FACES if not (folder / name).is_file()]
    assert not missing, f"missing {missing} in {folder}: run `make fonts`"


@dataclass(frozen=True)
class Rendered:
    result: RenderedPdf
    path: Path
    pages: list[list[Line]]


def render_to(path: Path, minutes: MinutesDocument) -> Rendered:
    result = pdf.render_minutes(minutes)
    path.write_bytes(result.data)
    return Rendered(result, path, bbox(path))


@pytest.fixture(scope="module")
def minutes(tmp_path_factory, fandol) -> Rendered:
    return render_to(tmp_path_factory.mktemp("minutes") / "minutes.pdf", make_minutes())


@pytest.fixture(scope="module")
def draft(tmp_path_factory, fandol) -> Rendered:
    doc = make_minutes(draft=True, number="", issued_on=None, signer="")
    return render_to(tmp_path_factory.mktemp("draft") / "draft.pdf", doc)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name is recorded and fails."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# --- Fonts and text -------------------------------------------------------------------------


def test_every_font_is_an_embedded_subset(minutes):
    rows = pdffonts(minutes.path)
    assert rows
    for row in rows:
        assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), row
        assert re.fullmatch(r"[A-Z]{6}\+.+", row["name"]), row
    families = {row["name"].split("+", 1)[1] for row in rows}
    assert {"Minutes-Fang", "Minutes-Hei", "Minutes-Kai", "Minutes-Song-Bold"} <= families


def test_the_chinese_text_can_be_extracted(minutes):
    text = text_of(minutes.path, "-layout")
    expected_texts = (
        "信息化工作领导小组纪要",
        "〔2026〕3号",
        "2026年11月8日",
        "出席：",
        "请假：",
        "列席：",
        "孙其信（校长）",
        "戴军（出差）",
        "张晓丽（计划财务处）",
        "— 1 —",
        "分送：各学院，各部门。",
        "签发人：孙其信",
        "扫码核验",
        "3f2a9c0d5be17a4c",
    )
    for expected in expected_texts:
        assert expected in text, expected
    flat = compact(text)
    assert "信息化工作领导小组2026—2027学年第一次全体会议纪要" in flat  # the title, on two lines
    assert "一、关于校园网出口带宽扩容" in flat
    assert "（三）数据共享管理办法（修订）" in flat
    assert "三、议题与表决情况" in flat  # numbered after the narrative's 一、 and 二、


def test_votes_decisions_and_forwarding_are_stated(minutes):
    flat = compact(text_of(minutes.path))
    assert "表决方式：举手表决。同意12票，不同意1票，弃权1票。" in flat
    assert "表决规则：应到会成员超过半数同意（应到16人，需9票）。表决结果：通过。" in flat
    assert "同意：孙其信、赵曼、马博虎、李力、阎祖书" in flat
    assert "不同意：韩苏建；弃权：刘西平。" in flat
    # The secret ballot: counts and result, no names.
    assert "表决方式：投票表决。同意8票，不同意5票，弃权1票。" in flat
    assert "表决结果：未通过。" in flat
    assert flat.count("记名表决情况") == 1
    assert "会议决定（通过）：同意校园网出口带宽扩容方案，由网络与教育技术中心组织实施。" in flat
    assert "该事项提交校长办公会审议。" in flat


def test_attendance_lines_start_with_bold_labels_two_characters_in(minutes):
    lines = [line for page in minutes.pages for line in page]
    for label in ("出席：", "请假：", "列席："):
        line = one(lines, f"^{label}")
        assert line.x_min == pytest.approx(LEFT + INDENT, abs=1 * MM), label
    assert not any("列席：" in line.text for line in lines if line.text.startswith("出席"))


def test_an_empty_attendance_list_has_no_line(tmp_path, fandol):
    rendered = render_to(tmp_path / "m.pdf", make_minutes(on_leave=(), attending=()))
    flat = compact(text_of(rendered.path))
    assert "出席：" in flat
    assert "请假：" not in flat
    assert "列席：" not in flat


# --- Geometry against GB/T 9704-2012 --------------------------------------------------------


def test_the_pages_are_a4(minutes):
    info = run("pdfinfo", "-f", "1", "-l", "99", str(minutes.path))
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert len(sizes) == minutes.result.pages == len(minutes.pages) >= 3
    for width, height in sizes:
        assert float(width) == pytest.approx(PAGE_W, abs=1)
        assert float(height) == pytest.approx(PAGE_H, abs=1)


def body_lines(page: list[Line]) -> list[Line]:
    """The lines inside the text block (not the page number below it)."""
    return [line for line in page if line.y_max <= TOP + HEIGHT + 1]


def test_the_text_block_and_the_line_grid(minutes):
    lines = body_lines(minutes.pages[1])  # page 2: no header, body text from the top
    assert len(lines) >= 15
    lefts = sorted({round(line.x_min, 1) for line in lines})
    # Continuation lines start at the left margin, first lines of paragraphs 2 characters in.
    assert lefts[0] == pytest.approx(LEFT, abs=1 * MM)
    assert all(
        left == pytest.approx(LEFT, abs=1 * MM) or left == pytest.approx(LEFT + INDENT, abs=1)
        for left in lefts
    ), lefts
    # The first line's box sits in its line, half-leading below the top of the text block.
    first = lines[0]
    assert first.y_min == pytest.approx(TOP + (LINE - first.height) / 2, abs=1 * MM)
    assert first.y_min - (LINE - first.height) / 2 == pytest.approx(TOP, abs=1 * MM)
    # 22 lines per block: one line pitch throughout, and no line below the block.
    pitches = [b.y_min - a.y_min for a, b in itertools.pairwise(lines)]
    assert all(pitch == pytest.approx(LINE, abs=0.05) for pitch in pitches), pitches
    assert len(lines) <= 22
    assert max(line.y_max for line in lines) <= TOP + HEIGHT
    # Full lines reach the right edge of the block, none beyond it.
    right = max(line.x_max for line in lines)
    assert right == pytest.approx(LEFT + WIDTH, abs=1 * MM)
    # 16 pt text: Fandol's ascent and descent make its box exactly 1 em high.
    assert all(line.height == pytest.approx(BODY_PT, abs=1) for line in lines)
    # 28 characters per full line of Chinese (lines without Latin letters or digits).
    chinese = [
        line.text
        for page in minutes.pages
        for line in body_lines(page)
        if line.x_min == pytest.approx(LEFT, abs=1) and not re.search(r"[ -~]", line.text)
    ]
    assert max(len(text) for text in chinese) == 28, chinese


def test_the_red_mark_number_and_title_on_page_one(minutes):
    lines = minutes.pages[0]
    mark = one(lines, "^信息化工作领导小组纪要$")
    assert mark.y_min == pytest.approx(TOP + 35 * MM, abs=1 * MM)
    assert (mark.x_min + mark.x_max) / 2 == pytest.approx(LEFT + WIDTH / 2, abs=1 * MM)
    assert red_pixels(minutes.path, 1, mark) > 300
    number = one(lines, "^〔2026〕3号$")
    assert number.y_min > mark.y_max
    assert (number.x_min + number.x_max) / 2 == pytest.approx(LEFT + WIDTH / 2, abs=1 * MM)
    issuer, date = one(lines, "^信息化工作领导小组办公室$"), one(lines, "^2026年11月8日$")
    assert issuer.y_min == pytest.approx(date.y_min, abs=0.5)
    assert issuer.y_min > number.y_max
    assert date.x_max == pytest.approx(LEFT + WIDTH - BODY_PT, abs=1 * MM)
    title = [one(lines, "^信息化工作领导小组2026—2027学年$"), one(lines, "^第一次全体会议纪要$")]
    for line in title:
        assert line.y_min > issuer.y_max + 2 * LINE - 1  # two lines below the red rule
        assert line.height == pytest.approx(22, abs=1)  # 二号
        assert (line.x_min + line.x_max) / 2 == pytest.approx(LEFT + WIDTH / 2, abs=1 * MM)
    first_paragraph = one(lines, "^2026年11月8日上午")
    assert first_paragraph.x_min == pytest.approx(LEFT + INDENT, abs=1)
    assert first_paragraph.y_min > title[1].y_max


def check_page_number(lines: list[Line], number: int) -> None:
    line = one(lines, f"^—{number}—$")
    assert line.y_min == pytest.approx(TOP + HEIGHT + 7 * MM, abs=1.5 * MM)
    assert line.height == pytest.approx(14, abs=1)  # 四号
    if number % 2:  # odd pages: on the right, one character in
        assert line.x_min > PAGE_W / 2
        assert line.x_max == pytest.approx(LEFT + WIDTH - 14, abs=1 * MM)
    else:
        assert line.x_max < PAGE_W / 2
        assert line.x_min == pytest.approx(LEFT + 14, abs=1 * MM)


def test_page_numbers_alternate_sides_below_the_block(minutes):
    for index, lines in enumerate(minutes.pages):
        check_page_number(lines, index + 1)


def test_the_stamp_box_is_on_the_last_page_below_the_text(minutes):
    stamp, last = minutes.result.stamp, minutes.pages[-1]
    assert stamp.page == minutes.result.pages - 1
    assert stamp.x2 - stamp.x1 == pytest.approx(50 * MM, abs=0.5 * MM)
    assert stamp.y2 - stamp.y1 == pytest.approx(25 * MM, abs=0.5 * MM)
    # Inside the text block, right-aligned.
    assert LEFT - 0.5 <= stamp.x1 < stamp.x2 <= LEFT + WIDTH + 0.5
    assert stamp.x2 == pytest.approx(LEFT + WIDTH, abs=0.5)
    assert PAGE_H - TOP - HEIGHT - 0.5 <= stamp.y1 < stamp.y2 <= PAGE_H - TOP + 0.5
    # Below the last text of the body (the 分送 line); empty, for the stamp to be legible.
    top_from_top = PAGE_H - stamp.y2
    assert one(last, "^分送：").y_max <= top_from_top
    for line in last:
        inside_x = line.x_max > stamp.x1 and line.x_min < stamp.x2
        inside_y = PAGE_H - line.y_min > stamp.y1 and PAGE_H - line.y_max < stamp.y2
        assert not (inside_x and inside_y), line
    # The signer's name and the date to its left, the QR code at the left of the block.
    for pattern in ("^签发人：孙其信$", "^2026年11月8日$"):
        line = one(last, pattern)
        assert line.x_max < stamp.x1
        assert stamp.y1 <= PAGE_H - line.y_max < PAGE_H - line.y_min <= stamp.y2
    assert one(last, "^扫码核验$").x_max < stamp.x1


def test_the_qr_code_carries_the_verification_url_and_the_hash():
    doc = make_minutes()
    payload = f"{doc.verify_url}#sha256={doc.content_sha256}"
    assert f'src="{pdf._qr_data_uri(payload)}"' in pdf.html_for(doc)


# --- Drafts ---------------------------------------------------------------------------------


def test_a_draft_has_no_number_and_says_draft(draft):
    text = text_of(draft.path, "-layout")
    assert "〔2026〕" not in text
    assert "号" not in compact(text).split("信息化工作领导小组办公室")[0]
    assert "（草稿，未签发）" in text  # in the signature area
    assert "签发人：" in text
    for lines in draft.pages:  # the watermark, on every page
        words = {line.text for line in lines}
        assert {"草", "稿"} <= words
    assert draft.result.stamp.page == draft.result.pages - 1


# --- Resources ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/logo.png",
        "https://example.invalid/logo.png",
        "ftp://example.invalid/logo.png",
        "file:///etc/passwd",
        "file://example.invalid/share/logo.png",
    ],
)
def test_the_fetcher_refuses_anything_but_local_resources(url, no_network, fandol):
    with pytest.raises(pdf.ResourceRefused):
        pdf.render_html(f'<p>x</p><img src="{url}">')
    with pytest.raises(pdf.ResourceRefused):
        pdf.render_html(f"<style>p {{ background: url('{url}') }}</style><p>x</p>")
    assert no_network == []


def test_the_fetcher_serves_data_uris_and_the_fonts(no_network, fandol):
    fetcher = pdf.local_only_fetcher(pdf.allowed_roots())
    font = pdf.fonts_dir() / "FandolFang-Regular.otf"
    assert fetcher.fetch(font.as_uri()).read(4) == b"OTTO"
    assert fetcher.fetch("data:text/plain;base64,5Lit").read() == "中".encode()
    with pytest.raises(pdf.ResourceRefused):
        fetcher.fetch((pdf.fonts_dir() / ".." / ".." / "secret_key").as_uri())
    assert no_network == []


def test_markup_in_the_content_is_text_and_fetches_nothing(tmp_path, no_network, fandol):
    hostile = '<img src="http://example.invalid/x.png"><link rel="stylesheet" href="http://e.invalid/s.css">'
    doc = make_minutes(
        narrative=NARRATIVE + hostile, items=(), title=f"会议纪要{hostile}", distribution=()
    )
    rendered = render_to(tmp_path / "m.pdf", doc)
    assert no_network == []
    flat = compact(text_of(rendered.path))
    assert '<imgsrc="http://example.invalid/x.png">' in flat


# --- Narrative, dates, titles, size ---------------------------------------------------------


def test_the_narrative_is_read_line_by_line():
    blocks = pdf.parse_narrative(
        "前言\n\n一、总体\n（一）分项\n1.第一\n（1）其一\n  　正文 \n2026年数据"
    )
    assert [(block.kind, block.text) for block in blocks] == [
        ("p", "前言"),
        ("h1", "一、总体"),
        ("h2", "（一）分项"),
        ("h3", "1.第一"),
        ("h3", "（1）其一"),
        ("p", "正文"),
        ("p", "2026年数据"),
    ]


def test_dates_numbers_and_titles():
    assert pdf.chinese_date(dt.date(2026, 3, 5)) == "2026年3月5日"
    numbers = [pdf.chinese_number(n) for n in (1, 10, 12, 20, 31)]
    assert numbers == ["一", "十", "十二", "二十", "三十一"]
    assert pdf.title_lines("信息化工作领导小组会议纪要") == ["信息化工作领导小组会议纪要"]
    assert pdf.title_lines("信息化工作领导小组2026—2027学年第一次全体会议纪要") == [
        "信息化工作领导小组2026—2027学年",
        "第一次全体会议纪要",
    ]


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        (
            "信息化工作领导小组全体会议（2026—2027学年）纪要",
            ["信息化工作领导小组全体会议", "（2026—2027学年）纪要"],
        ),
        (
            "信息化工作领导小组专题会：智慧校园数据治理纪要",
            ["信息化工作领导小组", "专题会：智慧校园数据治理纪要"],
        ),
        (
            "关于智慧校园数据中台建设方案与信息化项目经费预算调整及网络安全管理办法修订的"
            "信息化工作领导小组专题会议纪要",
            [
                "关于智慧校园数据中台建设方案与信息化项目",
                "经费预算调整及网络安全管理办法修订的",
                "信息化工作领导小组专题会议纪要",
            ],
        ),
    ],
)
def test_titles_break_between_words(title, lines):
    """GB/T 9704: 词意完整 — never "全体会 / 议", "纪 / 要", nor inside a year."""
    assert pdf.title_lines(title) == lines
    assert "".join(lines) == title


@pytest.mark.parametrize("word", ["全体会议", "专题会议", "信息化", "领导小组", "2026—2027"])
def test_no_title_break_falls_inside_a_word(word):
    title = "信息化工作领导小组关于" + word + "的" + "数据治理" * 3 + word + "纪要"
    for i in pdf.title_breaks(title):
        for start in (m.start() for m in re.finditer(re.escape(word), title)):
            assert not start < i < start + len(word), (title[:i], title[i:])


def first_page_fill(rendered: Rendered) -> float:
    """How much of page 1's text block the body fills: the bottom of its last line."""
    lines = body_lines(rendered.pages[0])
    return (max(line.y_max for line in lines) - TOP) / HEIGHT


def test_the_body_starts_on_page_one_and_fills_it(minutes, tmp_path, fandol):
    """Page 1 is not left empty below the title: at least 80 % of its text block is used when
    the document runs on (GB/T 9704 leaves no blank page part but the last)."""
    long = render_to(tmp_path / "long.pdf", long_minutes())
    for rendered in (minutes, long):
        assert len(rendered.pages) > 1
        assert one(rendered.pages[0], "^2026年11月8日上午")  # the body begins on page 1
        assert first_page_fill(rendered) >= 0.8, first_page_fill(rendered)


def test_ten_pages_render(tmp_path, fandol):
    doc = long_minutes()
    times = []
    for _ in range(3):
        started = time.perf_counter()
        result = pdf.render_minutes(doc)
        times.append(time.perf_counter() - started)
    path = tmp_path / "long.pdf"
    path.write_bytes(result.data)
    pages = bbox(path)
    assert result.pages == len(pages) >= 10
    for index, lines in enumerate(pages):
        check_page_number(lines, index + 1)
    assert result.stamp.page == result.pages - 1
    print(f"{result.pages} pages rendered in {statistics.median(times):.3f} s (median of 3)")


def test_a_web_process_loads_neither_weasyprint_nor_pyhanko():
    """Every view imports the minutes' services, which import the renderer and the signer:
    those load WeasyPrint and pyHanko only when a PDF is laid out or signed (1.3 s and about
    40 MB for WeasyPrint alone), so a web process that serves pages pays for neither."""
    code = (
        "import sys, django; django.setup();"
        "from django.urls import resolve; resolve('/');"
        "import meetings.minutes.services, meetings.minutes.views;"
        "print(sorted({'weasyprint', 'pyhanko'} & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "infogov.settings",
            "DJANGO_SECRET_KEY": "test",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
