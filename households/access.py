"""Who may see and who may change what: the one place that decides it. The admin, the API, the
pages, imports and exports all ask these functions (plan 四.2 assigns the work)."""

from django.db.models import Q, QuerySet

from .models import County, Household, ReliefChannel, Role, UserRole, Village


def user_role(user) -> UserRole | None:
    """None for anonymous users and users without a role. Runs a query the first time for a user
    object, unless the token authentication has fetched the role with the user."""
    if not user.is_authenticated:
        return None
    try:
        return user.registry_role
    except UserRole.DoesNotExist:
        return None


def _county_codes(role: UserRole):
    # A subquery, not a list: scoping a queryset costs no query of its own.
    return role.counties.values("code")


def households_visible_to(user) -> QuerySet[Household]:
    """Superusers and the city reviewer see every household; a county clerk and a system client
    those of their counties; a channel department those its channels serve (by cause, by the
    safety net's categories, or by a measure already recorded); anyone else none."""
    households = Household.objects.all()
    if user.is_authenticated and user.is_superuser:
        return households
    role = user_role(user)
    if role is None:
        return households.none()
    if role.role == Role.CITY_REVIEWER:
        return households
    if role.role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT):
        return households.filter(village__township__county_id__in=_county_codes(role))
    if role.role == Role.CHANNEL_DEPARTMENT:
        channels = list(role.channels.all())  # a query: the categories depend on them
        categories = {c for channel in channels for c in ReliefChannel.KIND_CATEGORIES.get(channel.kind, ())}
        served = (
            Q(main_cause__channel__in=channels)
            | Q(other_causes__channel__in=channels)
            | Q(category__in=categories)
            | Q(measures__channel__in=channels)
        )
        return households.filter(pk__in=Household.objects.filter(served).values("pk"))
    return households.none()


def sees_whole_city(user) -> bool:
    """Runs a query the first time for a user object (its role)."""
    if user.is_authenticated and user.is_superuser:
        return True
    role = user_role(user)
    return role is not None and role.role == Role.CITY_REVIEWER


def counties_visible_to(user) -> QuerySet[County]:
    """The counties whose pages and quota progress a user may see: all for superusers and the city
    reviewer, their own for a county clerk or a system client, none for anyone else. A channel
    department's scope is the households its channels serve, not places (access.households_visible_to),
    so it reads the breakdowns and household pages but no county's progress.

    Whoever sees a county here sees every household of it (households_visible_to), so progress
    counted over the whole county (quota_progress counts every record) is theirs to see."""
    if sees_whole_city(user):
        return County.objects.all()
    role = user_role(user)
    if role is not None and role.role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT):
        return County.objects.filter(code__in=role.counties.values("code"))
    return County.objects.none()


def households_writable_by(user) -> QuerySet[Household]:
    """Households whose records (members, exits, returns) the user may change: superusers all, a
    county clerk and a system client granted writing those of their counties; nobody else."""
    households = Household.objects.all()
    if user.is_authenticated and user.is_superuser:
        return households
    role = user_role(user)
    if role and (role.role == Role.COUNTY_CLERK or (role.role == Role.SYSTEM_CLIENT and role.can_write)):
        return households.filter(village__township__county_id__in=_county_codes(role))
    return households.none()


def counties_writable_by(user) -> QuerySet[County]:
    """Counties in which the user may register households and places."""
    if user.is_authenticated and user.is_superuser:
        return County.objects.all()
    role = user_role(user)
    if role and (role.role == Role.COUNTY_CLERK or (role.role == Role.SYSTEM_CLIENT and role.can_write)):
        return County.objects.filter(code__in=_county_codes(role))
    return County.objects.none()


def villages_acting_in(user, level: str) -> QuerySet[Village]:
    """Villages in whose identification and exit workflows (workflows/) the user may take a step
    of `level` (village, township or county). Village committees and township offices have no
    accounts here: the county clerk enters their steps acting for them, as the clerk enters the
    registry (plan 四.2), and each step records the level it was taken for; a village or township
    role would be granted here, by its place and level. Superusers act anywhere. A system client,
    even one that writes, takes no step: each is a person's decision."""
    if user.is_authenticated and user.is_superuser:
        return Village.objects.all()
    role = user_role(user)
    if role and role.role == Role.COUNTY_CLERK:
        return Village.objects.filter(township__county_id__in=_county_codes(role))
    return Village.objects.none()


def may_override_verification(user) -> bool:
    """Runs a query the first time for a user object. The city reviewer (市农业局审核员) may let an
    exit through whose home visit fell short of the line or the 两不愁三保障 checklist, with a reason;
    the county that proposed the exit may not."""
    return sees_whole_city(user)


def channels_recordable_by(user) -> QuerySet[ReliefChannel]:
    """Channels whose measures the user may record: a channel department its own (in any county
    it can see), a county clerk every channel in its county, superusers all."""
    if user.is_authenticated and user.is_superuser:
        return ReliefChannel.objects.all()
    role = user_role(user)
    if role is None:
        return ReliefChannel.objects.none()
    if role.role == Role.CHANNEL_DEPARTMENT:
        return role.channels.all()
    if role.role == Role.COUNTY_CLERK or (role.role == Role.SYSTEM_CLIENT and role.can_write):
        return ReliefChannel.objects.all()
    return ReliefChannel.objects.none()


