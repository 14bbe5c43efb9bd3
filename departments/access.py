"""Who uploads and who reads which department lists, and whose lists of findings hold the checks
of each kind. Built on households/access.py (the roles and their channels)."""

from django.db.models import QuerySet

from common.refusals import Refused
from households.access import user_role
from households.models import Role

from .kinds import KEPT_BY, ListKind
from .models import DepartmentList


def kinds_of(user) -> set[str]:
    """Runs a query for a department (its channels). The kinds of list a user uploads and reads:
    every kind for superusers (and the system) and the city reviewer, who uploads on behalf of the
    departments without a role here; a channel department the kinds it keeps (kinds.KEPT_BY);
    nobody else any."""
    if user.is_authenticated and user.is_superuser:
        return set(ListKind.values)
    role = user_role(user)
    if role is None:
        return set()
    if role.role == Role.CITY_REVIEWER:
        return set(ListKind.values)
    if role.role == Role.CHANNEL_DEPARTMENT:
        held = role.channels.values_list("code", "kind")  # one query
        return {kind for kind, channels in KEPT_BY.items()
                if any(code in channels or channel_kind in channels for code, channel_kind in held)}
    return set()


def lists_visible_to(user) -> QuerySet[DepartmentList]:
    """The lists a user reads: those of the kinds it uploads (kinds_of). The county clerks read the
    findings (on the data-quality page), not the departments' lists of the whole city."""
    return DepartmentList.objects.filter(kind__in=kinds_of(user))


def require_list_uploadable(actor, kind: str) -> None:
    """Runs queries. Refused unless the actor may upload a list of `kind`: an actor who may upload
    none (403), or naming `kind`, one kept by another department (400)."""
    kinds = kinds_of(actor)
    if not kinds:
        raise Refused("您的角色不能上传部门名单")
    if kind not in kinds:
        labels = "、".join(str(ListKind(k).label) for k in ListKind.values if k in kinds)
        raise Refused(f"{ListKind(kind).label}不由您的部门上传（您可以上传：{labels}）", field="kind")


def findings_shown_to(kind: str):
    """Whose data-quality findings hold the checks of `kind`'s lists: everyone who reads findings
    (over the households they see), except that a channel department reads those of its own kinds
    only (a department sees the findings about its lists, not another's)."""

    def shown(user) -> bool:
        role = user_role(user)
        if role is not None and role.role == Role.CHANNEL_DEPARTMENT:
            return kind in kinds_of(user)
        return True

    return shown
