"""`make run`'s demo cycle: every stage, one project approved by the demo meeting's vote."""

import pytest

from members import demo
from projects.demo import load_demo_projects
from projects.models import Proposal
from projects.rules import ProposalStatus as S


@pytest.mark.django_db
def test_the_demo_has_a_proposal_at_every_stage_and_loads_once(roster):
    demo.load_demo()

    lines = load_demo_projects()

    assert len(lines) == 3
    statuses = dict(Proposal.objects.values_list("title", "status"))
    assert statuses == {
        "校园网核心交换升级": S.FIRST_ACCEPTED,
        "馆藏数据治理与共享": S.RECOMMENDED,
        "自助借还设备更新": S.REJECTED,
        "预算管理系统升级": S.IN_REVIEW,
        "财务报销一站式服务": S.SUBMITTED,
        "数字资源统一检索": S.RETURNED,
        "图书馆智慧空间管理平台": S.DRAFT,
    }
    core = Proposal.objects.get(title="校园网核心交换升级")
    assert (core.approved_fen, core.approval_motion.passed) == (800_000_00, True)
    assert load_demo_projects() == []
