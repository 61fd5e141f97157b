"""infogov.chain: a row and its parents in one precompiled statement, typed as the ORM types
them on either database."""

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from infogov.chain import Chain
from meetings import services
from meetings.models import AgendaItem, Meeting, Motion, QuorumCheck


@pytest.fixture
def motion(convened, office_clerk, leader) -> Motion:
    item = services.add_agenda_item(actor=office_clerk, meeting=convened, title="审议立项")
    return services.create_motion(actor=leader, item=item, text="同意立项")


def same_fields(fetched, expected) -> None:
    assert type(fetched) is type(expected)
    for field in type(expected)._meta.concrete_fields:
        assert getattr(fetched, field.attname) == getattr(expected, field.attname), field.name


def test_reads_the_row_and_its_parents_as_select_related_does(motion, django_assert_num_queries):
    chain = Chain(Motion, "item", "meeting")
    expected = Motion.objects.select_related("item__meeting").get(pk=motion.pk)

    with django_assert_num_queries(1):
        fetched = chain.get(motion.pk)
        meeting = fetched.item.meeting  # attached, not read again

    same_fields(fetched, expected)
    same_fields(fetched.item, expected.item)
    same_fields(meeting, expected.item.meeting)
    assert meeting.starts_at.tzinfo is not None  # a date from SQLite's text, converted
    assert isinstance(fetched.item, AgendaItem) and isinstance(meeting, Meeting)
    assert not fetched._state.adding and fetched._state.db == "default"
    assert "body" not in meeting._state.fields_cache  # the chain stops where it is told


def test_an_unknown_or_impossible_id_is_does_not_exist(motion, django_assert_num_queries):
    chain = Chain(Motion, "item", "meeting")
    with pytest.raises(Motion.DoesNotExist), django_assert_num_queries(1):
        chain.get(motion.pk + 1000)
    low, high = connection.ops.integer_field_range(Motion._meta.pk.get_internal_type())
    for beyond in (high + 1, low - 1, 10**30):  # SQLite could not even bind these
        with pytest.raises(Motion.DoesNotExist), django_assert_num_queries(0):
            chain.get(beyond)


def test_the_statement_is_built_once_and_follows_each_change(motion):
    chain = Chain(Motion, "item", "meeting")
    chain.get(motion.pk)
    compiled = chain._compiled["default"]
    Motion.objects.filter(pk=motion.pk).update(text="改过的表述")
    assert chain.get(motion.pk).text == "改过的表述"  # read afresh each time
    assert chain._compiled["default"] is compiled


def test_only_non_null_foreign_keys_are_followed():
    with pytest.raises(ValueError, match=r"QuorumCheck\.motion"):
        Chain(QuorumCheck, "motion")  # nullable: an inner join would lose rows
    with pytest.raises(ValueError, match=r"Motion\.text"):
        Chain(Motion, "text")


@isolate_apps("meetings")
def test_a_model_over_two_tables_is_refused():
    class LongMotion(Motion):  # multi-table inheritance: its columns are in two tables
        note = models.TextField()

        class Meta:
            app_label = "meetings"

    with pytest.raises(ValueError, match="LongMotion inherits"):
        Chain(LongMotion)
