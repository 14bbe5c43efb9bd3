"""Who works in the registry (a role with its counties and channels), and what left it (the export log)."""

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RegistryModel, choices_check
from .places import County
from .reference import ReliefChannel


class Role(models.TextChoices):
    COUNTY_CLERK = "county_clerk", _("县扶贫办录入员")
    CITY_REVIEWER = "city_reviewer", _("市农业局（农办）审核员")
    CHANNEL_DEPARTMENT = "channel_department", _("行业部门")
    SYSTEM_CLIENT = "system_client", _("外部系统")


class UserRole(RegistryModel):
    """A user's role in the registry, with the counties and channels it is granted.
    households/access.py reads it to decide what the user may see and change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="registry_role", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    counties = models.ManyToManyField(County, blank=True, verbose_name=_("县(市、区)"))
    channels = models.ManyToManyField(ReliefChannel, blank=True, verbose_name=_("帮扶渠道"))
    can_write = models.BooleanField(_("外部系统可写"), default=False, help_text=_("外部系统默认只读"))
    history = HistoricalRecords(m2m_fields=[counties, channels])

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        ordering = ["user_id"]
        constraints = [choices_check("userrole", "role", Role)]

    @cached_property
    def county_codes(self) -> list[str]:
        """Runs a query the first time: the codes of the counties granted (access scopes by them)."""
        return list(self.counties.values_list("code", flat=True))

    def __str__(self):
        return f"{self.user} {self.get_role_display()}"


# ---------------------------------------------------------------- audit of exports


class ExportDoor(models.TextChoices):
    ADMIN = "admin", _("管理后台")
    API = "api", _("接口")
    PAGE = "page", _("统计页面")
    COMMAND = "command", _("命令行")


class ExportLog(models.Model):
    """Personal data leaving the registry: who took which rows, how, with what filter (issue 5).
    Written by services.export_log() from every door that exports; never changed afterwards."""

    Door = ExportDoor

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("用户")
    )
    # Kept as text too: the log outlives the account.
    username = models.CharField(_("用户名"), max_length=150, blank=True, help_text=_("空白表示系统（命令行）"))
    door = models.CharField(_("途径"), max_length=16, choices=ExportDoor.choices)
    kind = models.CharField(_("导出内容"), max_length=64)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("行数"))
    full_id_numbers = models.BooleanField(_("含完整身份号码"), default=False)

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-at"]
        constraints = [choices_check("exportlog", "door", ExportDoor)]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '系统'} {self.kind}"
