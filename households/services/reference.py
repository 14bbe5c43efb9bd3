"""Reference data and roles: the fixtures of fixtures/, and who works in the registry with which role."""

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Q

from common.refusals import Refused

from ..access import ROLE_PERMISSIONS
from ..callers import callers_forget
from ..models import County, ReliefChannel, Role, UserRole


def reference_data_load(*, paths: Iterable[Path]) -> Counter:
    """Load reference data (counties, causes, channels, later the plan's figures) from JSON
    fixtures in Django's format, in the order given, all or nothing.

    Unlike loaddata it only writes what differs and only the fields the fixture names, so a
    second run changes nothing and a flag the bureau has set (a key county, say) is kept.
    An entry names its record by "pk" or, for models with generated keys, by "lookup" (a dict
    of the fields that identify it). Its "initial" fields are written only when the record is
    created: they are the bureau's to change afterwards (the eighth model's name).
    """
    counts: Counter = Counter()
    with transaction.atomic():
        for path in paths:
            for entry in json.loads(Path(path).read_text("utf-8")):
                model = apps.get_model(entry["model"])
                values = {}
                for name, raw in entry["fields"].items():
                    field = model._meta.get_field(name)
                    values[field.attname] = field.to_python(raw)
                key = {"pk": entry["pk"]} if "pk" in entry else entry["lookup"]
                obj = model._default_manager.filter(**key).first()
                if obj is None:
                    initial = {model._meta.get_field(n).attname: raw for n, raw in entry.get("initial", {}).items()}
                    obj, action = model(**key, **initial, **values), "created"
                elif any(getattr(obj, name) != value for name, value in values.items()):
                    action = "updated"
                    for name, value in values.items():
                        setattr(obj, name, value)
                else:
                    counts["unchanged"] += 1
                    continue
                try:
                    obj.full_clean(validate_unique=False)
                except ValidationError as e:
                    raise ValidationError(f"{path.name} {entry['model']} {key}: {e.message_dict}") from None
                obj.save()
                counts[action] += 1
    return counts


def role_group_sync(role: str) -> None:
    """The role's group (named by the role's code) holds exactly the model permissions of
    access.ROLE_PERMISSIONS; idempotent."""
    group, _ = Group.objects.get_or_create(name=role)
    wanted = [p.split(".") for p in ROLE_PERMISSIONS[role]]
    query = Q(pk__in=[])
    for app, codename in wanted:
        query |= Q(content_type__app_label=app, codename=codename)
    permissions = list(Permission.objects.filter(query))
    if len(permissions) != len(wanted):
        raise ImproperlyConfigured(f"role {role}: some permissions do not exist (run migrate first)")
    if set(group.permissions.all()) != set(permissions):
        group.permissions.set(permissions)


def role_check(*, role: str, counties: Iterable[str], channels: Iterable[str]) -> dict[str, str]:
    """Runs queries. What is wrong with a grant, by field: plan 四.2 gives a county clerk a
    county, a channel department a channel; a system client reads the counties it is granted."""
    counties, channels = set(counties), set(channels)
    errors = {}
    if role not in Role.values:
        errors["role"] = f"未知角色 {role}；可用：{', '.join(Role.values)}"
    unknown = counties - set(County.objects.filter(pk__in=counties).values_list("pk", flat=True))
    if unknown:
        errors["counties"] = f"未知的县(市、区)代码：{', '.join(sorted(unknown))}"
    unknown = channels - set(ReliefChannel.objects.filter(pk__in=channels).values_list("pk", flat=True))
    if unknown:
        errors["channels"] = f"未知的帮扶渠道代码：{', '.join(sorted(unknown))}"
    if role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT) and not counties:
        errors.setdefault("counties", "该角色须指定至少一个县(市、区)")
    if role == Role.CHANNEL_DEPARTMENT and not channels:
        errors.setdefault("channels", "行业部门须指定至少一个帮扶渠道")
    return errors


def role_grant(
    *,
    actor,
    username: str,
    role: str,
    counties: Iterable[str] = (),
    channels: Iterable[str] = (),
    password: str | None = None,
    can_write: bool = False,
):
    """Give a user (created if needed) their one role in the registry, with the counties and
    channels it covers; granting the same again changes nothing. A county clerk needs a county,
    a channel department a channel (plan 四.2), a system client the counties it may read. Only a
    superuser (or the system: `grant_role`) grants roles."""
    if not actor.is_superuser:
        raise Refused("只有系统管理员可以授予角色")
    counties, channels = sorted(set(counties)), sorted(set(channels))
    errors = role_check(role=role, counties=counties, channels=channels)
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as e:
            errors["password"] = e.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if password is not None:
            user.set_password(password)
        elif user._state.adding:
            user.set_unusable_password()
        # People work in the admin; other systems only through the API.
        user.is_staff = user.is_superuser or role != Role.SYSTEM_CLIENT
        user.save()
        role_group_sync(role)
        user.groups.set([Group.objects.get(name=role)])
        grant, _ = UserRole.objects.get_or_create(user=user, defaults={"role": role, "can_write": can_write})
        if (grant.role, grant.can_write) != (role, can_write):
            grant.role, grant.can_write = role, can_write
            grant.save()
        if sorted(grant.counties.values_list("pk", flat=True)) != counties:
            grant.counties.set(counties)
        if sorted(grant.channels.values_list("pk", flat=True)) != channels:
            grant.channels.set(channels)
        callers_forget()  # the API's next request reads the role afresh
    return user


def role_revoke(*, actor, grant: UserRole) -> None:
    """Take a user's role away (the account stays, with no role it reads nothing)."""
    if not actor.is_superuser:
        raise Refused("只有系统管理员可以收回角色")
    with transaction.atomic():
        grant.user.groups.remove(*Group.objects.filter(name=grant.role))
        grant.delete()
        callers_forget()
