"""A household's yearly income (年度收入): recorded by source or as a total, one record a year.

One figure, never three: a home visit's income (workflows' 入户核实), an exit record's and the
year's income record are the same number. Whichever comes first records the year's income (as a
total, per capita × size, where no sources are given); the others must equal it (income_agree).
A change of the record carries the exit record of its year along, and the home visits of that
year (workflows registers itself in INCOME_FOLLOWERS). The household's own
`income_per_capita` is the latest year's figure, kept in step here (income_latest_refresh)."""

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from common.actors import person

from .. import access
from ..models import ExitRecord, Household, HouseholdIncome
from ..models.incomes import PARTS, IncomeSource, per_capita
from ..selectors import household_size_on
from .closes import frozen_guard
from .households import locked, stamp

# What else carries a year's figure in the apps above the registry (the exit workflow's home
# visit): each registers a function here from its AppConfig.ready(), as the audit checks do, and
# income_change calls it with the changed record, in its transaction, so the figures stay one.
INCOME_FOLLOWERS: list[Callable[[HouseholdIncome], None]] = []


def income_follower(function: Callable[[HouseholdIncome], None]):
    if function not in INCOME_FOLLOWERS:
        INCOME_FOLLOWERS.append(function)
    return function


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors[field] = "请填写数字"
        return None


def _figures(household: Household, year, parts: dict, total) -> HouseholdIncome:
    """An unsaved record of the figures given: sources (a source not given counts 0 when any is) or
    only a total; the size at the year's end and the per-capita figure. Runs a query. Raises
    ValidationError naming the field."""
    errors: dict[str, str] = {}
    parts = {p: _decimal(parts.get(p), p, errors) for p in PARTS}
    total = _decimal(total, "total", errors)
    for p, value in parts.items():
        if value is not None and value < 0:
            errors[p] = f"{IncomeSource(p).label}不能为负数"
    if any(v is not None for v in parts.values()):
        parts = {p: v if v is not None else Decimal(0) for p, v in parts.items()}
        if total is not None and total != sum(parts.values()):
            errors["total"] = f"合计{total}元不等于各项收入之和{sum(parts.values())}元"
        total = sum(parts.values())
    elif total is None and not errors:
        errors["total"] = "请填写各项收入，或只填合计"
    if total is not None and total < 0:
        errors["total"] = "合计不能为负数"
    if errors:
        raise ValidationError(errors)
    record = HouseholdIncome(household=household, year=year, total=total, **parts)
    if isinstance(year, int) and year >= 1:
        record.persons = household_size_on(household, year_end(year))
        if record.persons < 1:
            raise ValidationError({"household": f"该户{year}年末没有家庭成员，无法计算人均纯收入"})
        record.per_capita = per_capita(total, record.persons)
    return record


def _save(actor, record: HouseholdIncome) -> HouseholdIncome:
    record.full_clean()
    record.recorded_by = person(actor)
    stamp(actor, record)
    record.save()
    return record


def income_latest_refresh(household: Household, *, actor) -> Household:
    """Runs queries. The household's `income_per_capita` becomes its latest year's figure."""
    latest = household.incomes.order_by("-year").values_list("per_capita", flat=True).first()
    if latest is not None and latest != household.income_per_capita:
        household.income_per_capita = latest
        stamp(actor, household)
        household.save(update_fields=["income_per_capita"])
    return household


def income_record(*, actor, household: Household, year: int, wages=None, business=None, property=None,
                  transfers=None, total=None) -> HouseholdIncome:
    """Record a household's income of a year (二.(一): 人均纯收入 against the line): by source
    (工资性、生产经营性（净）、财产性、转移性), their sum the total, or only a total. Per capita is
    the total over the household's size at the year's end. One a year, not before the year the
    household was identified, no part negative. Recorded by whoever may change the household."""
    with transaction.atomic():
        household = locked(household)
        access.require_household_writable(actor, household)
        frozen_guard(county_code=household.county_code, year=year)
        record = _figures(household, year, {"wages": wages, "business": business, "property": property,
                                            "transfers": transfers}, total)
        _save(actor, record)
        income_latest_refresh(household, actor=actor)
    return record


