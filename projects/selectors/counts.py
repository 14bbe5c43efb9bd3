"""Each project's counts by county (and year), and the measures by model (八种模式, 四.3)."""

from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from households.access import households_visible_to
from households.models import AlleviationModel, ReliefMeasure
from plans.models import PlanTarget

from ..models import (
    PILOT_RANGES,
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    Job,
    LinkType,
    Pilot,
    PilotKind,
    PostKind,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    Workshop,
    range_status,
)
from .scope import Scope, _keyed, _per_county

# ---------------------------------------------------------------- 1. 乡村扶贫担保工程


def guarantee_funds(*, scope: Scope) -> list[dict]:
    """Runs two queries. 三.(一).1 and 二.(一).6, per county: the funds and their capital, the loans
    they guarantee (amounts and terms are the loans' measures'), the guarantees outstanding (the
    amounts of loans not yet repaid), the interest subsidies and the households served."""
    codes, year = scope.counties("loans"), scope.year
    funds = GuaranteeFund.objects.filter(county_id__in=codes)
    loans = GuaranteedLoan.objects.filter(fund__county_id__in=codes)
    if year:
        funds, loans = funds.filter(founded_year__lte=year), loans.filter(measure__year=year)
    found = _keyed(funds.order_by().values(code=F("county_id")).annotate(funds=Count("pk"), capital=Sum("capital")))
    by_loans = _keyed(loans.order_by().values(code=F("fund__county_id")).annotate(
        loans=Count("pk"), amount=Sum("measure__amount"),
        outstanding=Sum("measure__amount", filter=Q(repaid_on__isnull=True)),
        subsidy=Sum("interest_subsidy"), households=Count("measure__household", distinct=True),
    ))
    for code, counts in by_loans.items():
        found.setdefault(code, {}).update(counts)
    zero = Decimal(0)
    return _per_county(scope, "loans", found, {"funds": 0, "capital": zero, "loans": 0, "amount": zero,
                                               "outstanding": zero, "subsidy": zero, "households": 0})


# ---------------------------------------------------------------- 2. 家门口扶贫就业工程


def doorstep_employment(*, scope: Scope) -> list[dict]:
    """Runs three queries. 三.(一).2: the poor people employed at their doorstep, per county (of
    the workshop or the post) and year: the members working in a workshop, those holding a
    public-welfare post, and both together, each person once (jobs + posts − those with both)."""
    codes = scope.counties("employment")
    jobs = Job.objects.filter(workshop__county_id__in=codes)
    posts = PublicPost.objects.filter(county_id__in=codes)
    if scope.year:
        jobs, posts = jobs.filter(year=scope.year), posts.filter(year=scope.year)
    both = jobs.filter(Exists(PublicPost.objects.filter(
        member=OuterRef("member"), year=OuterRef("year"), county=OuterRef("workshop__county"))))
    counted = {}
    for key, records, county in (("jobs", jobs, "workshop__county_id"), ("posts", posts, "county_id"),
                                 ("both", both, "workshop__county_id")):
        for r in records.order_by().values("year", code=F(county)).annotate(n=Count("member", distinct=True)):
            counted.setdefault((r["code"], r["year"]), {"jobs": 0, "posts": 0, "both": 0})[key] = r["n"]
    rows = []
    for code in codes:  # the counties in code order, each its years in order
        for year in sorted(y for c, y in counted if c == code):
            n = counted[(code, year)]
            rows.append({"county": code, "county_name": scope.names[code], "year": year, "jobs": n["jobs"],
                         "posts": n["posts"], "employed": n["jobs"] + n["posts"] - n["both"]})
    return rows


