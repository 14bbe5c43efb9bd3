"""The database's own guards: each holds even when a write skips clean() and the services."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from households.models import ExitRecord, Household, Member, ReliefMeasure, Township, Village
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id

pytestmark = pytest.mark.django_db


def violates(constraint: str, write) -> None:
    with pytest.raises(IntegrityError) as e, transaction.atomic():
        write()
    # SQLite names a failed unique index by its columns, not its name.
    sqlite_unique = connection.vendor == "sqlite" and str(e.value).startswith("UNIQUE constraint failed")
    assert constraint in str(e.value) or sqlite_unique


def test_township_code_must_extend_its_county_code():
    violates("township_code_in_county", lambda: Township.objects.create(code="350425101", name="x", county_id="350424"))


def test_township_code_is_nine_digits():
    violates("township_code_9_digits", lambda: Township.objects.create(code="35042410A", name="x", county_id="350424"))


def test_village_code_must_extend_its_township_code():
    t = TownshipFactory()
    violates("village_code_in_township", lambda: Village.objects.create(code="350425101201", name="x", township=t))


def test_moving_a_township_to_another_county_is_refused():
    t = TownshipFactory(county_id="350424")
    violates("township_code_in_county", lambda: Township.objects.filter(pk=t.pk).update(county_id="350425"))


def test_household_income_is_not_negative():
    h = household()
    violates("household_income_not_negative", lambda: Household.objects.filter(pk=h.pk).update(income_per_capita=-1))


def test_household_category_is_a_glossary_code():
    h = household()
    violates("household_category_valid", lambda: Household.objects.filter(pk=h.pk).update(category="poor"))


def test_removed_household_has_a_reason_and_only_it():
    h = household()
    violates("household_removed_iff_reason", lambda: Household.objects.filter(pk=h.pk).update(status="removed"))
    violates("household_removed_iff_reason", lambda: Household.objects.filter(pk=h.pk).update(removed_reason="x"))


def test_one_head_per_household():
    h = household()
    violates("member_one_head", lambda: Member.objects.create(
        household=h, name="李四", id_number=resident_id(), relation="head", sex="male",
        birth_date="1970-05-17", labor="ordinary",
    ))


def test_one_active_household_per_person():
    number = resident_id()
    household(members=[member(id_number=number)])
    other = household()
    violates("member_id_once_active", lambda: Member.objects.create(
        household=other, name="张三", id_number=number, relation="child", sex="male",
        birth_date="1970-05-17", labor="ordinary",
    ))


def test_id_number_is_18_characters():
    h = household()
    violates("member_id_number_18_chars", lambda: h.members.update(id_number="35042419700517"))


def test_small_loan_limits():
    h = household()
    fields = {"household": h, "channel_id": "financial_support", "year": 2016, "content": "贷款"}
    violates("reliefmeasure_small_loan_limits", lambda: ReliefMeasure.objects.create(
        amount=Decimal("50001"), term_months=12, **fields))
    violates("reliefmeasure_small_loan_limits", lambda: ReliefMeasure.objects.create(
        amount=Decimal("1000"), term_months=48, **fields))


def test_one_exit_per_household_and_year():
    h = household()
    ExitRecord.objects.create(household=h, county_id=h.county_code, village_id=h.village_id, year=2016, persons=1, income_per_capita=Decimal("4000"))
    violates("exitrecord_once_a_year", lambda: ExitRecord.objects.create(
        household=h, county_id=h.county_code, village_id=h.village_id, year=2016, persons=1, income_per_capita=Decimal("4000")))


def test_years_are_within_the_registry_years():
    h = household()
    violates("exitrecord_year_in_range", lambda: ExitRecord.objects.create(
        household=h, county_id=h.county_code, village_id=h.village_id, year=2031, persons=1, income_per_capita=Decimal("4000")))


def test_village_flags_default_false():
    v = VillageFactory()
    assert (v.is_poor_village, v.is_hollow) == (False, False)