def may_see_full_id(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_perm("households.view_full_id_number"))


def may_record_measure(user, household: Household, channel: ReliefChannel) -> bool:
    """Runs queries. A measure is recorded by whoever may change the household, or by the
    department of its channel for a household it serves."""
    return (
        channels_recordable_by(user).filter(pk=channel.pk).exists()
        and households_for_measures(user).filter(pk=household.pk).exists()
    )


def _holds_channel(user, channel: str | None) -> bool:
    """Runs a query the first time for a user object: is the user the department of `channel`?"""
    role = user_role(user)
    return (channel is not None and role is not None and role.role == Role.CHANNEL_DEPARTMENT
            and role.channels.filter(pk=channel).exists())


def project_counties_visible_to(user, channel: str | None) -> QuerySet[County]:
    """Counties whose project records (五项工程: guarantee funds, workshops, education funds,
    training institutions; `channel` is the channel of the project's measures, None for the
    pilots) the user reads: those whose households they see whole (counties_visible_to), and every
    county for the department of the project's channel, which runs it city-wide (plan 四.2)."""
    if _holds_channel(user, channel):
        return County.objects.all()
    return counties_visible_to(user)


def project_counties_writable_by(user, channel: str | None) -> QuerySet[County]:
    """Counties in which the user may set up or change a project's records: a county clerk and a
    writing system client their own, the project channel's department every county, superusers
    all. The pilots (channel None) are chosen by the city (plan 三.(一).3): the city reviewer."""
    if channel is None:
        return County.objects.all() if sees_whole_city(user) else County.objects.none()
    if _holds_channel(user, channel):
        return County.objects.all()
    return counties_writable_by(user)


def may_record_project(user, household: Household, channel: str) -> bool:
    """Runs queries. A project's record of a household's member (a loan, a job, a post, a grant, a
    training) is a relief measure of the project's channel: whoever may record that measure may
    record it (may_record_measure)."""
    return may_record_measure(user, household, ReliefChannel(pk=channel))


# The model permissions each role's group holds: what the admin lets it open at all. Which
# records it then sees and changes is decided by the functions above.
REGISTRY = ["household", "member", "reliefmeasure", "exitrecord", "returnrecord"]
PLACES = ["county", "township", "village"]
REFERENCE = ["povertycause", "reliefchannel", "alleviationmodel"]
PLAN_RECORDS = ["villageincome", "townshippairing", "envoy", "settlement", "supportstandard", "povertyline"]
WORKFLOWS = [f"workflows.view_{m}" for m in ("case", "step", "objection", "verification")]  # read in the admin
PROJECT_UNITS = ["guaranteefund", "workshop", "educationfund", "traininginstitution", "trainingcourse"]
PROJECT_LINKS = ["guaranteedloan", "job", "publicpost", "studentaid", "training"]
PROJECTS = PROJECT_UNITS + PROJECT_LINKS
WRITE = ("view", "add", "change", "delete")
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNTY_CLERK: [
        *(f"households.{a}_{m}" for m in REGISTRY for a in ("view", "add", "change")),
        *(f"households.delete_{m}" for m in ["member", "reliefmeasure", "exitrecord", "returnrecord"]),
        *(f"households.view_{m}" for m in PLACES + REFERENCE),
        "households.add_township", "households.add_village",
        "plans.view_annexrow", "plans.view_plantarget",
        *WORKFLOWS,
        *(f"projects.{a}_{m}" for m in PROJECTS for a in WRITE), "projects.view_pilot",
    ],
    Role.CITY_REVIEWER: [
        *(f"households.view_{m}" for m in REGISTRY + PLACES + REFERENCE),
        *(f"households.change_{m}" for m in PLACES),  # the flags the bureau sets
        "households.change_alleviationmodel",  # the eighth model is the bureau's to name
        "plans.view_annexrow", "plans.view_plantarget",
        *(f"plans.{a}_{m}" for m in PLAN_RECORDS for a in WRITE),
        *WORKFLOWS,
        *(f"projects.view_{m}" for m in PROJECTS), *(f"projects.{a}_pilot" for a in WRITE),
    ],
    Role.CHANNEL_DEPARTMENT: [
        "households.view_household", "households.view_member",
        # Whether a household it serves has exited or fallen back, as the API and its pages show it.
        "households.view_exitrecord", "households.view_returnrecord",
        *(f"households.{a}_reliefmeasure" for a in WRITE),
        *(f"households.view_{m}" for m in REFERENCE),
        # Which project is theirs is decided above, by channel (project_counties_writable_by).
        *(f"projects.{a}_{m}" for m in PROJECTS for a in WRITE),
    ],
    Role.SYSTEM_CLIENT: [],  # the API only
}


def households_for_measures(user) -> QuerySet[Household]:
    """The households a user may pick when recording a measure: a department's are those it
    serves, everyone else's those they may change."""
    role = user_role(user)
    if role and role.role == Role.CHANNEL_DEPARTMENT:
        return households_visible_to(user)
    return households_writable_by(user)
