"""Reads of the five projects (五项工程, plan 三.(一)) and the eight models (八种模式, 四.3) for the
dashboards: aggregates by county (and year), and the ledgers (台账), one row a record. Each runs a
fixed number of queries, whatever the number of records.

Scoping is projects/access.py's: a project's records are those of the counties
project_counties_visible_to(user, channel) gives for the project's channel (the pilots: None);
the measures by model those of households_visible_to(user). A person's record is counted in the
county of its project (a workshop may employ a member of another county's household): a ledger
row names the household and the member only to a user who sees that household.

Years: a project's own records (a fund, a workshop, a pilot, an education fund) count from the
year they were set up, so a year shows those that existed by then; what was done for a person (a
loan, a job, a post, a grant, a training) counts in its year.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from households.access import counties_visible_to, households_visible_to
from households.models import AlleviationModel, County, Member, ReliefMeasure
from plans.models import PlanTarget

from .access import project_counties_visible_to
from .models import (
    EDUCATION_CHANNEL,
    EMPLOYMENT_CHANNEL,
    LOAN_CHANNEL,
    PILOT_RANGES,
    TRAINING_CHANNEL,
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

# Each project and the channel of its measures (None: the pilots are chosen by the city).
PROJECTS = {
    "loans": LOAN_CHANNEL,
    "employment": EMPLOYMENT_CHANNEL,
    "pilots": None,
    "education": EDUCATION_CHANNEL,
    "training": TRAINING_CHANNEL,
}


@dataclass(frozen=True)
class Scope:
    """What one user reads of the projects, narrowed by the page's filters."""

    user: object
    names: dict[str, str]  # every county's name by code, in code order
    seen: dict[str, tuple[str, ...]]  # project → the county codes read
    places: frozenset[str]  # counties whose own pages the user opens (counties_visible_to)
    county: str | None = None
    year: int | None = None

    def counties(self, project: str) -> tuple[str, ...]:
        return self.seen[project]

    def whole_city(self, project: str) -> bool:
        return len(self.seen[project]) == len(self.names)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The counties of any project: the county filter's choices."""
        read = set().union(*self.seen.values())
        return [(code, name) for code, name in self.names.items() if code in read]

    def narrowed(self, *, county: str | None = None, year: int | None = None) -> "Scope":
        seen = self.seen if county is None else {p: tuple(c for c in codes if c == county)
                                                for p, codes in self.seen.items()}
        return replace(self, seen=seen, county=county, year=year)


def project_scope(*, user, county: str | None = None, year: int | None = None) -> Scope:
    """Runs one query (and, for a channel department, one a project: is its channel theirs?)."""
    flags = {f"reads_{p}": Exists(project_counties_visible_to(user, channel).filter(code=OuterRef("code")))
             for p, channel in PROJECTS.items()}
    flags["opens"] = Exists(counties_visible_to(user).filter(code=OuterRef("code")))
    rows = list(County.objects.order_by("code").annotate(**flags).values("code", "name", *flags))
    scope = Scope(
        user=user,
        names={r["code"]: r["name"] for r in rows},
        seen={p: tuple(r["code"] for r in rows if r[f"reads_{p}"]) for p in PROJECTS},
        places=frozenset(r["code"] for r in rows if r["opens"]),
    )
    return scope.narrowed(county=county, year=year)


def _per_county(scope: Scope, project: str, found: dict[str, dict], zeros: dict) -> list[dict]:
    """A row for every county the user reads of the project, with zeros where it has no record."""
    return [{"county": code, "county_name": scope.names[code], **zeros, **found.get(code, {})}
            for code in scope.counties(project)]


def _keyed(rows, key: str = "code") -> dict:
    return {r.pop(key): {k: (0 if v is None else v) for k, v in r.items()} for r in rows}


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


# ---------------------------------------------------------------- the ledgers (台账)


def _ledger(scope: Scope, records: QuerySet, household: str, fields: dict) -> list[dict]:
    """Runs one query. `household` is the path to the record's household; a row names the household
    and its member only if the user sees the household (`seen`), else they are None."""
    seen = households_visible_to(scope.user).filter(pk=OuterRef(household))
    head = Member.objects.filter(household=OuterRef(household), relation=Member.Relation.HEAD).values("name")[:1]
    rows = list(records.values(
        "pk", seen=Exists(seen), household_pk=F(household), number=F(f"{household}__number"), head=Subquery(head),
        home_village=F(f"{household}__village__name"), home_township=F(f"{household}__village__township__name"),
        **fields,
    ))
    for row in rows:
        if not row["seen"]:
            for key in ("household_pk", "number", "head", "home_village", "home_township", "member_name"):
                if key in row:
                    row[key] = None
    return rows


def loan_ledger(*, scope: Scope) -> list[dict]:
    """One query: each guaranteed loan, its household, fund, bank, amount, term and subsidy."""
    loans = GuaranteedLoan.objects.filter(fund__county_id__in=scope.counties("loans"))
    if scope.year:
        loans = loans.filter(measure__year=scope.year)
    loans = loans.order_by("fund__county_id", "measure__year", "issued_on", "pk")
    return _ledger(scope, loans, "measure__household", {
        "county_name": F("fund__county__name"), "fund_name": F("fund__name"), "loan_bank": F("bank"),
        "partner_bank": F("fund__partner_bank"), "year": F("measure__year"), "amount": F("measure__amount"),
        "term": F("measure__term_months"), "subsidy": F("interest_subsidy"), "issued": F("issued_on"),
        "repaid": F("repaid_on"),
    })


