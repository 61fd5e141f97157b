"""End to end: an online meeting of the Leading Group in a real browser (Debian's Chromium).

The Office drafts a special meeting, the leader convenes it, members check in until the quorum
is reached, and one named and one secret vote are cast from phone-sized pages and counted.
Each person works in a browser context of their own. Pages are read by their structure (URLs,
form actions, ids, classes and data-* attributes) and by the numbers and names they show, not
by their sentences: the meetings strings may not be translated yet.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from meetings.ballots.models import Ballot
from meetings.forms import VOTE_CHOICES
from meetings.models import BallotReceipt, ExpectedMember, Meeting, Motion, NamedVote
from members import demo
from members.models import User
from tests.e2e.pages import log_in, press, room_code_url, scan_and_check_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
LEADING_GROUP = "信息化工作领导小组"
TITLE = "信息化工作领导小组专题会议（端到端测试）"
ITEM_NAMED = "校园网出口带宽扩容方案"
ITEM_SECRET = "数据中心运维服务商遴选"
MOTION_NAMED = "同意校园网出口带宽扩容方案"
MOTION_SECRET = "同意推荐甲公司为运维服务商"
# Art. 12: more than two-thirds of 16 is 11; Art. 13: more than half of 16 is 9.
EXPECTED, NEEDED, REQUIRED_YES = 16, 11, 9
# 阎祖书 and 赵曼 check themselves in on their phones; the Office checks in nine others.
MEMBER, DEPUTY = "yanzushu", "zhaoman"
QUORATE = re.compile(r"(^|\s)quorate(\s|$)")
NOT_QUORATE = re.compile(r"(^|\s)not-quorate(\s|$)")


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go for a human to look at: $E2E_SCREENSHOT_DIR or the test's tmp dir."""
    return Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)


# --- Helpers ------------------------------------------------------------------------------------


def numbers(*values: int) -> list[str]:
    return [str(value) for value in values]


def mentions(*values: int) -> re.Pattern[str]:
    """Text that has each of ``values`` as a number of its own, in any order (any language)."""
    return re.compile("".join(rf"(?=.*(?<!\d){value}(?!\d))" for value in values), re.DOTALL)


def expect_quorum(page: Page, *, present: int, on_leave: int = 0) -> None:
    """The quorum panel shows expected, present, needed, on leave and absent, and its state."""
    panel = page.locator("#quorum-panel")
    absent = EXPECTED - present - on_leave
    expect(panel.locator(".numbers strong")).to_have_text(
        numbers(EXPECTED, present, NEEDED, on_leave, absent)
    )
    if present >= NEEDED:
        expect(panel).to_have_class(QUORATE)
        expect(panel.locator(".state.ok")).to_be_visible()
    else:
        expect(panel).to_have_class(NOT_QUORATE)
        # "Not quorate: n more members needed".
        expect(panel.locator(".state.short")).to_have_text(mentions(NEEDED - present))


def status_of(page: Page) -> Locator:
    """The status badge of the meeting or motion the page is about."""
    return page.locator("main .meeting-head .status, main .motion-page dl.facts .status").first


def horizontal_scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def vote(page: Page, motion_url: str, choice: str, label: str, *, tap_twice=False) -> None:
    """Tap a choice on the motion page, see it repeated, confirm it, see it counted. With
    ``tap_twice`` Confirm is tapped again while the vote is on its way (held back here, as on
    a slow network): the page sends one vote, and shows it counted."""
    page.goto(motion_url)
    buttons = page.locator("#vote-panel button.vote")
    expect(buttons).to_have_count(3)
    with page.expect_navigation():
        page.locator(f"#vote-panel button.vote-{choice}").click()
    # The confirm step is a POST: the choice is in no URL.
    expect(page).to_have_url(re.compile(r"/confirm/$"))
    expect(page.locator(f"#vote-panel .confirm-choice.vote-{choice}")).to_contain_text(label)
    confirm = page.locator("#vote-panel form.confirm button[type=submit]")
    held = []

    def hold(route):
        held.append(route)

    if tap_twice:
        page.route("**/vote/", hold)
    box = confirm.bounding_box()
    with page.expect_navigation():
        confirm.click(no_wait_after=tap_twice)  # the held vote's page does not come yet
        if tap_twice:
            for _ in range(100):  # until the vote is on its way (held); the page is unchanged
                if held:
                    break
                page.wait_for_timeout(50)
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(300)  # time for a second request, if the tap sent one
            assert len(held) == 1, "the second tap sent the vote again"
            held[0].continue_()
    if tap_twice:
        page.unroute("**/vote/", hold)
    expect(page).to_have_url(re.compile(rf"{re.escape(motion_url)}$"))
    expect(page.locator(".messages li.success")).to_be_visible()
    expect(page.locator("#vote-panel .state.voted")).to_be_visible()
    expect(page.locator("#vote-panel button.vote")).to_have_count(0)


