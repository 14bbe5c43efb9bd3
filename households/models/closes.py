"""The year-end close (年度数据锁定): a county's year is submitted by its clerks, accepted (and so
frozen) or sent back by the city reviewer, and reopened by the city reviewer with a reason. While a
county-year is accepted, no write may change what it counts (households/services/closes.py), and the
figures it counted at acceptance are kept as canonical JSON with their SHA-256 (docs/closes.md).

A county-year without a row is open: rows are made by the first submission.

The close lives in the registry, below the plan (.importlinter), because the registry's own
services must consult it before every write into a year."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RegistryModel, choices_check, year_check, year_validators
from .households import Household
from .places import County


class CloseState(models.TextChoices):
    OPEN = "open", _("未提交")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已锁定")
    SENT_BACK = "sent_back", _("已退回")
    REOPENED = "reopened", _("已重新打开")


class YearCloseQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(state=CloseState.ACCEPTED)


class YearClose(RegistryModel):
    State = CloseState

    county = models.ForeignKey(County, models.PROTECT, related_name="closes", verbose_name=_("县(市、区)"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    # Who made the last step and why (a sending back or a reopening must say why); every earlier
    # step, with its actor, time, reason and hash, is in the history.
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("办理人"), help_text=_("空白表示系统"))
    acted_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    reason = models.CharField(_("退回或重新打开的原因"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("锁定人"))
    accepted_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    # The figures the registry held at the last acceptance, as the canonical JSON text itself (so the
    # bytes hashed are the bytes kept) and its SHA-256 in hex; empty until a first acceptance, kept
    # through a reopening until the next acceptance replaces them.
    figures = models.TextField(_("锁定时的数据（规范JSON）"), blank=True)
    figures_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    history = HistoricalRecords()

    objects = YearCloseQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度数据锁定")
        verbose_name_plural = _("年度数据锁定")
        ordering = ["year", "county"]
        constraints = [
            choices_check("yearclose", "state", CloseState),
            year_check("yearclose"),
            models.UniqueConstraint(fields=["county", "year"], name="yearclose_one_per_county_year"),
            models.CheckConstraint(condition=~Q(state="accepted") | Q(figures_sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="yearclose_accepted_has_figures"),
            models.CheckConstraint(condition=~Q(state__in=["sent_back", "reopened"]) | Q(reason__gt=""),
                                   name="yearclose_sent_back_or_reopened_has_reason"),
        ]

    def __str__(self):
        return f"{self.county} {self.year}年度"

    @property
    def key(self) -> str:
        """How the API and the pages address the county-year: "350424-2016" (plans.close_selectors.close_key)."""
        return f"{self.county_id}-{self.year}"


class FindingExplanation(RegistryModel):
    """A clerk's explanation of one finding of the data-quality checks or of check_plan for one year:
    the finding stays listed (the checks rerun unchanged), shown beside its explanation and counted
    apart, and no longer stops the county's year from being submitted.

    `target` names what the finding points to, stably across reruns: `household:<id>`,
    `member:<id>`, `<record kind>:<id>` (`exit:12`, `income:7`, …), or `item:<the item as the plan
    check lists it>`."""

    check_code = models.CharField(_("核查项"), max_length=64)
    county = models.ForeignKey(County, models.PROTECT, related_name="+", verbose_name=_("县(市、区)"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    target = models.CharField(_("所指记录"), max_length=200)
    household = models.ForeignKey(Household, models.CASCADE, null=True, blank=True, related_name="+",
                                  verbose_name=_("贫困户"))
    reason = models.CharField(_("说明"), max_length=500)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("说明人"))
    explained_at = models.DateTimeField(_("说明时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("核查结果说明")
        verbose_name_plural = _("核查结果说明")
        ordering = ["-explained_at", "-id"]
        constraints = [
            year_check("findingexplanation"),
            models.UniqueConstraint(fields=["check_code", "year", "target"], name="findingexplanation_one_per_finding"),
            models.CheckConstraint(condition=Q(reason__gt=""), name="findingexplanation_has_reason"),
        ]

    def __str__(self):
        return f"{self.check_code} {self.target} {self.year}"
