"""The plan's data-quality check of the registry's records: an exit below the year's poverty line
(registered with the registry's checks, households/audit/, from PlansConfig.ready())."""

from collections.abc import Iterator

from households.audit import Finding, Scope, audit_check
from households.models import ExitRecord

from .selectors import exits_below_line


@audit_check("exit_below_line", "脱贫时人均纯收入低于贫困线")
def exit_below_line(scope: Scope) -> Iterator[Finding]:
    """An exit record whose per-capita income is below the poverty line of its year and the
    household's standard; exits of a year whose line is not on record are not judged."""
    exits = exits_below_line(ExitRecord.objects.filter(household__in=scope.households))
    for e in exits.values("household_id", "household__number", "household__village_id", "year", "income_per_capita",
                          "line"):
        yield Finding("exit_below_line", e["household__village_id"][:6], e["household_id"], e["household__number"],
                      None, f"{e['year']}年脱贫时人均纯收入{e['income_per_capita']}元，低于贫困线{e['line']}元", e["year"])
