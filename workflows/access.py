"""Who sees the workflows' cases: those of the counties the user sees (households/access.py). Who
takes a step is households.access.villages_acting_in's, asked by workflows/services.py."""

from django.db.models import Q, QuerySet

from common.refusals import Refused
from households.access import counties_visible_to, counties_writable_by, households_writable_by, sees_whole_city
from households.models import Role

from .models import Case, NoticePosting


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases of the counties the user sees (access.counties_visible_to): a new applicant has no
    household yet, so a case is placed by its village."""
    return Case.objects.filter(village__township__county__in=counties_visible_to(user))


def in_county(county) -> Q:
    """A notice list's place (a village, a township or a county) lies in `county` (a code, a County
    or a queryset of them)."""
    lookup = "in" if isinstance(county, QuerySet) else "exact"
    return (Q(**{f"village__township__county__{lookup}": county}) | Q(**{f"township__county__{lookup}": county})
            | Q(**{f"county__{lookup}": county}))


def postings_visible_to(user) -> QuerySet[NoticePosting]:
    """The notice lists posted in the counties the user sees."""
    return NoticePosting.objects.filter(in_county(counties_visible_to(user)))


def require_risk_follow_up(actor, household_id: int) -> None:
    """Runs queries. A warning of a return (返贫风险) is followed up by whoever may change its household
    (its county's clerk): refused naming `risk` for a household outside the actor's counties, or
    outright for a role that writes in no county."""
    if households_writable_by(actor).filter(pk=household_id).exists():
        return
    if counties_writable_by(actor).exists():
        raise Refused("该户不在您可以修改的县(市、区)内，不能登记返贫风险跟进", field="risk")
    raise Refused("您的角色不能登记返贫风险跟进")


def require_risk_refresh(actor, county: str | None) -> None:
    """Runs queries. The rules are run again (return_risks) by the bureau and the system for the
    whole city or a county, by a county's clerk for that county."""
    if sees_whole_city(actor):
        return
    if county is None or not counties_writable_by(actor).filter(pk=county).exists():
        raise Refused("您不能核算该范围的返贫风险", field="county")


# Read in the admin; steps are taken through the API (and its pages).
CASES = [f"workflows.view_{m}" for m in ("case", "step", "objection", "verification", "noticeposting")]
# Warnings are read by whoever sees their households (a department those it serves); follow-ups are
# added by the county's clerk, never changed (another is added).
RISKS = ["workflows.view_returnrisk", "workflows.view_riskfollowup"]
ROLE_PERMISSIONS = {Role.COUNTY_CLERK: [*CASES, *RISKS, "workflows.add_riskfollowup"],
                    Role.CITY_REVIEWER: [*CASES, *RISKS], Role.CHANNEL_DEPARTMENT: RISKS}
