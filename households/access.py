"""Who may see and who may change what in the registry: the one place that decides it (plan 四.2
assigns the work). The services ask it before every write and raise common.refusals.Refused; the
admin, the API, the pages, imports and exports ask it what to list and which choices to offer.

Other apps keep their own rules in their own access.py (plans', projects', workflows'), built on
these; each app declares the model permissions its roles' groups hold (declare_role_permissions)."""

from collections.abc import Callable

from django.db.models import F, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Concat, Left, Right

from common.refusals import Refused

from .models import (
    County,
    Helper,
    HelperAssignment,
    HelperVisit,
    Household,
    ReliefChannel,
    Role,
    Transfer,
    UserRole,
    Village,
)
from .models.households import in_county
from .validators import mask_id, mask_phone


def user_role(user) -> UserRole | None:
    """None for anonymous users, the system and users without a role. Runs a query the first time
    for a user object, unless the token authentication has fetched the role with the user."""
    if not user.is_authenticated:
        return None
    try:
        return user.registry_role
    except UserRole.DoesNotExist:
        return None


def _county_codes(role: UserRole):
    # A subquery, not a list: scoping a queryset costs no query of its own.
    return role.counties.values("code")


def _in_counties(role: UserRole) -> Q:
    """The households of the role's counties: ranges of village codes (in_county), not a join."""
    ranges = Q(pk__in=[])  # no county, no household
    for code in role.county_codes:
        ranges |= in_county(code)
    return ranges


def _writes_counties(role: UserRole | None) -> bool:
    return role is not None and (role.role == Role.COUNTY_CLERK or (role.role == Role.SYSTEM_CLIENT and role.can_write))


# ---------------------------------------------------------------- reading


def households_visible_to(user) -> QuerySet[Household]:
    """Superusers (and the system) and the city reviewer see every household; a county clerk and a
    system client those of their counties; a channel department those its channels serve (by
    cause, by the safety net's categories, or by a measure already recorded); anyone else none."""
    households = Household.objects.all()
    if user.is_authenticated and user.is_superuser:
        return households
    role = user_role(user)
    if role is None:
        return households.none()
    if role.role == Role.CITY_REVIEWER:
        return households
    if role.role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT):
        return households.filter(_in_counties(role))
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


def transfers_visible_to(user) -> QuerySet[Transfer]:
    """The transfers (迁移) a user sees: superusers and the city reviewer all; a county clerk and a
    system client those out of or into their counties (a pending one is listed for both, the
    receiving county deciding on a household it does not see yet); anyone else none."""
    transfers = Transfer.objects.all()
    if user.is_authenticated and user.is_superuser:
        return transfers
    role = user_role(user)
    if role is None:
        return transfers.none()
    if role.role == Role.CITY_REVIEWER:
        return transfers
    if role.role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT):
        codes = _county_codes(role)
        return transfers.filter(Q(from_village__township__county_id__in=codes)
                                | Q(to_village__township__county_id__in=codes))
    return transfers.none()


def helpers_visible_to(user) -> QuerySet[Helper]:
    """The helpers (帮扶责任人) a user sees: superusers and the city reviewer all; a county clerk and a
    system client those of their counties and those assigned (now or before) to their counties'
    households (a helper of another county, with a reason); a channel department those assigned to
    the households it sees; anyone else none."""
    helpers = Helper.objects.all()
    if sees_whole_city(user):
        return helpers
    role = user_role(user)
    if role is None:
        return helpers.none()
    assigned = HelperAssignment.objects.filter(household__in=households_visible_to(user)).values("helper_id")
    if role.role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT):
        return helpers.filter(Q(county_id__in=_county_codes(role)) | Q(pk__in=assigned))
    if role.role == Role.CHANNEL_DEPARTMENT:
        return helpers.filter(pk__in=assigned)
    return helpers.none()


def helper_assignments_visible_to(user) -> QuerySet[HelperAssignment]:
    """The assignments of the households the user sees (households_visible_to)."""
    assignments = HelperAssignment.objects.all()
    if sees_whole_city(user):
        return assignments
    return assignments.filter(household__in=households_visible_to(user))


def helper_visits_visible_to(user) -> QuerySet[HelperVisit]:
    """The helpers' visits to the households the user sees (households_visible_to)."""
    visits = HelperVisit.objects.all()
    if sees_whole_city(user):
        return visits
    return visits.filter(assignment__household__in=households_visible_to(user))


def sees_whole_city(user) -> bool:
    """Runs a query the first time for a user object (its role)."""
    if user.is_authenticated and user.is_superuser:
        return True
    role = user_role(user)
    return role is not None and role.role == Role.CITY_REVIEWER