def job_ledger(*, scope: Scope) -> list[dict]:
    """One query: each member's year in a workshop."""
    jobs = Job.objects.filter(workshop__county_id__in=scope.counties("employment"))
    if scope.year:
        jobs = jobs.filter(year=scope.year)
    jobs = jobs.order_by("workshop__county_id", "year", "workshop__name", "pk")
    return _ledger(scope, jobs, "member__household", {
        "county_name": F("workshop__county__name"), "workshop_name": F("workshop__name"),
        "enterprise": F("workshop__enterprise"), "workshop_township": F("workshop__township__name"),
        "member_name": F("member__name"), "job_year": F("year"), "wage": F("monthly_wage"),
    })


def post_ledger(*, scope: Scope) -> list[dict]:
    """One query: each public-welfare post held in a year."""
    posts = PublicPost.objects.filter(county_id__in=scope.counties("employment"))
    if scope.year:
        posts = posts.filter(year=scope.year)
    posts = posts.order_by("county_id", "year", "village_id", "pk")
    return _ledger(scope, posts, "member__household", {
        "county_name": F("county__name"), "post_village": F("village__name"), "post_kind": F("kind"),
        "post_title": F("title"), "member_name": F("member__name"), "post_year": F("year"), "pay": F("monthly_pay"),
    })


def aid_ledger(*, scope: Scope) -> list[dict]:
    """One query: each grant of a village education fund to a student."""
    aids = StudentAid.objects.filter(fund__county_id__in=scope.counties("education"))
    if scope.year:
        aids = aids.filter(year=scope.year)
    aids = aids.order_by("fund__county_id", "year", "fund__name", "pk")
    return _ledger(scope, aids, "member__household", {
        "county_name": F("fund__county__name"), "fund_name": F("fund__name"), "member_name": F("member__name"),
        "schooling": F("member__schooling"), "aid_year": F("year"), "aid_amount": F("amount"),
    })


def training_ledger(*, scope: Scope) -> list[dict]:
    """One query: each member trained on a course, with the waivers and priorities given."""
    trained = Training.objects.filter(course__institution__county_id__in=scope.counties("training"))
    if scope.year:
        trained = trained.filter(course__year=scope.year)
    trained = trained.order_by("course__institution__county_id", "course__year", "course__name", "pk")
    return _ledger(scope, trained, "member__household", {
        "county_name": F("course__institution__county__name"), "institution": F("course__institution__name"),
        "course_name": F("course__name"), "course_year": F("course__year"), "member_name": F("member__name"),
        **{f"flag_{flag}": F(flag) for flag in TRAINING_FLAGS},
    })


# ---------------------------------------------------------------- the page

SUMMARY_QUERIES = 20  # project_summary()'s, whatever the number of records


def project_summary(*, scope: Scope) -> dict:
    """Runs SUMMARY_QUERIES queries: every table of the projects' page."""
    pilots = pilots_by_county(scope=scope)
    return {
        "funds": guarantee_funds(scope=scope),
        "loans": loan_ledger(scope=scope),
        "employment": doorstep_employment(scope=scope),
        "units": employment_units(scope=scope),
        "jobs": job_ledger(scope=scope),
        "posts": post_ledger(scope=scope),
        "pilots": pilots,
        "pilot_ranges": pilot_ranges(scope=scope, by_county=pilots),
        "pilot_list": list(pilot_list(scope=scope)),
        "education": education_funds(scope=scope),
        "aids": aid_ledger(scope=scope),
        "training": trainings(scope=scope),
        "trainings": training_ledger(scope=scope),
        "models": by_model(scope=scope),
    }


# ---------------------------------------------------------------- a household's measures


def with_projects(measures: QuerySet[ReliefMeasure]) -> QuerySet[ReliefMeasure]:
    """The measures with the project records that carry them out: four queries more, whatever
    their number (a loan is one to one with its measure: joined)."""
    return measures.select_related("alleviation_model", "guaranteed_loan__fund").prefetch_related(
        Prefetch("workshop_jobs", Job.objects.select_related("workshop", "member")),
        Prefetch("public_posts", PublicPost.objects.select_related("member")),
        Prefetch("student_aids", StudentAid.objects.select_related("fund", "member")),
        Prefetch("trainings", Training.objects.select_related("course__institution", "member")),
    )


def measure_projects(measure: ReliefMeasure) -> list[str]:
    """What the five projects did through a measure (of with_projects()), in words: no query."""
    done = []
    loan = getattr(measure, "guaranteed_loan", None)
    if loan is not None:
        repaid = f"，{loan.repaid_on:%Y-%m-%d}还清" if loan.repaid_on else ""
        done.append(f"担保贷款：{loan.fund}担保，{loan.bank or loan.fund.partner_bank}放款，贴息{loan.interest_subsidy}元{repaid}")
    done += [f"车间务工：{j.member.name}在{j.workshop}（{j.year}年）" for j in measure.workshop_jobs.all()]
    done += [f"公益性岗位：{p.member.name}任{p.get_kind_display()}（{p.year}年）" for p in measure.public_posts.all()]
    done += [f"教育助学：{a.member.name}获{a.fund}资助{a.amount}元（{a.year}年）" for a in measure.student_aids.all()]
    done += [f"技能培训：{t.member.name}参加{t.course.institution}“{t.course.name}”" for t in measure.trainings.all()]
    return done
