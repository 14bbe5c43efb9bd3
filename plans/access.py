"""Who keeps the plan's records: the city's records of its actions (村集体自有收入, 强镇帮扶结对,
科技特派员, 集中安置小区, 五保供养标准, 贫困线) are the city reviewer's to write (plan 四.2 gives the
bureau the plan's supervision); everyone with a role reads the plan's own numbers."""

from households.access import sees_whole_city
from households.models import Role


def may_keep_plan_records(user) -> bool:
    """Runs a query the first time for a user object."""
    return sees_whole_city(user)


WRITE = ("view", "add", "change", "delete")
PLAN_RECORDS = ["villageincome", "townshippairing", "envoy", "settlement", "supportstandard", "povertyline"]
PLAN = ["plans.view_annexrow", "plans.view_plantarget"]
ROLE_PERMISSIONS = {
    Role.COUNTY_CLERK: PLAN,
    Role.CITY_REVIEWER: [*PLAN, *(f"plans.{a}_{m}" for m in PLAN_RECORDS for a in WRITE)],
}
