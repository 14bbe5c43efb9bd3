"""Test data. Places come from factories; households are registered through the real service."""

import datetime
import itertools
from decimal import Decimal

import factory
from stdnum.cn import ric

from common.actors import SYSTEM
from households import services
from households.models import Helper, HelperAssignment, HelperVisit, Household, Member, Township, Village

_order = itertools.count(1)
_numbers = itertools.count(1)


def resident_id(*, birth=datetime.date(1970, 5, 17), sex="male", prefix="350424") -> str:
    """A valid resident ID number (GB 11643): order code odd for men, even for women."""
    order = next(_order) * 2 % 1000 + (1 if sex == "male" else 0)
    body = f"{prefix}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "?")


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ["code"]

    county_id = "350424"
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.county_id}{100 + n % 900:03d}")
    name = factory.Sequence(lambda n: f"测试乡{n}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village
        django_get_or_create = ["code"]

    township = factory.SubFactory(TownshipFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.township.code}{200 + n % 800:03d}")
    name = factory.Sequence(lambda n: f"测试村{n}")


def member(**fields) -> Member:
    """An unsaved member: the head of a household unless told otherwise."""
    defaults = {"name": "张三", "relation": "head", "labor": "ordinary"}
    if "id_number" not in fields:
        fields["id_number"] = resident_id()
    return Member(**{**defaults, **fields})


def household(*, members=None, other_causes=(), village=None, **fields) -> Household:
    """A household registered through households.services.household_save."""
    defaults = {
        "number": f"350424-{next(_numbers):05d}",
        "category": "ordinary",
        "main_cause_id": "illness",
        "identified_year": 2014,
        "income_per_capita": Decimal("2500.00"),
    }
    obj = Household(village=village or VillageFactory(), **{**defaults, **fields})
    return services.household_save(actor=SYSTEM, 
        household=obj, members=[member()] if members is None else members, other_causes=other_causes
    )


# ---------------------------------------------------------------- helpers (帮扶责任人), by the ORM
# (households/services/helpers.py writes them in the app; these build a registry for the reports).


class HelperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Helper

    name = factory.Sequence(lambda n: f"帮扶干部{n}")
    unit = "宁化县扶贫办"
    level = "cadre"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    county_id = "350424"


class HelperAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelperAssignment

    helper = factory.SubFactory(HelperFactory)
    started_on = datetime.date(2016, 1, 1)


class HelperVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelperVisit

    visited_on = datetime.date(2016, 3, 1)
    kind = "home"
    found = "了解家庭收入和就医情况"