def income_change(*, actor, income: HouseholdIncome, wages=None, business=None, property=None, transfers=None,
                  total=None) -> HouseholdIncome:
    """Correct a year's income: its figures are given again (household and year stay). The exit
    record of that year, if any, takes the new per-capita figure: they are one figure."""
    with transaction.atomic():
        stored = HouseholdIncome.objects.get(pk=income.pk)
        household = locked(stored.household_id)
        access.require_household_writable(actor, household)
        if (income.household_id, income.year) != (stored.household_id, stored.year):
            field = "household" if income.household_id != stored.household_id else "year"
            raise ValidationError({field: "不能修改；请删除这条记录后重新登记"})
        frozen_guard(county_code=household.county_code, year=stored.year)
        fresh = _figures(household, stored.year, {"wages": wages, "business": business, "property": property,
                                                   "transfers": transfers}, total)
        for name in (*PARTS, "total", "persons", "per_capita"):
            setattr(income, name, getattr(fresh, name))
        income.household = household
        _save(actor, income)
        exit_record = ExitRecord.objects.filter(household=household, year=income.year).first()
        if exit_record and exit_record.income_per_capita != income.per_capita:
            exit_record.income_per_capita = income.per_capita
            stamp(actor, exit_record)
            exit_record.save(update_fields=["income_per_capita"])
        for follow in INCOME_FOLLOWERS:
            follow(income)
        income_latest_refresh(household, actor=actor)
    return income


def income_delete(*, actor, income: HouseholdIncome) -> None:
    """Delete a year's income entered by mistake; one an exit record of its year carries stays
    (change it instead)."""
    with transaction.atomic():
        household = locked(income.household_id)
        access.require_household_writable(actor, household)
        frozen_guard(county_code=household.county_code, year=income.year)
        if ExitRecord.objects.filter(household=household, year=income.year).exists():
            raise ValidationError({"year": f"该户{income.year}年有脱贫记录，其年度收入不能删除，只能修改"})
        stamp(actor, income)
        income.delete()
        income_latest_refresh(household, actor=actor)


def income_of_registration(*, actor, household: Household) -> HouseholdIncome:
    """Runs queries; household_save calls it for a new household, once its members are saved. Its
    identification year's income, as a total: the figure it is registered with × its size at that
    year's end (so the per-capita figure comes back unchanged)."""
    persons = household_size_on(household, year_end(household.identified_year))
    return _save(actor, _figures(household, household.identified_year, {}, household.income_per_capita * persons))


def income_agree(*, actor, household: Household, year: int, income_per_capita, field: str = "income_per_capita"
                 ) -> HouseholdIncome:
    """Runs queries; call within the caller's transaction, after its own checks. A per-capita
    figure given by an exit record or a home visit: the year's income when none is recorded (a
    total of the figure × the size at the year's end), else it must equal the recorded figure
    (refused naming `field`)."""
    existing = HouseholdIncome.objects.filter(household=household, year=year).first()
    if existing is not None:
        if Decimal(income_per_capita) != existing.per_capita:
            raise ValidationError({field: f"与该户{year}年度收入记录的人均纯收入{existing.per_capita}元不一致"
                                          "（年度收入通过 /api/v1/incomes/ 修改）"})
        return existing
    access.require_household_writable(actor, household)
    frozen_guard(county_code=household.county_code, year=year, field=field)
    persons = household_size_on(household, year_end(year))
    if persons < 1:
        raise ValidationError({"household": f"该户{year}年末没有家庭成员，无法计算人均纯收入"})
    record = _figures(household, year, {}, Decimal(income_per_capita) * persons)
    _save(actor, record)
    income_latest_refresh(household, actor=actor)
    return record
