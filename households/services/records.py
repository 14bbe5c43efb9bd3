"""What happens to a household: its relief measures (帮扶措施), its exits (脱贫) and returns (返贫)."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import access
from ..models import (
    ExitRecord,
    Household,
    HouseholdEvent,
    ReliefMeasure,
    ReturnRecord,
    related,
)
from ..selectors import event_is_latest
from ..total_selectors import KIND_OF
from .closes import frozen_guard
from .households import locked, stamp
from .incomes import income_agree
from .totals import totals_add, totals_add_records

Status = Household.Status

# What else follows a return in the apps above the registry (workflows: the warning of a return it
# had raised, docs/return-risks.md): each registers a function here from its AppConfig.ready(), as
# for the incomes (services.incomes.INCOME_FOLLOWERS). return_save calls it with the new record and
# recorded=True, return_delete with the record about to go and recorded=False, in their transaction.
RETURN_FOLLOWERS: list[Callable[..., None]] = []


def return_follower(function: Callable[..., None]):
    if function not in RETURN_FOLLOWERS:
        RETURN_FOLLOWERS.append(function)
    return function


def measure_save(*, actor, measure: ReliefMeasure) -> ReliefMeasure:
    """Record or change a relief measure (帮扶措施); rules of 二.(一).6, 二.(二), 二.(三) in its clean().
    It is recorded by whoever may change the household, or by the department of its channel for a
    household it serves (plan 四.2: access.may_record_measure), for the measure as it was and as it
    becomes."""
    with transaction.atomic():
        if not measure._state.adding:
            stored = ReliefMeasure.objects.select_related("household").get(pk=measure.pk)
            access.require_measure_recordable(actor, stored.household, stored.channel_id)
            # A measure counts for its year in its household's county: neither the year it leaves nor
            # the one it joins may be frozen (services/closes.py).
            frozen_guard(county_code=stored.household.county_code, year=stored.year)
        household = related(measure, "household")
        if household is not None and measure.channel_id:
            access.require_measure_recordable(actor, household, measure.channel_id)
        if household is not None:
            frozen_guard(county_code=household.county_code, year=measure.year)
        measure.full_clean()
        stamp(actor, measure)
        measure.save()
    return measure


def measure_delete(*, actor, measure: ReliefMeasure) -> None:
    access.require_measure_recordable(actor, measure.household, measure.channel_id)
    frozen_guard(county_code=measure.household.county_code, year=measure.year)
    stamp(actor, measure)
    measure.delete()


def household_status_refresh(household: Household, *, actor=None) -> Household:
    """The status follows the exit and return records: they alternate, starting with an exit,
    so more exits than returns means exited, as many (but some) means returned."""
    if household.status == Status.REMOVED:
        return household
    exits, returns = household.exits.count(), household.returns.count()
    status = Status.EXITED if exits > returns else Status.RETURNED if returns else Status.REGISTERED
    if status != household.status:
        household.status = status
        if actor is not None:
            stamp(actor, household)
        household.save(update_fields=["status"])
    return household


# An exit's or a return's place in the household's history: field → attribute.
FIXED = {"household": "household_id", "year": "year"}
# …and where it is counted (set when it is recorded, never by the caller).
COUNTED_IN = "county_id"



def _event_save(actor, record: HouseholdEvent) -> HouseholdEvent:
    """An exit or return is recorded by whoever may change its household. Once recorded, its
    household and year are fixed: a wrong one is taken back (only the latest may be) and recorded
    again, so that the records keep alternating."""
    if record.household_id is None:
        raise ValidationError({"household": "请选择贫困户"})
    with transaction.atomic():
        if not record._state.adding:
            stored = type(record).objects.filter(pk=record.pk).values(*FIXED.values(), COUNTED_IN, "persons").get()
            access.require_household_writable(actor, stored["household_id"])
            for name, attname in FIXED.items():
                if getattr(record, attname) != stored[attname]:
                    raise ValidationError({name: "不能修改；请撤销这条记录后重新登记"})
            record.county_id = stored[COUNTED_IN]
        record.household = locked(record.household_id)
        access.require_household_writable(actor, record.household)
        if record._state.adding:
            # Counted for the county (and placed in the village) the household lies in now, and kept
            # there when it moves away (a transfer): a correction later leaves it where it was counted.
            record.county_id = record.household.county_code
            record.village_id = record.household.village_id
            record.persons = record.household.members.filter(left_on__isnull=True).count()  # present today
        frozen_guard(county_code=record.county_id, year=record.year)
        record.full_clean()
        if isinstance(record, ExitRecord):
            # The exit's income and the year's income record are one figure.
            income_agree(actor=actor, household=record.household, year=record.year,
                         income_per_capita=record.income_per_capita)
        stamp(actor, record)
        adding = record._state.adding
        record.save()
        household_status_refresh(record.household, actor=actor)
        # The county-year's kept totals in the same transaction, last: every exit of the county-year
        # waits for this row's lock until the commit. A new record adds itself, a correction what its
        # persons moved (its household, year and county are fixed).
        if adding:
            totals_add_records([record])
        elif record.persons != stored["persons"]:
            totals_add(KIND_OF[type(record)], {(record.county_id, record.year): (0, record.persons - stored["persons"])})
    return record


def _event_delete(actor, record: HouseholdEvent) -> None:
    """Only the latest event can be taken back, so exits and returns keep alternating."""
    with transaction.atomic():
        record.household = household = locked(record.household_id)
        access.require_household_writable(actor, household)
        frozen_guard(county_code=record.county_id, year=record.year)
        if not event_is_latest(record):
            raise ValidationError(f"只能撤销该户最近的一条{type(record)._meta.verbose_name}")
        stamp(actor, record)
        # As stored (the household's lock keeps it so): what the totals hold of it.
        stored = type(record).objects.filter(pk=record.pk).values("county_id", "year", "persons").get()
        record.delete()
        household_status_refresh(household, actor=actor)
        totals_add_records([type(record)(**stored)], sign=-1)


def exit_save(*, actor, record: ExitRecord) -> ExitRecord:
    """Record a household's exit from poverty (脱贫) in a year, or correct one. The number of
    persons is the household's at this moment; the household becomes exited. One exit per year,
    not before the identification year, and only from registered or returned (plan 一.(二))."""
    return _event_save(actor, record)


def exit_delete(*, actor, record: ExitRecord) -> None:
    _event_delete(actor, record)


def return_save(*, actor, record: ReturnRecord) -> ReturnRecord:
    """Record a household's return to poverty (返贫), which needs an earlier exit, or correct one. A
    new return is handed to RETURN_FOLLOWERS (the warning it came after links to it)."""
    with transaction.atomic():
        adding = record._state.adding
        record = _event_save(actor, record)
        if adding:
            for follow in RETURN_FOLLOWERS:
                follow(record, recorded=True)
    return record


def return_delete(*, actor, record: ReturnRecord) -> None:
    """Take a return back; RETURN_FOLLOWERS let go of it first (its warning opens again)."""
    with transaction.atomic():
        for follow in RETURN_FOLLOWERS:
            follow(record, recorded=False)
        _event_delete(actor, record)
