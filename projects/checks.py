"""The projects' checks, in the reports that already exist: the plan's ranges for the pilots in
the plan's report (plans.checks, group "records"), and trainings long after a household's exit in
the data-quality audit (households.audit). Both report; neither refuses a record."""

from collections.abc import Iterator

from django.db.models import Count, F, Max, OuterRef, Q, Subquery

from households.audit import Scope, audit_check, member_findings
from households.models import ExitRecord, Household, Village
from plans.checks import WARNING, Context, Finding, check

from .models import PILOT_RANGES, Pilot, PilotKind, Training, range_status

# A household keeps its policies for a while after it exits (脱贫不脱政策); a training more than
# this many years after the exit year is worth a look: the member may have fallen back unrecorded,
# or the record may belong to someone else.
TRAINING_YEARS_AFTER_EXIT = 1


@check("records")
def pilot_ranges(ctx: Context) -> Iterator[Finding]:
    """三.(一).3: 20–30 pilot villages chosen among the key villages, and 10–20 pilot enterprises,
    cooperatives and family farms; a count outside the range is reported, never refused."""
    counts = Pilot.objects.aggregate(villages=Count("pk", filter=Q(kind=PilotKind.VILLAGE)),
                                     organisations=Count("pk", filter=~Q(kind=PilotKind.VILLAGE)))
    names = {"villages": "整村推进试点示范村数", "organisations": "产业帮带试点经济组织数（龙头企业、示范社、示范农场）"}
    for counted, code in PILOT_RANGES.items():
        low, high = ctx.count(f"{code}_min"), ctx.count(f"{code}_max")
        actual = counts[counted]
        yield Finding(f"pilots.{code.removeprefix('count.pilot_')}", names[counted], WARNING, f"{low}–{high}", actual,
                      range_status(actual, low, high) == "within")
    outside = Village.objects.filter(pilots__kind=PilotKind.VILLAGE, is_poor_village=False).values_list("code", "name")
    yield Finding("pilots.poor_villages", "不是建档立卡贫困村的试点示范村", WARNING, 0, len(outside),
                  len(outside) == 0, tuple(f"{c} {n}" for c, n in outside))


@audit_check("training_after_exit", "脱贫多年后仍登记技能培训")
def training_after_exit(scope: Scope) -> Iterator[Finding]:
    """A member of a household that has exited (and not fallen back) trained on a course of a year
    more than TRAINING_YEARS_AFTER_EXIT after the exit."""
    last_exit = (ExitRecord.objects.filter(household_id=OuterRef("member__household_id"))
                 .values("household_id").annotate(year=Max("year")).values("year"))
    trainings = (
        Training.objects.filter(member__household__in=scope.households.filter(status=Household.Status.EXITED))
        .annotate(exit_year=Subquery(last_exit))
        .filter(course__year__gt=F("exit_year") + TRAINING_YEARS_AFTER_EXIT)
        .order_by("course__year")
    )
    members = {t["member_id"]: t for t in trainings.values("member_id", "exit_year", "course__year", "course__name")}
    found = scope.members.filter(pk__in=members.keys())
    yield from member_findings(
        "training_after_exit", found,
        lambda m: (f"{m['name']}：户于{members[m['id']]['exit_year']}年脱贫，"
                   f"{members[m['id']]['course__year']}年仍登记培训“{members[m['id']]['course__name']}”"),
        lambda m: members[m["id"]]["course__year"],
    )
