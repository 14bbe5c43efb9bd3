"""Yearly income (年度收入, issue 18 point 4): one record per household and year, by source or a
total, per capita over the size at the year's end; the household's figure is the latest year's; a
home visit, an exit record and the year's income record are one figure."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from common.actors import SYSTEM
from common.refusals import Refused
from households import services
from households.models import ExitRecord, Household, HouseholdIncome
from households.selectors import household_size_on
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def refused_naming(field, call, **kwargs):
    with pytest.raises(ValidationError) as e:
        call(**kwargs)
    assert field in e.value.message_dict, e.value.message_dict
    assert chinese(e.value.message_dict[field][0])


def snapshot():
    return (list(HouseholdIncome.objects.order_by("pk").values()),
            list(Household.objects.order_by("pk").values("pk", "income_per_capita")),
            list(ExitRecord.objects.order_by("pk").values()))


@pytest.fixture
def three(village):
    """A household of 城南村 of 3 persons identified in 2015 with 2400 per person."""
    return household(village=village, number="NH-3", identified_year=2015, income_per_capita=Decimal("2400"), members=[
        member(name="李一"),
        member(name="李二", relation="spouse", id_number=resident_id(sex="female", birth=datetime.date(1972, 1, 2))),
        member(name="李三", relation="child", labor="none", id_number=resident_id(birth=datetime.date(2004, 3, 1))),
    ])


# ---------------------------------------------------------------- the size and a new household


def test_the_size_at_a_date_counts_the_households_members(three, poor):
    assert household_size_on(three, datetime.date(2015, 12, 31)) == 3
    assert household_size_on(poor.pk, datetime.date(2016, 12, 31)) == 2


def test_a_new_household_records_its_identification_years_income_as_a_total(three, ninghua_clerk):
    income = three.incomes.get()
    assert (income.year, income.total, income.persons, income.per_capita) == (2015, Decimal("7200.00"), 3,
                                                                              Decimal("2400.00"))
    assert (income.wages, income.business, income.property, income.transfers) == (None, None, None, None)
    assert income.recorded_by is None  # the system registered it


# ---------------------------------------------------------------- recording


def test_a_clerk_records_a_year_by_source(three, ninghua_clerk):
    income = services.income_record(actor=ninghua_clerk, household=three, year=2016, wages=Decimal("6000"),
                                    business=Decimal("3000.5"), property=Decimal("0"), transfers=Decimal("1500"))
    income.refresh_from_db()
    assert (income.total, income.persons, income.per_capita) == (Decimal("10500.50"), 3, Decimal("3500.17"))
    assert income.recorded_by == ninghua_clerk
    assert income.history.get().history_user == ninghua_clerk
    three.refresh_from_db()
    assert three.income_per_capita == Decimal("3500.17")  # the latest year's figure


def test_a_source_left_out_counts_zero_and_a_given_total_must_be_their_sum(three):
    income = services.income_record(actor=SYSTEM, household=three, year=2016, wages=Decimal("900"),
                                    total=Decimal("900"))
    assert (income.business, income.property, income.transfers, income.total) == (0, 0, 0, Decimal("900"))


def test_an_earlier_year_recorded_later_leaves_the_households_figure_at_the_latest(three):
    services.income_record(actor=SYSTEM, household=three, year=2017, total=Decimal("12000"))
    services.income_record(actor=SYSTEM, household=three, year=2016, total=Decimal("9000"))
    three.refresh_from_db()
    assert three.income_per_capita == Decimal("4000.00")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"year": 2014, "total": Decimal("3000")}, "year"),  # before the identification year (2015)
    ({"year": 2013, "total": Decimal("3000")}, "year"),
    ({"year": 2021, "total": Decimal("3000")}, "year"),
    ({"year": 2015, "total": Decimal("3000")}, "year"),  # a second record for 2015
    ({"year": 2016, "wages": Decimal("-1"), "transfers": Decimal("100")}, "wages"),
    ({"year": 2016, "business": Decimal("-300")}, "business"),
    ({"year": 2016, "property": Decimal("-0.01"), "wages": Decimal("5")}, "property"),
    ({"year": 2016, "transfers": Decimal("-5")}, "transfers"),
    ({"year": 2016, "total": Decimal("-5")}, "total"),
    ({"year": 2016, "wages": Decimal("100"), "total": Decimal("150")}, "total"),
    ({"year": 2016}, "total"),
])
def test_bad_incomes_are_refused_naming_the_field_and_nothing_is_written(three, ninghua_clerk, kwargs, field):
    before = snapshot()
    refused_naming(field, services.income_record, actor=ninghua_clerk, household=three, **kwargs)
    assert snapshot() == before


def test_a_clerk_of_another_county_records_no_income(three, datian_clerk, city_reviewer):
    for actor in (datian_clerk, city_reviewer):
        with pytest.raises(Refused):
            services.income_record(actor=actor, household=three, year=2016, total=Decimal("9000"))
    assert three.incomes.count() == 1


@pytest.mark.parametrize(("values", "name"), [
    ({"year": 2016, "total": Decimal("1"), "wages": Decimal("-1"), "business": 0, "property": 0,
      "transfers": Decimal("2")}, "householdincome_parts_not_negative"),
    ({"year": 2016, "total": Decimal("10"), "wages": Decimal("1"), "business": 0, "property": 0,
      "transfers": Decimal("2")}, "householdincome_total_is_sum"),
    ({"year": 2016, "total": Decimal("10"), "wages": Decimal("10")}, "householdincome_parts_all_or_none"),
    ({"year": 2015, "total": Decimal("10")}, "householdincome_once_a_year"),
    ({"year": 2022, "total": Decimal("10")}, "householdincome_year_in_range"),
    ({"year": 2016, "total": Decimal("-10")}, "householdincome_total_not_negative"),
])
def test_the_database_guards_each_rule_by_name(three, values, name):
    with pytest.raises(IntegrityError) as e, transaction.atomic():
        HouseholdIncome.objects.create(household=three, persons=3, per_capita=Decimal("1"), **values)
    assert name in str(e.value) or "UNIQUE" in str(e.value) and name == "householdincome_once_a_year"


# ---------------------------------------------------------------- changing and deleting


def test_a_change_gives_the_figures_again_and_the_exit_of_that_year_follows(three, ninghua_clerk):
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=three, year=2016,
                                                       income_per_capita=Decimal("4000")))
    income = three.incomes.get(year=2016)
    assert income.total == Decimal("12000.00")
    services.income_change(actor=ninghua_clerk, income=income, wages=Decimal("9000"), business=Decimal("4500"),
                           property=0, transfers=Decimal("1500"))
    assert HouseholdIncome.objects.get(pk=income.pk).per_capita == Decimal("5000.00")
    assert ExitRecord.objects.get(household=three).income_per_capita == Decimal("5000.00")
    three.refresh_from_db()
    assert three.income_per_capita == Decimal("5000.00")


def test_a_bad_change_is_refused_and_nothing_is_written(three, ninghua_clerk):
    income = three.incomes.get()
    before = snapshot()
    refused_naming("transfers", services.income_change, actor=ninghua_clerk, income=income, transfers=Decimal("-2"))
    income.year = 2016
    refused_naming("year", services.income_change, actor=ninghua_clerk, income=income, total=Decimal("1"))
    assert snapshot() == before


def test_an_income_is_deleted_unless_an_exit_of_its_year_carries_it(three, ninghua_clerk, datian_clerk):
    extra = services.income_record(actor=SYSTEM, household=three, year=2017, total=Decimal("15000"))
    with pytest.raises(Refused):
        services.income_delete(actor=datian_clerk, income=extra)
    services.income_delete(actor=ninghua_clerk, income=extra)
    three.refresh_from_db()
    assert three.income_per_capita == Decimal("2400.00")  # back to the latest left, 2015
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=three, year=2016, income_per_capita=Decimal("3100")))
    before = snapshot()
    refused_naming("year", services.income_delete, actor=ninghua_clerk, income=three.incomes.get(year=2016))
    assert snapshot() == before


# ---------------------------------------------------------------- one figure: the exit record


def test_an_exit_in_a_year_without_income_records_it_as_a_total(three):
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=three, year=2017, income_per_capita=Decimal("4100.50")))
    income = three.incomes.get(year=2017)
    assert (income.total, income.per_capita, income.wages) == (Decimal("12301.50"), Decimal("4100.50"), None)
    three.refresh_from_db()
    assert three.income_per_capita == Decimal("4100.50")


def test_an_exit_must_equal_the_years_income(three):
    services.income_record(actor=SYSTEM, household=three, year=2016, total=Decimal("9300"))
    before = snapshot()
    refused_naming("income_per_capita", services.exit_save, actor=SYSTEM,
                   record=ExitRecord(household=three, year=2016, income_per_capita=Decimal("3000")))
    assert snapshot() == before and three.status == "registered"
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=three, year=2016, income_per_capita=Decimal("3100")))
    assert three.exits.get().income_per_capita == Decimal("3100")


def test_an_exits_figure_is_not_changed_apart_from_the_income(three):
    record = services.exit_save(actor=SYSTEM, record=ExitRecord(household=three, year=2016,
                                                                income_per_capita=Decimal("3100")))
    record.income_per_capita = Decimal("3300")
    before = snapshot()
    refused_naming("income_per_capita", services.exit_save, actor=SYSTEM, record=record)
    assert snapshot() == before


# ---------------------------------------------------------------- the household's own figure


def test_a_household_change_keeps_its_figure_or_is_refused_naming_it(three, ninghua_clerk):
    three.phone = "0598-1234567"
    services.household_save(actor=ninghua_clerk, household=three)
    three.income_per_capita = Decimal("2600")
    before = snapshot()
    refused_naming("income_per_capita", services.household_save, actor=ninghua_clerk, household=three)
    assert snapshot() == before


# ---------------------------------------------------------------- the workbook import


def test_an_imported_new_household_records_its_identification_years_income(db):
    from tests.factories import VillageFactory
    from tests.households.test_workbook import INCOME, row, run, xlsx

    VillageFactory(code="350424100201", township__code="350424100")
    report = run(xlsx([row("H1", **{INCOME: 2300}),
                       row("H1", 公民身份号码=resident_id(sex="female"), 姓名="王五", 与户主关系="配偶", **{INCOME: 2300})]))
    assert report.written
    income = Household.objects.get(number="H1").incomes.get()
    assert (income.year, income.persons, income.total, income.per_capita) == (2014, 2, Decimal("4600.00"),
                                                                              Decimal("2300.00"))
    assert income.history.get().history_type == "+"


def test_a_reimport_with_another_income_is_refused_naming_its_row_and_column(db):
    from tests.factories import VillageFactory
    from tests.households.test_workbook import INCOME, reasons, row, run, xlsx

    VillageFactory(code="350424100201", township__code="350424100")
    head = resident_id()
    run(xlsx([row("H1", 公民身份号码=head, **{INCOME: 2300})]))
    before = snapshot()
    unchanged = run(xlsx([row("H1", 公民身份号码=head, **{INCOME: 2300})]))
    assert unchanged.written and unchanged.households["skip"] == 1
    report = run(xlsx([row("H1", 公民身份号码=head, **{INCOME: 2900})]))
    assert not report.written
    assert [(r, c) for r, c, _why in reasons(report)] == [(2, "人均纯收入（元）")]
    assert chinese(reasons(report)[0][2])
    assert snapshot() == before


# ---------------------------------------------------------------- the data-quality check


def test_an_exit_whose_year_has_no_income_record_is_found_linked_to_its_household(three, poor):
    from households.audit import run_audit

    services.exit_save(actor=SYSTEM, record=ExitRecord(household=three, year=2016, income_per_capita=Decimal("3100")))
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=poor, year=2016, income_per_capita=Decimal("3100")))
    assert [f for f in run_audit(checks=["exit_without_income"])] == []
    HouseholdIncome.objects.filter(household=three, year=2016).delete()  # around the services, as old data is
    [finding] = run_audit(checks=["exit_without_income"])
    assert (finding.check, finding.household, finding.household_number, finding.county) == (
        "exit_without_income", three.pk, "NH-3", "350424")
    assert "2016" in finding.detail and finding.url == reverse("dashboard:household", args=[three.pk])
    assert run_audit(checks=["exit_without_income"], county="350425") == []


# ---------------------------------------------------------------- the migration of the registry's figures


def test_the_migration_makes_income_records_of_the_figures_the_registry_held(three, poor):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("households.migrations.0008_incomes")
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=three, year=2017, income_per_capita=Decimal("4100")))
    HouseholdIncome.objects.all().delete()  # as before the migration
    Household.objects.filter(pk=three.pk).update(income_per_capita=Decimal("2600"))  # its figure, overwritten
    migration.incomes_from_the_registry(apps, None)
    assert sorted(HouseholdIncome.objects.values_list("household__number", "year", "total", "persons", "per_capita")) == [
        ("NH-1", 2014, Decimal("5000.00"), 2, Decimal("2500.00")),
        ("NH-3", 2015, Decimal("7800.00"), 3, Decimal("2600.00")),
        ("NH-3", 2017, Decimal("12300.00"), 3, Decimal("4100.00")),
    ]
    assert Household.objects.get(pk=three.pk).income_per_capita == Decimal("4100.00")  # the latest year's
