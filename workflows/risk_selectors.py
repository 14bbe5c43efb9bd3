"""Reads of the risk of a return to poverty (返贫风险): the rules over the registry, and the stored
warnings as a user sees them (docs/return-risks.md).

The plan wants those who fall back out again (一.(二): 返贫人口 counted in the year's task); the rules
find the exited households likely to fall back before they do, from what the registry already
holds: the yearly incomes against the poverty line (plans.PovertyLine), the members' health as its
history shows it changing, and the dated member changes (a labourer's death or departure)."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from households.access import households_visible_to
from households.models import ChangeKind, Household, HouseholdIncome, Member, MemberChange
from households.models.changes import LEAVES
from households.selectors import present_on
from plans.models import PovertyLine

from .risk_models import REASON_FIELDS, ReturnRisk, RiskReason, RiskState

Reason = RiskReason
LABOURERS = (Member.Labor.ORDINARY, Member.Labor.SKILLED)  # as the audit's wubao_with_labourer counts them
RISKY_HEALTH = (Member.Health.CHRONIC, Member.Health.SERIOUS_ILLNESS, Member.Health.DISABLED)
# A labourer's departure: every kind that takes a person out of the household (a split's into a
# household of its own included).
DEPARTURES = (*LEAVES, ChangeKind.SPLIT)


def year_before(on: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for 29 February): the last twelve months are the
    days after it, up to `on`."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}元"


def _percent(share: Decimal) -> str:
    return f"{share * 100:.1f}%".replace(".0%", "%")


# ---------------------------------------------------------------- the rules


def _income_reasons(households: QuerySet[Household], found: dict[int, dict[str, str]]) -> None:
    """Runs two queries. The latest year's per-capita income against the line of that year and the
    household's standard (below it, or above it by less than RETURN_RISK_INCOME_MARGIN of it), and
    against the year before's (down by more than RETURN_RISK_INCOME_DROP). A year whose line is not
    on record is not judged against it (the glossary: a line unknown is said, never guessed)."""
    margin, drop = settings.RETURN_RISK_INCOME_MARGIN, settings.RETURN_RISK_INCOME_DROP
    lines = {(year, standard): amount
             for year, standard, amount in PovertyLine.objects.values_list("year", "standard", "amount")}
    rows = (HouseholdIncome.objects.filter(household__in=households)
            .order_by("household_id", "-year").values_list("household_id", "year", "per_capita", "household__standard")
            .iterator(chunk_size=20_000))  # streamed: every income record of the exited, at 10,000,000 people 18 million
    latest: dict[int, tuple] = {}
    before: dict[int, Decimal] = {}
    for household_id, year, amount, standard in rows:
        if household_id not in latest:
            latest[household_id] = (year, amount, standard)
        elif year == latest[household_id][0] - 1 and household_id not in before:
            before[household_id] = amount
    for household_id, (year, amount, standard) in latest.items():
        line = lines.get((year, standard))
        if line is not None and amount < line:
            found[household_id][Reason.LOW_INCOME] = f"{year}年人均纯收入{_yuan(amount)}，低于当年贫困线{_yuan(line)}"
        elif line is not None and amount < line * (1 + margin):
            found[household_id][Reason.LOW_INCOME] = (
                f"{year}年人均纯收入{_yuan(amount)}，仅高出当年贫困线{_yuan(line)}的"
                f"{_percent((amount - line) / line)}（不足{_percent(margin)}）")
        previous = before.get(household_id)
        if previous and amount < previous * (1 - drop):
            found[household_id][Reason.INCOME_DROP] = (
                f"{year}年人均纯收入{_yuan(amount)}，较{year - 1}年的{_yuan(previous)}下降"
                f"{_percent((previous - amount) / previous)}（超过{_percent(drop)}）")


def _health_reasons(households: QuerySet[Household], on: datetime.date, found: dict[int, dict[str, str]]) -> None:
    """Runs a query. A present member whose health became chronic (长期慢性病), a serious illness (大病)
    or a disability (残疾) in the twelve months up to `on`, and still is: the member's history
    (django-simple-history) holds each change of its record with its date, the health before it in
    the version before. A member registered ill is no change of health."""
    history = Member.history.model
    earlier = (history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
               .order_by("-history_date", "-history_id").values("health")[:1])
    start = timezone.make_aware(datetime.datetime.combine(year_before(on) + datetime.timedelta(days=1),
                                                          datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))
    still = Member.objects.filter(present_on(None), health__in=RISKY_HEALTH, household__in=households)
    changes = (history.objects.filter(history_type="~", health__in=RISKY_HEALTH, history_date__gte=start,
                                      history_date__lt=end, id__in=still.values("pk"))
               .annotate(before=Subquery(earlier)).filter(before__isnull=False).exclude(before=F("health"))
               .order_by("household_id", "history_date", "history_id")
               .values_list("household_id", "name", "health", "before", "history_date"))
    labels = dict(Member.Health.choices)
    for household_id, name, health, before, when in changes:
        found[household_id][Reason.HEALTH] = (
            f"成员{name}于{timezone.localdate(when):%Y-%m-%d}由“{labels.get(before, before)}”登记为“{labels[health]}”")


def _labourer_reasons(households: QuerySet[Household], on: datetime.date, found: dict[int, dict[str, str]]) -> None:
    """Runs a query. A labourer (普通或技能劳动力) who died or left (成员变动) in the twelve months up to
    `on`, after whom no labourer is present: the household lost its only labourer."""
    labourer_left = Exists(Member.objects.filter(present_on(None), household_id=OuterRef("household_id"),
                                                 labor__in=LABOURERS))
    changes = (MemberChange.objects.filter(household__in=households, kind__in=DEPARTURES, member__labor__in=LABOURERS,
                                           date__gt=year_before(on), date__lte=on)
               .filter(~labourer_left).order_by("household_id", "date", "id")
               .values_list("household_id", "date", "kind", "member__name", "member__labor"))
    kinds, labours = dict(ChangeKind.choices), dict(Member.Labor.choices)
    for household_id, date, kind, name, labor in changes:
        found[household_id][Reason.LOST_LABOURER] = (
            f"{date:%Y-%m-%d} {name}（{labours[labor]}）{kinds[kind]}，家中再无劳动力")


def return_risks_found(*, on: datetime.date | None = None, county: str | None = None) -> dict[int, dict[str, str]]:
    """Runs four queries. The exited households (已脱贫) at risk of falling back on `on` (today by
    default), in `county` or the whole city: {household id: {reason code: what was found}}."""
    on = on or timezone.localdate()
    households = Household.objects.filter(status=Household.Status.EXITED)
    if county:
        households = households.for_county(county)
    found: dict[int, dict[str, str]] = defaultdict(dict)
    _income_reasons(households, found)
    _health_reasons(households, on, found)
    _labourer_reasons(households, on, found)
    return {pk: {code: reasons[code] for code in REASON_FIELDS if code in reasons} for pk, reasons in found.items()}


# ---------------------------------------------------------------- the warnings


def risks_visible_to(user) -> QuerySet[ReturnRisk]:
    """The warnings of the households the user sees: households/access.py's one scoping function."""
    return ReturnRisk.objects.filter(household__in=households_visible_to(user))


