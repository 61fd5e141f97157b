"""End to end, on phones (375 px): a secret ballot. The chair names two scrutineers as the
vote opens; members vote by secret ballot and each is shown a tracker; after the close the two
scrutineers count with their passwords on the counting page; the result shows, marked as
verified; a voter finds their tracker in the published ballot box.

The meeting is set up through the services (as the Office and the leader would), in session
with all 16 present; everything about the ballot is done in the browser.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from meetings import services
from meetings.ballots.models import Ballot
from meetings.models import Meeting, Motion
from members import demo
from members.models import Body, User
from tests.e2e.pages import log_in, press

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
CHAIR, FIRST, SECOND = "sunqixin", "yanzushu", "zhaoman"
VOTES = {CHAIR: "yes", FIRST: "yes", SECOND: "no"}


def _in_session() -> Motion:
    from django.utils import timezone

    body = Body.objects.get(kind=Body.Kind.LEADING_GROUP)
    leader = User.objects.get(username=CHAIR)
    clerk = User.objects.get(username="demo-clerk")
    meeting = services.draft_meeting(
        actor=clerk,
        body=body,
        kind=Meeting.Kind.LG_SPECIAL,
        title="无记名投票（端到端测试）",
        starts_at=timezone.now() + timezone.timedelta(hours=1),
        location="行政楼第三会议室",
    )
    item = services.add_agenda_item(actor=clerk, meeting=meeting, title="运维服务商遴选")
    meeting = services.convene_meeting(actor=leader, meeting=meeting)
    for member in meeting.expected_members.all():
        services.check_in(actor=clerk, member=member, by_office=True)
    services.open_meeting(actor=clerk, meeting=meeting)
    return services.create_motion(
        actor=leader, item=item, text="同意推荐甲公司", method=Motion.Method.SECRET
    )


def horizontal_scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_secret_ballot_counted_by_two_scrutineers_on_phones(demo_logins, open_page, tmp_path):
    motion = _in_session()
    url = motion.get_absolute_url()
    pages = {}
    for username in VOTES:
        page = open_page(**PHONE)
        log_in(page, username)
        pages[username] = page
    chair = pages[CHAIR]

    # The chair names two present members as scrutineers and opens the vote.
    chair.goto(url)
    for username in (FIRST, SECOND):
        person = User.objects.get(username=username)
        chair.locator(f"fieldset.scrutineers input[value='{person.pk}']").check()
    press(chair, reverse("meetings:motion_open", args=[motion.pk]))
    expect(chair.locator("dl.facts .scrutineer-names")).to_contain_text("阎祖书")

    # Each votes: one tap, the confirm page (a POST: no choice in the URL), Confirm.
    trackers = {}
    for username, choice in VOTES.items():
        page = pages[username]
        page.goto(url)
        with page.expect_navigation():
            page.locator(f"#vote-panel button.vote-{choice}").click()
        assert "choice" not in page.url
        expect(page.locator(f"#vote-panel .confirm-choice.vote-{choice}")).to_be_visible()
        with page.expect_navigation():
            page.locator("#vote-panel form.confirm button[type=submit]").click()
        expect(page.locator("#vote-panel .state.voted")).to_be_visible()
        tracker = page.locator("#my-tracker")
        expect(tracker).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
        trackers[username] = tracker.inner_text()
        assert horizontal_scroll_width(page) <= PHONE["width"]
    pages[FIRST].screenshot(path=tmp_path / "secret-voted.png", full_page=True)

    # The close: closed, not yet counted.
    chair.goto(url)
    press(chair, reverse("meetings:motion_close", args=[motion.pk]))
    expect(chair.locator("#result .not-counted")).to_be_visible()

    # The two scrutineers count with their passwords on the counting page.
    count_url = reverse("meetings:motion_count", args=[motion.pk])
    for username in (FIRST, SECOND):
        page = pages[username]
        page.goto(count_url)
        page.locator("form.count-confirm [name=password]").fill(demo.DEMO_PASSWORD)
        press(page, reverse("meetings:motion_count_confirm", args=[motion.pk]))
        assert horizontal_scroll_width(page) <= PHONE["width"]
    expect(pages[SECOND].locator("#count .state.counted")).to_be_visible()

    # The result: 2 yes, 1 no, verified.
    for page in pages.values():
        page.goto(url)
        result = page.locator("#result")
        expect(result.locator(".numbers strong")).to_have_text(["2", "1", "0"])
        expect(result.locator(".counted-verified")).to_be_visible()

    # A voter finds their tracker in the published box.
    voter = pages[FIRST]
    with voter.expect_navigation():
        voter.locator("#result .counted-verified a").click()
    mine = voter.locator(f"#ballot-{trackers[FIRST]}")
    expect(mine).to_be_visible()
    expect(mine).to_have_class(re.compile(r"\bmine\b"))
    expect(voter.locator("ol.ballots li.ballot")).to_have_count(3)
    assert horizontal_scroll_width(voter) <= PHONE["width"]
    voter.screenshot(path=tmp_path / "secret-box.png", full_page=True)
    assert sorted(Ballot.objects.filter(motion=motion).values_list("tracker", flat=True)) == sorted(
        trackers.values()
    )
