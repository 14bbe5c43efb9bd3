"""The ledgers (台账): one row a record of a person, naming the household and the member only to a
user who sees that household."""


from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from households.access import households_visible_to
from households.models import Member

from ..models import (
    GuaranteedLoan,
    Job,
    PublicPost,
    StudentAid,
    Training,
)
from .counts import TRAINING_FLAGS
from .scope import Scope

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