def risks_listed(*, user, county: str | None = None, reason: str | None = None,
                 state: str | None = RiskState.OPEN) -> QuerySet[ReturnRisk]:
    """The warnings the user sees, narrowed to a county (the household's today), a reason, a state
    (open by default; None: all), with what a list shows of each."""
    risks = risks_visible_to(user)
    if county:
        risks = risks.filter(household__village__township__county_id=county)
    if reason:
        risks = risks.filter(**{reason: True})
    if state:
        risks = risks.filter(state=state)
    return (risks.select_related("household__village__township__county", "return_record")
            .order_by("household__village_id", "household__number", "-raised_on", "-id"))


def risk_counts(risks: QuerySet[ReturnRisk]) -> list[dict]:
    """Runs a query. The warnings per county (the household's today): their total and their number
    per reason (a warning of two reasons counts under each), the counties in code order."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for county, *flags in risks.order_by().values_list("household__village__township__county_id", *REASON_FIELDS):
        counts[county]["total"] += 1
        for code, flag in zip(REASON_FIELDS, flags, strict=True):
            counts[county][code] += flag
    return [{"county": county, "total": c["total"], "reasons": {code: c[code] for code in REASON_FIELDS}}
            for county, c in sorted(counts.items())]


def open_risk_of(household_id: int) -> ReturnRisk | None:
    """Runs a query: the household's open warning, locked for the caller's transaction."""
    return ReturnRisk.objects.select_for_update().filter(household_id=household_id, state=RiskState.OPEN).first()

