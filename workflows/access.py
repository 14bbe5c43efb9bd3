"""Who sees the workflows' cases: those of the counties the user sees (households/access.py). Who
takes a step is households.access.villages_acting_in's, asked by workflows/services.py."""

from django.db.models import Q, QuerySet

from households.access import counties_visible_to
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


# Read in the admin; steps are taken through the API (and its pages).
CASES = [f"workflows.view_{m}" for m in ("case", "step", "objection", "verification", "noticeposting")]
ROLE_PERMISSIONS = {Role.COUNTY_CLERK: CASES, Role.CITY_REVIEWER: CASES}