def counties_visible_to(user) -> QuerySet[County]:
    """The counties whose pages and quota progress a user may see: all for superusers and the city
    reviewer, their own for a county clerk or a system client, none for anyone else. A channel
    department's scope is the households its channels serve, not places (households_visible_to),
    so it reads the breakdowns and household pages but no county's progress.

    Whoever sees a county here sees every household of it (households_visible_to), so progress
    counted over the whole county (quota_progress counts every record) is theirs to see."""
    if sees_whole_city(user):
        return County.objects.all()
    role = user_role(user)
    if role is not None and role.role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT):
        return County.objects.filter(code__in=_county_codes(role))
    return County.objects.none()


def holds_channel(user, channel: str | None) -> bool:
    """Runs a query the first time for a user object: is the user the department of `channel`?"""
    role = user_role(user)
    return (channel is not None and role is not None and role.role == Role.CHANNEL_DEPARTMENT
            and role.channels.filter(pk=channel).exists())


# ---------------------------------------------------------------- writing


def counties_writable_by(user) -> QuerySet[County]:
    """Counties in which the user may register households and places: superusers (and the system)
    all, a county clerk and a system client granted writing their own, nobody else."""
    if user.is_authenticated and user.is_superuser:
        return County.objects.all()
    role = user_role(user)
    if _writes_counties(role):
        return County.objects.filter(code__in=_county_codes(role))
    return County.objects.none()


def households_writable_by(user) -> QuerySet[Household]:
    """Households whose records (members, exits, returns) the user may change: those of the
    counties the user may write in."""
    households = Household.objects.all()
    if user.is_authenticated and user.is_superuser:
        return households
    role = user_role(user)
    if _writes_counties(role):
        return households.filter(_in_counties(role))
    return households.none()


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
    if _writes_counties(role):
        return ReliefChannel.objects.all()
    return ReliefChannel.objects.none()


def households_for_measures(user) -> QuerySet[Household]:
    """The households a user may pick when recording a measure: a department's are those it
    serves, everyone else's those they may change."""
    role = user_role(user)
    if role and role.role == Role.CHANNEL_DEPARTMENT:
        return households_visible_to(user)
    return households_writable_by(user)


def may_record_measure(user, household: Household, channel: ReliefChannel | str) -> bool:
    """Runs queries. A measure is recorded by whoever may change the household, or by the
    department of its channel for a household it serves."""
    if user.is_authenticated and user.is_superuser:
        return True
    code = channel.pk if isinstance(channel, ReliefChannel) else channel
    return (
        channels_recordable_by(user).filter(pk=code).exists()
        and households_for_measures(user).filter(pk=household.pk).exists()
    )


def may_flag_places(user) -> bool:
    """Runs a query the first time for a user object. The flags the plan counts (a key county, a
    city key township, a poor or hollow village) are the bureau's: the city reviewer sets them."""
    return sees_whole_city(user)


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


# ---------------------------------------------------------------- what the services refuse


def require_household_writable(actor, household: Household | int) -> None:
    """Runs a query. Refused unless the actor may change the household's records."""
    pk = household.pk if isinstance(household, Household) else household
    if not households_writable_by(actor).filter(pk=pk).exists():
        raise Refused("您不能修改该户的记录")


def require_county_writable(actor, county: str | None, *, field: str, what: str) -> None:
    """Runs queries. Refused unless the actor may write in `county`: without any county at all
    (403), or naming `field`, the choice that places the record outside the actor's counties (400).
    `county` None (not chosen yet) asks only the first."""
    writable = counties_writable_by(actor)
    if not writable.exists():
        raise Refused(f"您的角色不能登记{what}")
    if county and not writable.filter(pk=county).exists():
        raise Refused(f"不在您可以登记{what}的县(市、区)内", field=field)


def require_helper_writable(actor, helper: Helper) -> None:
    """Runs a query. Refused unless the actor may write in the helper's county: a helper is changed
    by the county that keeps it, even where another county's household has it with a reason.
    (Assignments and visits are the household's: require_household_writable.)"""
    if not counties_writable_by(actor).filter(pk=helper.county_id).exists():
        raise Refused("您不能修改该帮扶责任人的信息")


def may_decide_transfer(user, transfer: Transfer) -> bool:
    """Runs a query. A transfer across counties is accepted or refused by whoever writes in the
    receiving county (its clerk; superusers and the system anywhere)."""
    return counties_writable_by(user).filter(pk=transfer.to_county).exists()


