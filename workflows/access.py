"""Who sees the workflows' cases: those of the counties the user sees (households/access.py). Who
takes a step is households.access.villages_acting_in's, asked by workflows/services.py."""

from django.db.models import QuerySet

from households.access import counties_visible_to
from households.models import Role

from .models import Case


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases of the counties the user sees (access.counties_visible_to): a new applicant has no
    household yet, so a case is placed by its village."""
    return Case.objects.filter(village__township__county__in=counties_visible_to(user))


# Read in the admin; steps are taken through the API (and its pages).
CASES = [f"workflows.view_{m}" for m in ("case", "step", "objection", "verification")]
ROLE_PERMISSIONS = {Role.COUNTY_CLERK: CASES, Role.CITY_REVIEWER: CASES}
