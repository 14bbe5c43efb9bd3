"""Who keeps the plan's records: the city's records of its actions (村集体自有收入, 强镇帮扶结对,
科技特派员, 集中安置小区, 五保供养标准, 贫困线) are the city reviewer's to write (plan 四.2 gives the
bureau the plan's supervision); everyone with a role reads the plan's own numbers."""

from households.access import sees_whole_city, user_role
from households.models import Role


def may_keep_plan_records(user) -> bool:
    """Runs a query the first time for a user object."""
    return sees_whole_city(user)


# ---------------------------------------------------------------- the year-end close (issue 19)


def may_submit_close(user, county: str) -> bool:
    """Runs a query. A county's year is submitted by its clerk (plan 四.2: the county keeps its
    registry), or a superuser; a system client, even one that writes, submits nothing: it is a
    person's word that the year is complete."""
    if user.is_authenticated and user.is_superuser:
        return True
    role = user_role(user)
    return role is not None and role.role == Role.COUNTY_CLERK and role.counties.filter(pk=county).exists()


def may_review_closes(user) -> bool:
    """Runs a query the first time for a user object. The city reviewer (市农业局/农办) accepts,
    sends back and reopens a county's year: the city reports it upward."""
    return sees_whole_city(user)


def may_explain_findings(user, county: str) -> bool:
    """Runs a query. A finding is explained (or its explanation withdrawn) by whoever submits the
    county's year or reviews it."""
    return may_review_closes(user) or may_submit_close(user, county)


WRITE = ("view", "add", "change", "delete")
PLAN_RECORDS = ["villageincome", "townshippairing", "envoy", "settlement", "supportstandard", "povertyline"]
PLAN = ["plans.view_annexrow", "plans.view_plantarget"]
# The year-end close (its records are the registry's, its rules the plan's): both read the closes and
# write explanations; the steps themselves are actions, decided above.
CLOSES = ["households.view_yearclose", *(f"households.{a}_findingexplanation" for a in WRITE)]
ROLE_PERMISSIONS = {
    Role.COUNTY_CLERK: [*PLAN, *CLOSES],
    Role.CITY_REVIEWER: [*PLAN, *(f"plans.{a}_{m}" for m in PLAN_RECORDS for a in WRITE), *CLOSES],
}
