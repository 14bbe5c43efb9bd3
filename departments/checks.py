"""The department lists against the registry (数据比对, issue 22): data-quality checks (households/audit/)
matching the latest list of each kind with the members by ID number, each one query over the
households in scope (an EXISTS on the list's index, never a loop over the registry), registered from
DepartmentsConfig.ready(). Each finding names the person and the household; a list of another
date gives the same findings the same targets, so an explanation (FindingExplanation) outlives a
list uploaded again. The exclusion rules run only where the bureau switches them on (settings
AUDIT_LIST_PAYROLL, AUDIT_LIST_VEHICLES, AUDIT_LIST_COMPANIES)."""

from collections.abc import Callable, Iterator

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from households.audit import Finding, Scope, audit_check, member_findings
from households.models import Household, Member

from .access import findings_shown_to
from .kinds import ListKind
from .models import DepartmentList
from .selectors import entries_of, latest_list

# The checks of each kind, for the matching job (jobs.py): code → kind.
KIND_OF: dict[str, str] = {}
CURRENT = (Household.Status.REGISTERED, Household.Status.RETURNED)  # poor now: 在册, 返贫


def list_check(code: str, name: str, kind: str, *, enabled_by: str | None = None):
    """A check over the latest list of `kind`: the function gets the scope and the list (none
    without a list of that kind) and the queryset of its entries."""

    def register(function: Callable[[Scope, DepartmentList, QuerySet], Iterator[Finding]]):
        def run(scope: Scope) -> Iterator[Finding]:
            listed = latest_list(kind)
            if listed is None:
                return iter(())
            return function(scope, listed, entries_of(listed))

        KIND_OF[code] = kind
        audit_check(code, name, enabled_by=enabled_by, shown_to=findings_shown_to(kind))(run)
        return function

    return register


def _present(scope: Scope) -> QuerySet[Member]:
    # Those now in their households (not left, the household not removed).
    return scope.members.filter(active=True)


def _on(entries: QuerySet) -> Exists:
    return Exists(entries.filter(id_number=OuterRef("id_number")))


def _listed(d: DepartmentList) -> str:
    # Once per check: the label's lookup is a tenth of a millisecond, too much for every finding.
    return f"{d.list_date:%Y-%m-%d}的{d.get_kind_display()}"


# ---------------------------------------------------------------- the safety nets and disability


def _not_listed(code: str, name: str, kind: str, marked: Q, what: str):
    @list_check(code, name, kind)
    def check(scope, listed, entries):
        members = _present(scope).filter(marked).exclude(_on(entries))
        on = _listed(listed)
        return member_findings(code, members, lambda m: f"{m['name']}{what}，但不在{on}中")

    return check


def _not_marked(code: str, name: str, kind: str, marked: Q, what: str, households=None):
    @list_check(code, name, kind)
    def check(scope, listed, entries):
        members = _present(scope).filter(_on(entries)).exclude(marked)
        if households is not None:
            members = members.filter(household__status__in=households)
        on = _listed(listed)
        return member_findings(code, members, lambda m: f"{m['name']}在{on}中，但未登记为{what}")

    return check


_not_listed("list_dibao_not_listed", "享受低保但不在最新低保名单中", ListKind.DIBAO, Q(draws_dibao=True), "登记为享受低保")
_not_marked("list_dibao_not_marked", "在低保名单中但未登记享受低保", ListKind.DIBAO, Q(draws_dibao=True), "享受低保",
            CURRENT)
_not_listed("list_wubao_not_listed", "享受五保但不在最新五保名单中", ListKind.WUBAO, Q(draws_wubao=True), "登记为享受五保")
_not_marked("list_wubao_not_marked", "在五保名单中但未登记享受五保", ListKind.WUBAO, Q(draws_wubao=True), "享受五保",
            CURRENT)
_not_listed("list_disability_not_listed", "登记为残疾但不在最新残疾人名单中", ListKind.DISABILITY,
            Q(health=Member.Health.DISABLED), "登记为残疾")
_not_marked("list_disability_not_marked", "在残疾人名单中但未登记为残疾", ListKind.DISABILITY,
            Q(health=Member.Health.DISABLED), "残疾")
_not_listed("list_student_not_listed", "登记为在校生但不在最新在校生名单中", ListKind.STUDENTS,
            ~Q(schooling=Member.Schooling.NOT_IN_SCHOOL), "登记为在校生")


# ---------------------------------------------------------------- deaths


@list_check("list_dead_in_roster", "死亡名单中的人仍在户中", ListKind.DEATHS)
def dead_in_roster(scope, listed, entries):
    """A person the deaths list gives a date of death for, still in the household after it: not
    left at all, or left (a death recorded) only later."""
    died = Subquery(entries.filter(id_number=OuterRef("id_number")).order_by("on_date").values("on_date")[:1])
    members = scope.members.annotate(died_on=died).filter(died_on__isnull=False).filter(
        Q(left_on__isnull=True, active=True) | Q(left_on__gt=F("died_on")))

    on = _listed(listed)

    def detail(m) -> str:
        still = "仍在户中" if m["left"] is None else f"迁出日期却记为{m['left']:%Y-%m-%d}"
        return f"{m['name']}在{on}中，{m['died_on']:%Y-%m-%d}死亡，{still}"

    return member_findings("list_dead_in_roster", members.annotate(left=F("left_on")), detail)


# ---------------------------------------------------------------- the exclusion rules


def _excluded(code: str, name: str, kind: str, setting: str):
    @list_check(code, name, kind, enabled_by=setting)
    def check(scope, listed, entries):
        found = Subquery(entries.filter(id_number=OuterRef("id_number")).order_by("row").values("detail")[:1])
        members = _present(scope).filter(_on(entries)).annotate(listed_as=found)
        on = _listed(listed)
        return member_findings(code, members, lambda m: f"{m['name']}在{on}中"
                               + (f"（{m['listed_as']}）" if m["listed_as"] else ""))

    return check


_excluded("list_on_payroll", "家庭成员为财政供养人员", ListKind.PAYROLL, "AUDIT_LIST_PAYROLL")
_excluded("list_owns_vehicle", "家庭成员名下有登记车辆", ListKind.VEHICLES, "AUDIT_LIST_VEHICLES")
_excluded("list_owns_company", "家庭成员名下有工商登记企业", ListKind.COMPANIES, "AUDIT_LIST_COMPANIES")
