"""factory_boy factories for the members app.

These write rows directly, bypassing members.services: they grant no permissions and record
no audit entries. Use the services (or the named people in conftest) where that matters.
"""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from members.models import Appointment, Body, Role, Seat, Unit, User

PASSWORD = "test-password"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"测{n}")
    name_en = factory.Sequence(lambda n: f"Test unit {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    full_name = factory.Sequence(lambda n: f"测试人员{n}")
    password = Password(PASSWORD)


class BodyFactory(DjangoModelFactory):
    """Body.kind is unique and there are four kinds: asking for an existing kind returns it."""

    class Meta:
        model = Body
        django_get_or_create = ("kind",)

    kind = Body.Kind.LEADING_GROUP
    code = factory.LazyAttribute(lambda o: str(o.kind).replace("_", "-"))
    name = factory.LazyAttribute(lambda o: f"测试{o.kind}")
    name_en = factory.LazyAttribute(lambda o: f"Test {o.kind}")
    article = 3


class SeatFactory(DjangoModelFactory):
    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    role = Role.MEMBER
    order = factory.Sequence(lambda n: 1000 + n)


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = Appointment

    seat = factory.SubFactory(SeatFactory)
    person = factory.SubFactory(UserFactory)
    started_on = factory.LazyFunction(timezone.localdate)
