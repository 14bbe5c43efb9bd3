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

from django.db.models import Prefetch, QuerySet

from households.models import ReliefMeasure

from ..models import Job, PublicPost, StudentAid, Training
from .counts import (
    by_model,
    doorstep_employment,
    education_funds,
    employment_units,
    guarantee_funds,
    pilot_list,
    pilot_ranges,
    pilots_by_county,
    trainings,
)
from .ledgers import aid_ledger, job_ledger, loan_ledger, post_ledger, training_ledger
from .scope import PROJECTS, Scope, project_scope

# ---------------------------------------------------------------- the page

def project_summary(*, scope: Scope) -> dict:
    """Every table of the projects' page, in a fixed number of queries (one or two a table),
    whatever the number of records."""
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


__all__ = [
    "PROJECTS", "Scope", "project_scope", "project_summary", "with_projects", "measure_projects", "by_model",
    "doorstep_employment", "education_funds", "employment_units", "guarantee_funds", "pilot_list", "pilot_ranges",
    "pilots_by_county", "trainings", "aid_ledger", "job_ledger", "loan_ledger", "post_ledger", "training_ledger",
]
