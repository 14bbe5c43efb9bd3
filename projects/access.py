"""Who sees and changes the five projects' records (plan 四.2 gives each project to the department of
its channel, the county poverty offices keep their county's, the city chooses the pilots). Built on
the registry's rules (households/access.py); projects/services.py asks it before every write, the
admin and the API ask it what to list and offer."""

from django.db.models import QuerySet

from common.refusals import Refused
from households import access
from households.models import County, Household, Role, Village

from .models import EducationFund, GuaranteeFund, HouseholdLink, Pilot, TrainingCourse, TrainingInstitution, Workshop


def project_counties_visible_to(user, channel: str | None) -> QuerySet[County]:
    """Counties whose project records (五项工程: guarantee funds, workshops, education funds,
    training institutions; `channel` is the channel of the project's measures, None for the
    pilots) the user reads: those whose households they see whole (counties_visible_to), and every
    county for the department of the project's channel, which runs it city-wide (plan 四.2)."""
    if access.holds_channel(user, channel):
        return County.objects.all()
    return access.counties_visible_to(user)


def project_counties_writable_by(user, channel: str | None) -> QuerySet[County]:
    """Counties in which the user may set up or change a project's records: a county clerk and a
    writing system client their own, the project channel's department every county, superusers
    all. The pilots (channel None) are chosen by the city (plan 三.(一).3): the city reviewer."""
    if channel is None:
        return County.objects.all() if access.sees_whole_city(user) else County.objects.none()
    if access.holds_channel(user, channel):
        return County.objects.all()
    return access.counties_writable_by(user)


# How each unit (and a post's village) reaches its county.
COUNTY_OF = {
    GuaranteeFund: "county", Workshop: "county", Pilot: "county", EducationFund: "county",
    TrainingInstitution: "county", TrainingCourse: "institution__county", Village: "township__county",
}


def in_project_counties(queryset: QuerySet, user, channel: str | None) -> QuerySet:
    """The units of `queryset` in the counties whose projects of `channel` the user reads: the API's
    lists and choices, the admin's lists and drop-downs."""
    counties = project_counties_visible_to(user, channel)
    return queryset.filter(**{f"{COUNTY_OF[queryset.model]}__in": counties})


def households_recordable(user, channel: str) -> QuerySet[Household]:
    """The households whose records of a project of `channel` the user may make (may_record_project's
    households, as a queryset to offer)."""
    if not access.channels_recordable_by(user).filter(pk=channel).exists():
        return Household.objects.none()
    return access.households_for_measures(user)


def may_record_project(user, household: Household, channel: str) -> bool:
    """Runs queries. A project's record of a household's member (a loan, a job, a post, a grant, a
    training) is a relief measure of the project's channel: whoever may record that measure may
    record it (access.may_record_measure)."""
    return access.may_record_measure(user, household, channel)


def require_unit_writable(actor, unit, county: str | None, *, field: str | None = None) -> None:
    """Runs queries. Refused unless the actor may set up or change a unit of its project (`unit`: the
    unit or its model) in `county`: a 403 when it may in none, or for a unit as it stands; naming
    `field` (the unit's place) when the unit would be placed outside the actor's counties."""
    writable = project_counties_writable_by(actor, unit.channel)
    what = unit._meta.verbose_name
    if not writable.exists():
        raise Refused(f"您的角色不能登记或修改{unit._meta.verbose_name_plural}")
    if county and not writable.filter(pk=county).exists():
        if field:
            raise Refused(f"不在您可以登记{what}的县(市、区)内", field=field)
        raise Refused(f"您不能修改该县(市、区)的{what}")


def require_link_recordable(actor, record: HouseholdLink, household: Household) -> None:
    """Runs queries."""
    if not may_record_project(actor, household, record.channel):
        raise Refused(f"您不能为该户登记{record._meta.verbose_name}")


WRITE = ("view", "add", "change", "delete")
UNITS = ["guaranteefund", "workshop", "educationfund", "traininginstitution", "trainingcourse"]
LINKS = ["guaranteedloan", "job", "publicpost", "studentaid", "training"]
PROJECTS = UNITS + LINKS
ROLE_PERMISSIONS = {
    Role.COUNTY_CLERK: [*(f"projects.{a}_{m}" for m in PROJECTS for a in WRITE), "projects.view_pilot"],
    Role.CITY_REVIEWER: [*(f"projects.view_{m}" for m in PROJECTS), *(f"projects.{a}_pilot" for a in WRITE)],
    # Which project is theirs is decided above, by channel (project_counties_writable_by).
    Role.CHANNEL_DEPARTMENT: [f"projects.{a}_{m}" for m in PROJECTS for a in WRITE],
}
