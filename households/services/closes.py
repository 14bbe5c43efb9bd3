"""Frozen means frozen (issue 19, point 3): while a county's year is accepted (年度数据锁定), no write
may change what that county-year counts, whoever acts, superusers and the system included. Every
service of the registry that writes what a year counts asks here first, and the refusal is one
sentence at every door: "<县名><年>年度数据已锁定，不能再改动该年度的记录".

What a county-year counts, and so what each service guards (docs/closes.md, 锁定后不能改动什么):
- an exit or a return of that year, for the county it is recorded in (its `county`, which stays
  when the household moves): recorded, changed or taken back;
- a household identified that year, in the county it lies in: registered (by hand, through the
  identification workflow, the registry workbook or in bulk); and a change of what a household is
  counted by — its identification year, category, main or secondary causes, standard — or of
  which persons it has without a date (a member added or deleted by hand, not a dated 成员变动),
  refused while any year it is counted in as an event is accepted: its identification year (in its
  county) and the year of each of its exits and returns (in their counties). Other fields (address,
  helper, a member's name or ID number…) count nowhere and stay open;
- a relief measure of that year (recorded, changed from or to that year, deleted), in the county of
  its household;
- a member change dated in that year, in the county of each household it writes;
- a transfer's step (release, acceptance, refusal) in the year it takes effect (today's: a move
  counts from the day it is accepted), for both counties; a removal (清退) likewise (it counts from
  the day it is recorded);
- a household's income of that year (recorded, changed, deleted, or recorded by an exit or a home
  visit), in the county of its household.

The close lives in households (models/closes.py) so that these services read it without importing
the plan; the states' own services (submit, accept, send back, reopen) live above, in plans."""

from collections.abc import Iterable

from django.utils import timezone

from common.refusals import Refused

from ..models import ExitRecord, ReturnRecord, YearClose


def frozen_reason(county_name: str, year: int) -> str:
    """The one sentence every door shows."""
    return f"{county_name}{year}年度数据已锁定，不能再改动该年度的记录"


def year_frozen(county_code: str, year: int) -> bool:
    """Runs a query. Is this county's year accepted (and so frozen)? A county-year without a close
    is open."""
    return YearClose.objects.accepted().filter(county_id=county_code, year=year).exists()


def frozen_guard(*, county_code: str | None, year: int | None, field: str | None = "year") -> None:
    """Runs a query. Refused (naming `field`) when the county's year is accepted; nothing to check
    without a county or a year (the service's own validation names what is missing)."""
    if not county_code or not isinstance(year, int):
        return
    close = YearClose.objects.accepted().filter(county_id=county_code, year=year).select_related("county").first()
    if close is not None:
        raise Refused(frozen_reason(close.county.name, year), field=field)


def frozen_guard_any(pairs: Iterable[tuple[str | None, int | None]], *, field: str | None = "year") -> None:
    """Runs a query (none for no pairs). frozen_guard() for several (county code, year) pairs at once:
    refused for the first frozen one, in the order of county and year."""
    wanted = {(c, y) for c, y in pairs if c and isinstance(y, int)}
    if not wanted:
        return
    frozen = accepted_closes(counties={c for c, _y in wanted}, years={y for _c, y in wanted})
    hit = sorted(wanted & frozen.keys())
    if hit:
        raise Refused(frozen.get(hit[0]), field=field)


def accepted_closes(*, counties: Iterable[str] | None = None, years: Iterable[int] | None = None
                    ) -> dict[tuple[str, int], str]:
    """Runs a query. The accepted county-years, (county code, year) → the refusal's sentence: a bulk
    write checks each of its records against these without a query per record."""
    closes = YearClose.objects.accepted()
    if counties is not None:
        closes = closes.filter(county_id__in=list(counties))
    if years is not None:
        closes = closes.filter(year__in=list(years))
    return {(county, year): frozen_reason(name, year)
            for county, year, name in closes.values_list("county_id", "year", "county__name")}


def today_year() -> int:
    """The year a step dated now (a transfer's, a removal's) counts in."""
    return timezone.localdate().year


def household_years(household_id: int, county_code: str, identified_year: int) -> set[tuple[str, int]]:
    """Runs two queries. The county-years a household is counted in as an event: its identification
    (in the county it lies in) and each exit and return (in the county recorded with it)."""
    years = {(county_code, identified_year)}
    for model in (ExitRecord, ReturnRecord):
        years |= set(model.objects.filter(household_id=household_id).values_list("county_id", "year"))
    return years


def household_guard(household, *, field: str | None = "identified_year", also: Iterable[tuple[str, int]] = ()
                    ) -> None:
    """Runs three queries. Refused while any county-year the household is counted in as an event
    (household_years, as stored) or any of `also` is accepted: for a change of what it is counted by."""
    frozen_guard_any(household_years(household.pk, household.county_code, household.identified_year) | set(also),
                     field=field)
