"""People sort by pinyin, the same in every picker and list (members.ordering)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings.forms import AttendeeForm
from members.forms import FillSeatForm
from members.ordering import by_pinyin, pinyin_key


def test_names_sort_by_pinyin_not_by_code_point():
    names = ["赵曼", "孙其信", "阎祖书", "李力", "马博虎", "刘西平", "刘卫军", "韩苏建"]

    assert by_pinyin(names) == [
        "韩苏建",
        "李力",
        "刘卫军",
        "刘西平",
        "马博虎",
        "孙其信",
        "阎祖书",
        "赵曼",
    ]
    assert sorted(names) != by_pinyin(names)  # code points put 刘 after 孙


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("曾强", "zeng1 qiang2"),
        ("单雄", "shan4 xiong2"),
        ("解放", "xie4 fang4"),
        ("乐天", "yue4 tian1"),
    ],
)
def test_surnames_are_read_as_surnames(name, reading):
    assert pinyin_key(name)[0] == reading


@given(st.lists(st.text(alphabet="孙赵李刘马阎韩曾单其信曼力博虎书", min_size=1, max_size=4)))
def test_pinyin_order_is_a_total_order_and_keeps_every_name(names):
    ordered = by_pinyin(names)
    assert sorted(ordered) == sorted(names)
    keys = [pinyin_key(name) for name in ordered]
    assert keys == sorted(keys)


@pytest.mark.django_db
@pytest.mark.parametrize("form", [FillSeatForm, AttendeeForm])
def test_every_person_picker_lists_people_in_pinyin_order(roster, form):
    field = form().fields["person"]
    labels = [label for value, label in field.choices if value]
    names = [str(person.full_name) for person in field.queryset]

    assert len(labels) == len(names) > 10
    assert [label.split(" ")[0] for label in labels] == by_pinyin(
        [label.split(" ")[0] for label in labels]
    )