def expect_votes_so_far(page: Page, voted: int) -> None:
    """The open vote says "n of 16 have voted"."""
    expect(page.locator("#vote-panel .progress")).to_have_text(mentions(voted, EXPECTED))


def expect_result(page: Page, *, yes: int, no: int, abstain: int, passed: bool) -> Locator:
    result = page.locator("#result")
    expect(result).to_be_visible()
    expect(result.locator(".numbers strong")).to_have_text(numbers(yes, no, abstain))
    expect(result.locator(".verdict")).to_have_class(re.compile("passed" if passed else "failed"))
    return result


# --- The meeting --------------------------------------------------------------------------------


def test_office_drafts_leader_convenes_quorum_and_two_votes_from_phones(
    demo_logins, open_page, shots
) -> None:
    with translation.override("zh-hans"):
        label = {choice: str(text) for choice, text in VOTE_CHOICES.items()}
    now = timezone.localtime()
    starts = (now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    if starts.date() != now.date():  # late in the evening: still today
        starts = now.replace(hour=23, minute=59, second=0, microsecond=0)

    # --- The Office drafts the meeting on a desktop, with two agenda items, and logs out.
    clerk = open_page(**DESKTOP)
    log_in(clerk, "demo-clerk")
    clerk.goto(reverse("meetings:meeting_list"))
    with clerk.expect_navigation():
        clerk.locator(f"main a[href='{reverse('meetings:meeting_new')}']").click()
    clerk.locator("#id_body").select_option(label=LEADING_GROUP)
    clerk.locator("#id_kind").select_option(Meeting.Kind.LG_SPECIAL)
    clerk.locator("#id_title").fill(TITLE)
    clerk.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    clerk.locator("#id_location").fill("行政楼第三会议室")
    with clerk.expect_navigation():
        clerk.locator("main form button[type=submit]").click()
    expect(clerk).to_have_url(re.compile(r"/meetings/\d+/$"))
    pk = int(re.search(r"/meetings/(\d+)/$", clerk.url)[1])
    meeting_url = reverse("meetings:meeting_detail", args=[pk])
    expect(clerk.locator("main h1")).to_have_text(TITLE)
    expect(status_of(clerk)).to_have_class(re.compile(r"\bstatus-draft\b"))
    expect(clerk.locator(".meeting-head dl.facts")).to_contain_text(
        starts.strftime("%Y-%m-%d %H:%M")
    )

    add_item = clerk.locator(f"form[action='{reverse('meetings:agenda_add', args=[pk])}']")
    for title in (ITEM_NAMED, ITEM_SECRET):
        clerk.locator("details", has=add_item).locator("summary").click()
        add_item.locator("[name=title]").fill(title)
        press(clerk, reverse("meetings:agenda_add", args=[pk]))
    items = clerk.locator("#agenda article.item")
    expect(items.locator("h3")).to_have_text(
        [re.compile(rf"^1\. {ITEM_NAMED}"), re.compile(rf"^2\. {ITEM_SECRET}")]
    )
    item_pks = [int(i.removeprefix("item-")) for i in items.evaluate_all("a => a.map(e => e.id)")]

    with clerk.expect_navigation():
        clerk.locator(f"header form[action='{reverse('logout')}'] button").click()
    expect(clerk).to_have_url(re.compile(r"/login/$"))
    clerk.goto(meeting_url)
    expect(clerk).to_have_url(re.compile(r"/login/\?next="))

    # --- The leader convenes it: the 16 seated members of the Leading Group are expected.
    leader = open_page(**DESKTOP)
    log_in(leader, "sunqixin")
    leader.goto(meeting_url)
    press(leader, reverse("meetings:meeting_convene", args=[pk]))
    expect(status_of(leader)).to_have_class(re.compile(r"\bstatus-convened\b"))
    # Members other than the Office see their own attendance and load the list on demand.
    expect(leader.locator("#my-attendance")).to_be_visible()
    rows = leader.locator("#attendance tr.expected")
    expect(rows).to_have_count(0)
    leader.locator("a.show-all").click()
    expect(rows).to_have_count(EXPECTED)
    expected = rows.evaluate_all("rows => rows.map(r => r.dataset.person)")
    assert expected[:2] == ["sunqixin", DEPUTY]
    assert MEMBER in expected and len(set(expected)) == EXPECTED
    expect_quorum(leader, present=0)

    # --- The Office opens check-in and checks in nine members from the meeting page.
    log_in(clerk, "demo-clerk")
    clerk.goto(meeting_url)
    press(clerk, reverse("meetings:check_in_open", args=[pk]))
    by_office = [username for username in expected if username not in (MEMBER, DEPUTY)][:9]
    assert by_office[0] == "sunqixin"
    for username in by_office:
        row = clerk.locator(f"#attendance tr.expected[data-person='{username}']")
        expect(row).to_have_attribute("data-present", "0")
        with clerk.expect_navigation():
            row.locator("td.office form[action$='/check-in/'] button").click()
        expect(row).to_have_attribute("data-present", "1")
    expect(clerk.locator("#attendance tr.expected[data-present='1']")).to_have_count(9)
    expect_quorum(clerk, present=9)  # not quorate: 11 of 16 needed
    # From here the Office's page is not reloaded: its quorum panel refreshes itself.
    clerk.evaluate("window.notReloaded = true")

    # --- 阎祖书 checks himself in on his phone: ten present, still not quorate.
    member = open_page(**PHONE)
    log_in(member, MEMBER)
    member.goto(meeting_url)
    expect(member.locator("#my-attendance .check-in-hint")).to_be_visible()  # scan the code
    code_url = room_code_url(clerk, pk)
    member.goto(code_url)
    check_in = member.locator("#check-in-scan form button[type=submit]")
    assert check_in.bounding_box()["height"] >= 48
    with member.expect_navigation():
        check_in.click()
    expect(member.locator(".messages li.success")).to_be_visible()
    expect(member.locator("#my-attendance strong.ok")).to_be_visible()  # "checked in at …"
    expect(member.locator("#my-attendance form[action$='/check-in/']")).to_have_count(0)
    expect_quorum(member, present=10)
    assert horizontal_scroll_width(member) <= PHONE["width"]
    member.screenshot(path=shots / "meet-meeting-phone.png", full_page=True)

    # --- 赵曼 checks herself in on her phone: eleven of sixteen, quorum reached.
    deputy = open_page(**PHONE)
    log_in(deputy, DEPUTY)
    scan_and_check_in(deputy, code_url)
    expect_quorum(deputy, present=11)
    # The Office's page turns quorate by itself (htmx polls the panel every 3 s).
    expect_quorum(clerk, present=11)
    assert clerk.evaluate("window.notReloaded") is True
    clerk.screenshot(path=shots / "meet-meeting-office.png", full_page=True)

    # --- The leader opens the meeting and puts a named and a secret motion to the vote.
    leader.goto(meeting_url)
    expect_quorum(leader, present=11)
    press(leader, reverse("meetings:meeting_open", args=[pk]))
    expect(status_of(leader)).to_have_class(re.compile(r"\bstatus-in_session\b"))
    motion_urls = []
    for item_pk, method, text in (
        (item_pks[0], Motion.Method.NAMED, MOTION_NAMED),
        (item_pks[1], Motion.Method.SECRET, MOTION_SECRET),
    ):
        action = reverse("meetings:motion_add", args=[item_pk])
        form = leader.locator(f"form[action='{action}']")
        leader.locator(f"#item-{item_pk} details", has=form).locator("summary").click()
        form.locator("[name=text]").fill(text)
        form.locator("[name=method]").select_option(method)
        form.locator("[name=threshold]").select_option("more_than_half")
        form.locator("[name=basis]").select_option("expected")
        press(leader, action)
        link = leader.locator(f"#item-{item_pk} ul.motions a")
        expect(link).to_have_text(text)
        motion_urls.append(link.get_attribute("href"))
    named_url, secret_url = motion_urls
    named_pk, secret_pk = (int(url.rstrip("/").rsplit("/", 1)[1]) for url in motion_urls)

    # --- The named vote.
    leader.goto(named_url)
    press(leader, reverse("meetings:motion_open", args=[named_pk]))
    expect(status_of(leader)).to_have_class(re.compile(r"\bstatus-open\b"))

    # 阎祖书, on his phone, sees how many yes votes pass it before he votes: 9 of 16.
    member.goto(named_url)
    expect(member.locator("main h1")).to_have_text(MOTION_NAMED)
    expect(member.locator("#required")).to_have_text(mentions(EXPECTED, REQUIRED_YES))
    expect_votes_so_far(member, 0)
    for button in member.locator("#vote-panel button.vote").all():
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= PHONE["width"] * 0.8, box
    assert horizontal_scroll_width(member) <= PHONE["width"]
    member.screenshot(path=shots / "meet-named-open.png", full_page=True)

    # He keeps a second tab on the confirmation of "no", then votes yes in the first.
    second_tab = member.context.new_page()
    second_tab.goto(named_url)
    with second_tab.expect_navigation():
        second_tab.locator("#vote-panel button.vote-no").click()
    expect(second_tab.locator("#vote-panel form.confirm")).to_be_visible()
    assert horizontal_scroll_width(second_tab) <= PHONE["width"]
    second_tab.screenshot(path=shots / "meet-named-confirm.png", full_page=True)
    vote(member, named_url, "yes", label["yes"])
    expect(member.locator("#vote-panel .state.voted")).to_contain_text(label["yes"])
    expect_votes_so_far(member, 1)
    # The second attempt is refused (409) and changes nothing: the vote stays yes.
    with second_tab.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/vote/")
    ) as refused:
        second_tab.locator("#vote-panel form.confirm button[type=submit]").click()
    assert refused.value.status == 409
    expect(second_tab.locator(".messages li.error")).to_be_visible()
    expect(second_tab.locator("#vote-panel .state.voted")).to_contain_text(label["yes"])
    second_tab.close()

    vote(deputy, named_url, "no", label["no"], tap_twice=True)
    expect(deputy.locator("#vote-panel .state.voted")).to_contain_text(label["no"])

    # Before the close nobody's choice is shown, not even to the chair.
    member.goto(named_url)
    expect_votes_so_far(member, 2)
    assert horizontal_scroll_width(member) <= PHONE["width"]
    member.screenshot(path=shots / "meet-named-voted.png", full_page=True)
    leader.goto(named_url)
    expect_votes_so_far(leader, 2)
    for page in (member, leader):
        expect(page.locator("#result")).to_have_count(0)
        expect(page.locator(".named-vote")).to_have_count(0)
        main = page.locator("main").inner_text()
        assert "阎祖书" not in main and "赵曼" not in main

    press(leader, reverse("meetings:motion_close", args=[named_pk]))
    expect(status_of(leader)).to_have_class(re.compile(r"\bstatus-closed\b"))
    # 1 yes of the 9 needed: not passed. Each member's choice is shown, by name.
    for page in (leader, member):  # the phone reloads by itself when the vote closes
        result = expect_result(page, yes=1, no=1, abstain=0, passed=False)
        choices = result.locator("li.named-vote")
        expect(choices).to_have_count(EXPECTED)
        # The separator is the page language's (Chinese "：").
        expect(choices.filter(has_text="阎祖书")).to_have_text(f"阎祖书：{label['yes']}")
        expect(choices.filter(has_text="赵曼")).to_have_text(f"赵曼：{label['no']}")
        expect(choices.filter(has=page.locator(".muted"))).to_have_count(EXPECTED - 2)
    assert horizontal_scroll_width(member) <= PHONE["width"]
    member.screenshot(path=shots / "meet-named-closed.png", full_page=True)

    # --- The secret vote: 阎祖书 votes yes, 赵曼 abstains, both on their phones; they are
    # also its scrutineers, and count it with their passwords once it closes.
    leader.goto(secret_url)
    for username in (MEMBER, DEPUTY):
        person = User.objects.get(username=username)
        leader.locator(f"fieldset.scrutineers input[value='{person.pk}']").check()
    press(leader, reverse("meetings:motion_open", args=[secret_pk]))
    member.goto(secret_url)
    expect(member.locator("#required")).to_have_text(mentions(EXPECTED, REQUIRED_YES))
    vote(member, secret_url, "yes", label["yes"])
    vote(deputy, secret_url, "abstain", label["abstain"])
    member.goto(secret_url)
    expect(member.locator("#vote-panel .state.voted")).to_be_visible()
    expect_votes_so_far(member, 2)
    member.screenshot(path=shots / "meet-secret-voted.png", full_page=True)
    leader.goto(secret_url)
    expect_votes_so_far(leader, 2)
    press(leader, reverse("meetings:motion_close", args=[secret_pk]))
    expect(leader.locator("#result .not-counted")).to_be_visible()
    count_url = reverse("meetings:motion_count", args=[secret_pk])
    for page in (member, deputy):
        page.goto(count_url)
        page.locator("form.count-confirm [name=password]").fill(demo.DEMO_PASSWORD)
        press(page, reverse("meetings:motion_count_confirm", args=[secret_pk]))
    for page in (leader, member, deputy):
        page.goto(secret_url)
        result = expect_result(page, yes=1, no=0, abstain=1, passed=False)
        expect(result.locator(".named-vote")).to_have_count(0)
        expect(result.locator(".counted-verified")).to_be_visible()
        text = result.inner_text()
        assert "阎祖书" not in text and "赵曼" not in text
    assert horizontal_scroll_width(member) <= PHONE["width"]
    member.screenshot(path=shots / "meet-secret-closed.png", full_page=True)

    # The meeting page lists both votes as closed and not passed.
    leader.goto(meeting_url)
    for item_pk in item_pks:
        motion = leader.locator(f"#item-{item_pk} ul.motions li")
        expect(motion.locator(".status")).to_have_class(re.compile(r"\bstatus-closed\b"))
        expect(motion.locator(".badge.failed")).to_be_visible()

    # --- What was stored: read once every page (and its polling) is gone.
    for page in (clerk, leader, member, deputy):
        page.close()
    named = Motion.objects.get(text=MOTION_NAMED)
    secret = Motion.objects.get(text=MOTION_SECRET)
    assert named.item.meeting_id == secret.item.meeting_id == pk
    assert Meeting.objects.get(pk=pk).status == Meeting.Status.IN_SESSION
    assert ExpectedMember.objects.filter(meeting_id=pk, present=True).count() == NEEDED
    named_votes = NamedVote.objects.filter(motion=named)
    assert named_votes.count() == 2
    stored = dict(named_votes.values_list("voter__username", "choice"))
    assert stored == {MEMBER: "yes", DEPUTY: "no"}
    assert (named.status, named.yes, named.no, named.abstain) == (Motion.Status.CLOSED, 1, 1, 0)
    assert (named.expected, named.present, named.required, named.passed) == (16, 11, 9, False)

    assert Ballot.objects.filter(motion=secret).count() == 2
    assert secret.counted == Motion.Counted.CRYPTO
    receipts = BallotReceipt.objects.filter(motion=secret)
    assert receipts.count() == 2
    assert set(receipts.values_list("voter__username", flat=True)) == {MEMBER, DEPUTY}
    assert not NamedVote.objects.filter(motion=secret).exists()
    assert (secret.status, secret.yes, secret.no, secret.abstain) == (Motion.Status.CLOSED, 1, 0, 1)