def employment_units(*, scope: Scope) -> list[dict]:
    """Runs two queries. 三.(一).2(2)–(3), per county: the workshops (those of enterprises from
    outside the county among them), and the public-welfare posts held, by kind."""
    codes = scope.counties("employment")
    workshops = Workshop.objects.filter(county_id__in=codes)
    posts = PublicPost.objects.filter(county_id__in=codes)
    if scope.year:
        workshops, posts = workshops.filter(founded_year__lte=scope.year), posts.filter(year=scope.year)
    workers = {"filter": Q(jobs__year=scope.year)} if scope.year else {}
    found = _keyed(workshops.order_by().values(code=F("county_id")).annotate(
        workshops=Count("pk", distinct=True), outside=Count("pk", distinct=True, filter=Q(outside_county=True)),
        workers=Count("jobs__member", distinct=True, **workers)))
    for r in posts.order_by().values("kind", code=F("county_id")).annotate(n=Count("pk")):
        found.setdefault(r["code"], {})[f"post_{r['kind']}"] = r["n"]
    zeros = {"workshops": 0, "outside": 0, "workers": 0, **{f"post_{k}": 0 for k in PostKind.values}}
    rows = _per_county(scope, "employment", found, zeros)
    for row in rows:
        row["posts"] = sum(row[f"post_{k}"] for k in PostKind.values)
    return rows


# ---------------------------------------------------------------- 3. 精准扶贫试点示范工程


def pilots_by_county(*, scope: Scope) -> list[dict]:
    """Runs one query. 三.(一).3, per county: the pilot villages, the pilot organisations (leading
    enterprises, cooperatives, family farms) by the link they build to the poor households, and
    the households they bring along (帮带), each once."""
    pilots = Pilot.objects.filter(county_id__in=scope.counties("pilots"))
    if scope.year:
        pilots = pilots.filter(year__lte=scope.year)
    organisation = ~Q(kind=PilotKind.VILLAGE)
    found = _keyed(pilots.order_by().values(code=F("county_id")).annotate(
        villages=Count("pk", distinct=True, filter=Q(kind=PilotKind.VILLAGE)),
        organisations=Count("pk", distinct=True, filter=organisation),
        **{f"link_{t}": Count("pk", distinct=True, filter=Q(link_type=t)) for t in LinkType.values},
        brought=Count("households", distinct=True, filter=organisation),
    ))
    zeros = {"villages": 0, "organisations": 0, "brought": 0, **{f"link_{t}": 0 for t in LinkType.values}}
    return _per_county(scope, "pilots", found, zeros)


def pilot_ranges(*, scope: Scope, by_county: list[dict]) -> list[dict]:
    """Runs one query. 三.(一).3: 20–30 pilot villages and 10–20 pilot organisations, for the whole
    city (PlanTarget count.pilot_*; plans.checks reports the same). Only a reader of every county
    has the city's count: a county's own count is shown, not judged."""
    targets = dict(PlanTarget.objects.filter(code__startswith="count.pilot_").values_list("code", "amount"))
    rows = []
    for key, code in PILOT_RANGES.items():
        low, high = targets.get(f"{code}_min"), targets.get(f"{code}_max")
        actual = sum(r[key] for r in by_county)
        if not scope.whole_city("pilots") or low is None or high is None:
            status = "partial"
        else:
            status = range_status(actual, low, high)
        rows.append({"key": key, "low": None if low is None else int(low), "high": None if high is None else int(high),
                     "actual": actual, "status": status})
    return rows


def pilot_list(*, scope: Scope) -> QuerySet[Pilot]:
    """One query: each pilot with its county, village, model and the count of households it brings
    along (a count, not their numbers: a pilot organisation may bring along households of a county
    the reader does not see)."""
    pilots = Pilot.objects.filter(county_id__in=scope.counties("pilots"))
    if scope.year:
        pilots = pilots.filter(year__lte=scope.year)
    # The villages, which build no link (link_type ""), before the organisations.
    return (pilots.select_related("county", "village__township", "alleviation_model")
            .annotate(brought=Count("households")).order_by("county_id", "link_type", "kind", "name", "pk"))


# ---------------------------------------------------------------- 4. 乡村教育助学工程


