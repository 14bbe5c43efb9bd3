"""Helpers (帮扶责任人) as people: the cadre of a unit who answers for a household, visits it and
knows its measures (plan 二.(一).8 asks helpers to visit the households without motivation).
A household has at most one responsible helper on any date; replacing one ends the old
assignment and starts a new one, so its page shows the helpers it had in order.
Writes go through households/services/helpers.py."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..validators import helper_phone_validator
from .base import BulkHistory, RegistryModel, choices_check
from .households import Household
from .places import County


class HelperLevel(models.TextChoices):
    COUNTY_LEADER = "county_leader", _("县处级")
    SECTION = "section", _("科级")
    CADRE = "cadre", _("一般干部")


class VisitKind(models.TextChoices):
    HOME = "home", _("入户走访")
    PHONE = "phone", _("电话联系")
    OTHER = "other", _("其他")


class Helper(RegistryModel):
    Level = HelperLevel

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("帮扶单位"), max_length=100)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, default=Level.CADRE)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[helper_phone_validator])
    county = models.ForeignKey(County, models.PROTECT, related_name="helpers", verbose_name=_("所属县"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("帮扶责任人")
        verbose_name_plural = _("帮扶责任人")
        ordering = ["county_id", "unit", "name", "id"]
        constraints = [
            choices_check("helper", "level", HelperLevel),
            # A workbook names a helper by name and unit: within a county that pair is one person.
            models.UniqueConstraint(fields=["county", "name", "unit"], name="helper_one_per_name_and_unit"),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class HelperAssignment(RegistryModel):
    household = models.ForeignKey(Household, models.PROTECT, related_name="helper_assignments",
                                  verbose_name=_("贫困户"))
    # By helper through helper_assignment_by_helper, which leads with it: no index of its own.
    helper = models.ForeignKey(Helper, models.PROTECT, related_name="assignments", verbose_name=_("帮扶责任人"),
                               db_index=False)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True, help_text=_("空白表示至今"))
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    # Written by the tens of thousands by an import (a city's workbook names a helper for each
    # household); its history is read by household.
    history = BulkHistory(no_db_index=["helper"])

    class Meta:
        verbose_name = _("帮扶关系")
        verbose_name_plural = _("帮扶关系")
        ordering = ["household_id", "started_on", "id"]
        constraints = [
            # The database's half of "at most one responsible helper on any date"; overlapping
            # closed periods are refused by the service, which sees them all.
            models.UniqueConstraint(fields=["household"], condition=Q(ended_on__isnull=True),
                                    name="helper_assignment_one_current"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="helper_assignment_ends_after_start"),
        ]
        indexes = [models.Index(fields=["helper", "ended_on"], name="helper_assignment_by_helper")]

    def __str__(self):
        return f"{self.household} ← {self.helper}"

    def clean(self):
        # The friendly twin of helper_assignment_ends_after_start.
        if self.ended_on is not None and self.started_on is not None and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": f"终止日期不能早于起始日期（{self.started_on}）"})


class HelperVisit(RegistryModel):
    """A helper's visit to a household (入户走访), not the exit's home visit of the workflows."""

    Kind = VisitKind

    # The assignment, not the household and helper apart: a visit is made by the household's
    # helper while they are its helper, and this way it cannot say otherwise.
    assignment = models.ForeignKey(HelperAssignment, models.PROTECT, related_name="visits",
                                   verbose_name=_("帮扶关系"))
    visited_on = models.DateField(_("走访日期"))
    kind = models.CharField(_("方式"), max_length=16, choices=Kind.choices, default=Kind.HOME)
    found = models.TextField(_("了解的情况"))
    done = models.TextField(_("帮扶措施"), blank=True)
    follow_up = models.TextField(_("后续跟进"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("录入人"), help_text=_("空白表示系统"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("帮扶走访")
        verbose_name_plural = _("帮扶走访")
        ordering = ["-visited_on", "-id"]
        constraints = [choices_check("helper_visit", "kind", VisitKind)]

    def __str__(self):
        return f"{self.assignment} {self.visited_on}"
