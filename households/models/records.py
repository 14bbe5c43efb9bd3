"""What happens to a household: the relief measures taken, its exits from poverty and its returns."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import (
    LOAN_MAX_AMOUNT,
    LOAN_MAX_MONTHS,
    RegistryModel,
    exists_besides,
    related,
    year_check,
    year_validators,
)
from .households import Household
from .places import County, Village
from .reference import AlleviationModel, ReliefChannel


class ReliefMeasure(RegistryModel):
    household = models.ForeignKey(Household, models.PROTECT, related_name="measures", verbose_name=_("贫困户"))
    channel = models.ForeignKey(ReliefChannel, models.PROTECT, related_name="measures", verbose_name=_("帮扶渠道"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    date = models.DateField(_("日期"), null=True, blank=True)
    content = models.CharField(_("帮扶内容"), max_length=200)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    term_months = models.PositiveSmallIntegerField(
        _("贷款期限（月）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    alleviation_model = models.ForeignKey(
        AlleviationModel, models.PROTECT, null=True, blank=True, related_name="measures", verbose_name=_("扶贫模式")
    )
    # Recorded by projects/services.py for a project's record given no measure: it goes with the
    # last record that carries it out, so a record entered by mistake leaves no measure behind.
    by_project = models.BooleanField(_("由五项工程记录生成"), default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["household_id", "year", "id"]
        constraints = [
            year_check("reliefmeasure"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="reliefmeasure_amount_not_negative"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="reliefmeasure_term_positive"),
            models.CheckConstraint(
                condition=~Q(channel="financial_support", term_months__isnull=False)
                | Q(amount__lte=LOAN_MAX_AMOUNT, term_months__lte=LOAN_MAX_MONTHS),
                name="reliefmeasure_small_loan_limits",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.content}"

    def clean(self):
        """Runs a query for the household. Rules of 二.(一).6, 二.(二) and 二.(三)."""
        errors = {}
        is_loan = self.channel_id == "financial_support" and self.term_months is not None
        if is_loan and self.amount is not None and self.amount > LOAN_MAX_AMOUNT:
            errors["amount"] = f"扶贫小额贷款不超过{LOAN_MAX_AMOUNT}元"
        if is_loan and self.term_months > LOAN_MAX_MONTHS:
            errors["term_months"] = f"扶贫小额贷款期限不超过{LOAN_MAX_MONTHS}个月（3年）"
        if self.date and self.year and self.date.year != self.year:
            errors["date"] = f"日期不在{self.year}年度内"
        household, channel = related(self, "household"), related(self, "channel")
        if household and channel and not channel.allows(household.category):
            errors["channel"] = f"{channel.name}只用于{channel.get_kind_display()}，该户是{household.get_category_display()}"
        if household and household.status == Household.Status.REMOVED and self._state.adding:
            errors["household"] = "该户已清退，不能再登记帮扶措施"
        if errors:
            raise ValidationError(errors)


class HouseholdEvent(RegistryModel):
    """An exit (脱贫) or a return (返贫): what happened to a household in a year.

    Exits and returns alternate, starting with an exit, so the household's status follows
    from how many of each it has (services.household_status_refresh).
    """

    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    # Snapshot taken by the service when the record is made: later member changes don't rewrite it.
    persons = models.PositiveSmallIntegerField(_("人数"), editable=False)
    verified_by = models.CharField(_("核验人"), max_length=100, blank=True)
    # The county the household lay in when the record was made (the first six digits of its village's
    # code then), set by the services and kept when the household later moves (a transfer): the record
    # stays counted for that county. The quota progress groups exits and returns by county and year
    # without joining household, village and township for every record (docs/scaling.md).
    # plans.checks finds any drift (a county neither the household's nor one it moved out of).
    county = models.ForeignKey(County, models.PROTECT, related_name="+", editable=False, db_index=False,
                               verbose_name=_("县(市、区)"))
    # The village the household lay in when the record was made, set and kept with `county` (one of its
    # villages): the drill-down below the county places the record there, so a county's townships and
    # villages still add up to its total after the household has moved away (plans.selectors.place_progress).
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False,
                                verbose_name=_("登记时所在村"))

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.household} {self.year}"

    def clean_event(self, *, kind: str, follows, follows_status: str, errors: dict) -> None:
        """Runs queries. One event of a kind per household and year, after the one it follows."""
        household = related(self, "household")
        if household is None or not self.year:
            return
        if household.status == Household.Status.REMOVED:
            errors["household"] = "该户已清退"
            return
        if exists_besides(self, household=household, year=self.year):
            errors["year"] = f"该户{self.year}年已有{kind}记录"
        if not self._state.adding:
            return
        if household.status not in follows_status:
            errors["household"] = f"该户当前状态为“{household.get_status_display()}”，不能登记{kind}"
        last = follows.objects.filter(household=household).order_by("-year").first()
        if last and self.year < last.year:
            errors["year"] = f"{kind}年度不能早于上次{follows._meta.verbose_name}的{last.year}年"


class ExitRecord(HouseholdEvent):
    household = models.ForeignKey(Household, models.PROTECT, related_name="exits", verbose_name=_("贫困户"))
    income_per_capita = models.DecimalField(
        _("脱贫时人均纯收入（元/年）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("脱贫记录")
        verbose_name_plural = _("脱贫记录")
        ordering = ["household_id", "year"]
        indexes = [models.Index(fields=["year", "county", "persons"], name="exitrecord_year_county")]
        constraints = [
            year_check("exitrecord"),
            models.UniqueConstraint(fields=["household", "year"], name="exitrecord_once_a_year"),
            models.CheckConstraint(condition=Q(income_per_capita__gte=0), name="exitrecord_income_not_negative"),
        ]

    def clean(self):
        errors = {}
        household = related(self, "household")
        if household and self.year and self.year < household.identified_year:
            errors["year"] = f"脱贫年度不能早于识别年份（{household.identified_year}年）"
        self.clean_event(
            kind="脱贫",
            follows=ReturnRecord,
            follows_status={Household.Status.REGISTERED, Household.Status.RETURNED},
            errors=errors,
        )
        if errors:
            raise ValidationError(errors)


class ReturnRecord(HouseholdEvent):
    household = models.ForeignKey(Household, models.PROTECT, related_name="returns", verbose_name=_("贫困户"))
    reason = models.CharField(_("返贫原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("返贫记录")
        verbose_name_plural = _("返贫记录")
        ordering = ["household_id", "year"]
        indexes = [models.Index(fields=["year", "county", "persons"], name="returnrecord_year_county")]
        constraints = [
            year_check("returnrecord"),
            models.UniqueConstraint(fields=["household", "year"], name="returnrecord_once_a_year"),
        ]

    def clean(self):
        errors = {}
        self.clean_event(kind="返贫", follows=ExitRecord, follows_status={Household.Status.EXITED}, errors=errors)
        if errors:
            raise ValidationError(errors)
