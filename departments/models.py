"""Department lists (部门名单): a list is data beside the registry, never a write into it. The
checks (checks.py) match the latest list of each kind against the registry by ID number."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models.base import choices_check

from .kinds import ListKind


class DepartmentList(models.Model):
    """One upload of a department's list of a kind, as of its date (`list_date`); the rows that
    failed the ID number's check are counted and their reasons kept (`problems`) when the uploader
    asked to keep the valid rows."""

    Kind = ListKind

    kind = models.CharField(_("名单类别"), max_length=16, choices=ListKind.choices)
    list_date = models.DateField(_("名单日期"), help_text=_("名单所反映的日期，不能晚于今天"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    rows = models.PositiveIntegerField(_("比对行数"), default=0)
    refused_rows = models.PositiveIntegerField(_("未通过校验的行数"), default=0)
    problems = models.JSONField(_("未通过校验的行"), default=list, blank=True)
    job = models.ForeignKey("jobs.Job", models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("比对任务"))
    matched_at = models.DateTimeField(_("比对完成时间"), null=True, blank=True)
    findings = models.PositiveIntegerField(_("比对发现的问题数"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门名单")
        verbose_name_plural = _("部门名单")
        ordering = ["-list_date", "-uploaded_at", "-id"]
        indexes = [models.Index(fields=["kind", "-list_date", "-uploaded_at"], name="departmentlist_latest")]
        constraints = [
            choices_check("departmentlist", "kind", ListKind),
            models.CheckConstraint(condition=Q(rows__gt=0), name="departmentlist_has_rows"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.list_date:%Y-%m-%d}）"


class ListEntry(models.Model):
    """A person on a list, by ID number (checked against GB 11643 before it is kept), with the
    date the list gives (a death's) or what it records of them (a school, an employer, a plate)."""

    department_list = models.ForeignKey(DepartmentList, models.CASCADE, related_name="entries",
                                        verbose_name=_("部门名单"))
    row = models.PositiveIntegerField(_("表格行号"))
    id_number = models.CharField(_("公民身份号码"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    on_date = models.DateField(_("日期"), null=True, blank=True)
    detail = models.CharField(_("名单所记"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("名单人员")
        verbose_name_plural = _("名单人员")
        ordering = ["department_list_id", "row"]
        # The checks ask "is this person on that list" for every member: one index answers it.
        indexes = [models.Index(fields=["department_list", "id_number"], name="listentry_list_id_number")]

    def __str__(self):
        return self.name or self.id_number
