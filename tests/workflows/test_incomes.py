"""The home visit (入户核实), the exit record written at 脱贫销号 and the year's income record are one
figure; the identification's 建档 records the identification year's income (issue 18 point 4)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from households import services as registry
from households.models import HouseholdIncome
from workflows import services
from workflows.models import State, Verification

from .steps import D, application, day, take, walk

pytestmark = pytest.mark.django_db


def proposed_until_visit(household, clerk, year=2016):
    """An exit proposed on D, its home visit (the next step) due on day(1)."""
    case = services.exit_propose(actor=clerk, household=household, year=year, on=D)
    assert case.next_state == State.VERIFIED
    return case, 1


def test_a_visit_in_a_year_without_income_records_it_and_the_exit_carries_the_same(poor, ninghua_clerk):
    case, n = proposed_until_visit(poor, ninghua_clerk)
    take(case, State.VERIFIED, ninghua_clerk, day(n), income_per_capita=Decimal("3600.50"))
    income = poor.incomes.get(year=2016)
    assert (income.total, income.persons, income.per_capita, income.wages) == (Decimal("7201.00"), 2,
                                                                               Decimal("3600.50"), None)
    assert income.recorded_by == ninghua_clerk
    poor.refresh_from_db()
    assert poor.income_per_capita == Decimal("3600.50")
    case.refresh_from_db()
    case, n = walk(case, ninghua_clerk, until=State.TOWNSHIP_REVIEWED, start=n + 7)
    record = take(case, State.CLOSED, ninghua_clerk, day(n))
    assert record.income_per_capita == Decimal("3600.50")
    assert list(poor.incomes.values_list("year", flat=True)) == [2014, 2016]


def test_a_visit_must_find_the_recorded_income_or_is_refused_naming_it(poor, ninghua_clerk):
    registry.income_record(actor=ninghua_clerk, household=poor, year=2016, wages=Decimal("6000"),
                           business=Decimal("1000"), property=0, transfers=0)  # 3500 a person
    case, n = proposed_until_visit(poor, ninghua_clerk)
    before = list(HouseholdIncome.objects.values())
    with pytest.raises(ValidationError) as e:
        take(case, State.VERIFIED, ninghua_clerk, day(n), income_per_capita=Decimal("3600"))
    assert "income_per_capita" in e.value.message_dict and "3500" in e.value.message_dict["income_per_capita"][0]
    case.refresh_from_db()
    assert case.state != State.VERIFIED and not Verification.objects.exists()
    assert list(HouseholdIncome.objects.values()) == before
    take(case, State.VERIFIED, ninghua_clerk, day(n), income_per_capita=Decimal("3500"))
    assert case.verification.income_per_capita == Decimal("3500")


def test_the_line_comparison_stays_with_the_visit(poor, ninghua_clerk):
    case, n = proposed_until_visit(poor, ninghua_clerk)
    verification = take(case, State.VERIFIED, ninghua_clerk, day(n), income_per_capita=Decimal("2951.99"))
    assert not verification.passed and verification.line_amount == Decimal("2952.00")
    assert poor.incomes.get(year=2016).per_capita == Decimal("2951.99")


def test_a_registration_records_the_identification_years_income(village, ninghua_clerk):
    case = application(village, ninghua_clerk, income_per_capita=Decimal("2100"))
    case, n = walk(case, ninghua_clerk, until=State.ANNOUNCED)
    household = take(case, State.REGISTERED, ninghua_clerk, day(60), number="NH-NEW")
    income = household.incomes.get()
    assert (income.year, income.persons, income.total, income.per_capita) == (2016, 1, Decimal("2100.00"),
                                                                              Decimal("2100.00"))
    assert income.recorded_by == ninghua_clerk


def test_a_corrected_income_carries_the_visit_and_the_exit_along(poor, ninghua_clerk):
    case, n = proposed_until_visit(poor, ninghua_clerk)
    take(case, State.VERIFIED, ninghua_clerk, day(n), income_per_capita=Decimal("3600"))
    income = poor.incomes.get(year=2016)
    registry.income_change(actor=ninghua_clerk, income=income, total=Decimal("7500"))
    case.refresh_from_db()
    assert case.verification.income_per_capita == Decimal("3750.00")
    assert case.verification.line_amount == Decimal("2952.00")  # the line of the visit stays
    case, n = walk(case, ninghua_clerk, until=State.TOWNSHIP_REVIEWED, start=n + 7)
    record = take(case, State.CLOSED, ninghua_clerk, day(n))
    assert record.income_per_capita == Decimal("3750.00") == poor.incomes.get(year=2016).per_capita
