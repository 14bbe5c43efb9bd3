"""The exits and returns of each county and year, counted and kept (issue 21 point 2): what the quota
progress, the overview and a year-end close read instead of adding up every record."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import year_check, year_validators
from .places import County

# What each kind of record adds to: the columns `<kind>_households` and `<kind>_persons`.
TOTAL_KINDS = ("exited", "returned")


class EventTotal(models.Model):
    """Exits (脱贫) and returns (返贫) of a county and year: how many records and their persons (the
    records' snapshots), counted for the county each record carries (HouseholdEvent.county).

    Never written by a door: the services that write an exit or a return add to it in the same
    transaction (households/services/totals.py, by an upsert that adds, so two clerks' writes at once
    both count), and the check `records.totals` (plans/checks.py) recounts the records and reports
    any difference. A county and year without a row has none of either."""

    county = models.ForeignKey(County, models.PROTECT, related_name="+", verbose_name=_("县(市、区)"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    exited_households = models.IntegerField(_("脱贫户数"), default=0)
    exited_persons = models.IntegerField(_("脱贫人数"), default=0)
    returned_households = models.IntegerField(_("返贫户数"), default=0)
    returned_persons = models.IntegerField(_("返贫人数"), default=0)

    class Meta:
        verbose_name = _("脱贫返贫合计")
        verbose_name_plural = _("脱贫返贫合计")
        ordering = ["year", "county_id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="eventtotal_once_a_county_year"),
            year_check("eventtotal"),
            # A count below zero is a record taken back twice, or never added: refused, not kept.
            *(models.CheckConstraint(condition=Q(**{f"{kind}_{what}__gte": 0}),
                                     name=f"eventtotal_{kind}_{what}_not_negative")
              for kind in TOTAL_KINDS for what in ("households", "persons")),
        ]

    def __str__(self):
        return f"{self.county_id} {self.year}"
