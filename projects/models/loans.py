"""1. 乡村扶贫担保工程 (三.(一).1): guarantee funds and the loans they guarantee."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import (
    County,
    RegistryModel,
    ReliefMeasure,
    Township,
    exists_besides,
    related,
    year_check,
    year_validators,
)

from .base import (
    LOAN_CHANNEL,
    HouseholdLink,
    in_county,
    money,
    not_negative,
    place_errors,
)


class GuaranteeFundQuerySet(models.QuerySet):
    def with_guarantees(self):
        """Each fund's loans, its outstanding guarantees (the amounts of loans not yet repaid: the
        measures' amounts) and the households it serves, 三.(一).1. Loans and measures are one to
        one, so the sums join no row twice."""
        return self.annotate(
            loan_count=models.Count("loans"),
            outstanding=Coalesce(models.Sum("loans__measure__amount", filter=Q(loans__repaid_on__isnull=True)),
                                 Decimal(0), output_field=models.DecimalField(max_digits=14, decimal_places=2)),
            households_served=models.Count("loans__measure__household", distinct=True),
        )


class GuaranteeFund(RegistryModel):
    """乡村扶贫担保基金 of a county or a township, with its partner bank, 三.(一).1."""

    channel = LOAN_CHANNEL  # the channel of the measures the project carries out
    place_field = "county"  # the field that places it in its county

    name = models.CharField(_("名称"), max_length=100)
    county = models.ForeignKey(County, models.PROTECT, related_name="guarantee_funds", verbose_name=_("县(市、区)"))
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, related_name="guarantee_funds", verbose_name=_("乡镇"),
        help_text=_("县级基金留空"),
    )
    capital = money(_("基金规模（元）"))
    partner_bank = models.CharField(_("合作银行"), max_length=100)
    founded_year = models.PositiveSmallIntegerField(_("设立年度"), validators=year_validators)
    history = HistoricalRecords()

    objects = GuaranteeFundQuerySet.as_manager()

    class Meta:
        verbose_name = _("乡村扶贫担保基金")
        verbose_name_plural = _("乡村扶贫担保基金")
        ordering = ["county_id", "name"]
        constraints = [
            year_check("guaranteefund", "founded_year"),
            not_negative("guaranteefund", "capital"),
            in_county("guaranteefund", "township"),
            models.UniqueConstraint(fields=["county", "name"], name="guaranteefund_name_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        return self.county_id

    def clean(self):
        errors = place_errors(self, "township")
        if self.county_id and self.name and exists_besides(self, county_id=self.county_id, name=self.name):
            errors["name"] = "该县已有同名担保基金"
        if errors:
            raise ValidationError(errors)


class GuaranteedLoan(HouseholdLink):
    """A small loan the fund guarantees (扶贫小额贷款担保), 二.(一).6 and 三.(一).1. Its amount and term
    are its measure's, where the limits (≤ 50,000 yuan, ≤ 36 months) are kept."""

    channel = LOAN_CHANNEL

    measure = models.OneToOneField(
        ReliefMeasure, models.PROTECT, related_name="guaranteed_loan", verbose_name=_("金融扶持措施"),
        help_text=_("该户的金融扶持小额贷款措施，贷款金额与期限以措施为准"),
    )
    fund = models.ForeignKey(GuaranteeFund, models.PROTECT, related_name="loans", verbose_name=_("担保基金"))
    bank = models.CharField(_("贷款银行"), max_length=100, blank=True, help_text=_("留空则为基金的合作银行"))
    interest_subsidy = money(_("贴息金额（元）"), default=0)
    issued_on = models.DateField(_("放款日期"))
    repaid_on = models.DateField(_("还清日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("担保贷款")
        verbose_name_plural = _("担保贷款")
        ordering = ["fund_id", "issued_on", "id"]
        constraints = [
            not_negative("guaranteedloan", "interest_subsidy"),
            models.CheckConstraint(condition=Q(repaid_on__isnull=True) | Q(repaid_on__gte=F("issued_on")),
                                   name="guaranteedloan_repaid_after_issued"),
        ]

    def __str__(self):
        return f"{self.fund} {self.measure.household}"

    @property
    def county_code(self) -> str:
        return self.fund.county_id

    def clean(self):
        """Runs queries. A fund guarantees loans of its own county's households only."""
        errors = self.link_errors()
        measure, fund = related(self, "measure"), related(self, "fund")
        if measure is not None and measure.term_months is None:
            errors.setdefault("measure", "该措施没有贷款期限，不是小额贷款；请先在措施中填写金额与期限")
        if measure is not None and fund is not None and measure.household.county_code != fund.county_id:
            errors["fund"] = (f"担保基金“{fund}”属于{fund.county}，户 {measure.household.number} 不在该县，"
                              "只能由本县的担保基金担保")
        if measure is not None and self.issued_on and self.issued_on.year != measure.year:
            errors["issued_on"] = f"放款日期不在该措施的{measure.year}年度内"
        if self.issued_on and self.repaid_on and self.repaid_on < self.issued_on:
            errors["repaid_on"] = "还清日期不能早于放款日期"
        if errors:
            raise ValidationError(errors)