def education_funds(*, scope: Scope) -> list[dict]:
    """Runs two queries. 三.(一).4, per county: the village education funds and what they raised
    (government, donations), the grants made and the students of poor households supported."""
    codes = scope.counties("education")
    funds = EducationFund.objects.filter(county_id__in=codes)
    aids = StudentAid.objects.filter(fund__county_id__in=codes)
    if scope.year:
        funds, aids = funds.filter(founded_year__lte=scope.year), aids.filter(year=scope.year)
    found = _keyed(funds.order_by().values(code=F("county_id")).annotate(
        funds=Count("pk"), government=Sum("government_funds"), donations=Sum("donations")))
    for code, counts in _keyed(aids.order_by().values(code=F("fund__county_id")).annotate(
            grants=Count("pk"), granted=Sum("amount"), students=Count("member", distinct=True))).items():
        found.setdefault(code, {}).update(counts)
    zero = Decimal(0)
    rows = _per_county(scope, "education", found, {"funds": 0, "government": zero, "donations": zero, "grants": 0,
                                                   "granted": zero, "students": 0})
    for row in rows:
        row["raised"] = row["government"] + row["donations"]
    return rows


# ---------------------------------------------------------------- 5. 就业技能培训工程

# The three waivers and three priorities (三减免三优先, 三.(一).5(2)) and the certificate: the
# Training field each counts.
TRAINING_FLAGS = ["fee_waived", "board_waived", "certification_waived", "guidance_given", "job_referred",
                  "loan_subsidy_given", "certified"]


def trainings(*, scope: Scope) -> list[dict]:
    """Runs two queries. 三.(一).5, per county (of the training institution) and year (of the
    course): the courses, the poor persons trained (each once), the trainings, how many had each
    of the three waivers and the three priorities, and how many were certified."""
    codes = scope.counties("training")
    courses = TrainingCourse.objects.filter(institution__county_id__in=codes)
    trained = Training.objects.filter(course__institution__county_id__in=codes)
    if scope.year:
        courses, trained = courses.filter(year=scope.year), trained.filter(course__year=scope.year)
    counted: dict[tuple, dict] = {}
    for r in courses.order_by().values("year", code=F("institution__county_id")).annotate(n=Count("pk")):
        counted[(r["code"], r["year"])] = {"courses": r["n"]}
    for r in trained.order_by().values(code=F("course__institution__county_id"), course_year=F("course__year")).annotate(
            persons=Count("member", distinct=True), trainings=Count("pk"),
            **{f"n_{flag}": Count("pk", filter=Q(**{flag: True})) for flag in TRAINING_FLAGS}):
        counted.setdefault((r.pop("code"), r.pop("course_year")), {}).update(r)
    zeros = {"courses": 0, "persons": 0, "trainings": 0, **{f"n_{flag}": 0 for flag in TRAINING_FLAGS}}
    return [{"county": code, "county_name": scope.names[code], "year": year, **zeros, **counted[(code, year)]}
            for code in codes for year in sorted(y for c, y in counted if c == code)]


# ---------------------------------------------------------------- 八种模式


def _tagged(records: QuerySet) -> Coalesce:
    counts = (records.filter(alleviation_model=OuterRef("pk")).order_by().values("alleviation_model")
              .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def by_model(*, scope: Scope) -> list[dict]:
    """Runs one query. 四.3: per model of the eight, the relief measures tagged with it (of the
    households the user sees), the pilots and the workshops (of the counties the user reads)."""
    measures = ReliefMeasure.objects.filter(household__in=households_visible_to(scope.user))
    if scope.county:
        measures = measures.filter(household__village__township__county_id=scope.county)
    pilots = Pilot.objects.filter(county_id__in=scope.counties("pilots"))
    workshops = Workshop.objects.filter(county_id__in=scope.counties("employment"))
    if scope.year:
        measures = measures.filter(year=scope.year)
        pilots, workshops = pilots.filter(year__lte=scope.year), workshops.filter(founded_year__lte=scope.year)
    return list(AlleviationModel.objects.order_by("position", "code").values("code", "name").annotate(
        measures=_tagged(measures), pilots=_tagged(pilots), workshops=_tagged(workshops)))