def require_transfer_decidable(actor, transfer: Transfer) -> None:
    """Runs queries. Refused unless the actor may accept or refuse the transfer; the sending county
    is told, naming the receiving village, that the decision is the receiving county's."""
    if may_decide_transfer(actor, transfer):
        return
    if counties_writable_by(actor).filter(pk=transfer.from_county).exists():
        raise Refused("迁出县不能接收或拒收本县迁出的贫困户，须由迁入村所在县办理", field="to_village")
    raise Refused("您不能接收或拒收该迁移")


def require_measure_recordable(actor, household: Household, channel: ReliefChannel | str) -> None:
    """Runs queries."""
    if not may_record_measure(actor, household, channel):
        raise Refused("您不能为该户登记该渠道的帮扶措施")


# ---------------------------------------------------------------- ID numbers


def may_see_full_id(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_perm("households.view_full_id_number"))


def id_display(user) -> Callable[[str], str]:
    """How `user` is shown an ID number, the one decision every door takes it from (the admin's
    lists, forms and read-only pages, the history, the API, every export, the pages): whole for
    whoever may see it (superusers, the system, the permission households.view_full_id_number),
    otherwise 350424********1234."""
    return str if may_see_full_id(user) else mask_id


def id_display_sql(user, field: str = "id_number") -> Combinable:
    """id_display() in the database, for a list that should never hold a number the user may not see."""
    if may_see_full_id(user):
        return F(field)
    return Concat(Left(field, 6), Value("*" * 8), Right(field, 4))


# ---------------------------------------------------------------- helpers' phones


def helper_phone_display(user) -> Callable[[str, str | None], str]:
    """How `user` is shown a helper's phone, the one decision every door takes it from:
    show(phone, county_code) is the phone whole for superusers (and the system), the city reviewer
    and the clerks (and system clients) of `county_code` — the household's county where a household
    is concerned, otherwise the helper's — and 138****1234 for everyone else. Runs at most one
    query (the role's counties), however many phones are then shown."""
    if sees_whole_city(user):
        return lambda phone, county_code: phone
    role = user_role(user)
    counties: frozenset[str] = frozenset()
    if role is not None and role.role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT):
        counties = frozenset(role.counties.values_list("code", flat=True))
    return lambda phone, county_code: phone if (not phone or county_code in counties) else mask_phone(phone)


# ---------------------------------------------------------------- the roles' groups

# The model permissions each role's group holds: what the admin lets it open at all. Which records
# it then sees and changes is decided by the functions above. Each app declares its own (its
# AppConfig.ready() calls declare_role_permissions); services.role_group_sync writes them.
ROLE_PERMISSIONS: dict[str, list[str]] = {role: [] for role in Role.values}


def declare_role_permissions(permissions: dict[str, list[str]]) -> None:
    """An app's share of each role's group (app_label.codename); idempotent."""
    for role, codenames in permissions.items():
        ROLE_PERMISSIONS[role] = list(dict.fromkeys([*ROLE_PERMISSIONS[role], *codenames]))


REGISTRY = ["household", "member", "reliefmeasure", "exitrecord", "returnrecord", "transfer", "memberchange",
            "householdincome"]
PLACES = ["county", "township", "village"]
REFERENCE = ["povertycause", "reliefchannel", "alleviationmodel"]
WRITE = ("view", "add", "change", "delete")
REGISTRY_PERMISSIONS = {
    Role.COUNTY_CLERK: [
        *(f"households.{a}_{m}" for m in REGISTRY for a in ("view", "add", "change")),
        *(f"households.delete_{m}" for m in ["member", "reliefmeasure", "exitrecord", "returnrecord", "householdincome"]),
        *(f"households.view_{m}" for m in PLACES + REFERENCE),
        "households.add_township", "households.add_village",
    ],
    Role.CITY_REVIEWER: [
        "jobs.view_all_jobs",  # the bureau follows every county's long work
        *(f"households.view_{m}" for m in REGISTRY + PLACES + REFERENCE),
        *(f"households.change_{m}" for m in PLACES),  # the flags the bureau sets
        "households.change_alleviationmodel",  # the eighth model is the bureau's to name
    ],
    Role.CHANNEL_DEPARTMENT: [
        "households.view_household", "households.view_member",
        # Whether a household it serves has exited or fallen back, as the API and its pages show it.
        "households.view_exitrecord", "households.view_returnrecord",
        *(f"households.{a}_reliefmeasure" for a in WRITE),
        *(f"households.view_{m}" for m in REFERENCE),
    ],
    Role.SYSTEM_CLIENT: [],  # the API only
}
