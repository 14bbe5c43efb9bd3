"""What a household earned in a year (年度收入): by source, or only its total, and per person."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from .base import BulkHistory, RegistryModel, exists_besides, related, year_check, year_validators
from .households import Household


class IncomeSource(models.TextChoices):
    WAGES = "wages", _("工资性收入")
    BUSINESS = "business", _("生产经营性收入（净）")
    PROPERTY = "property", _("财产性收入")
    TRANSFERS = "transfers", _("转移性收入")


PARTS = IncomeSource.values  # the fields of the sources, named by their codes
CENT = Decimal("0.01")


def per_capita(total: Decimal, persons: int) -> Decimal:
    """The per-capita net income (人均纯收入): the year's total over the persons at its end, to the fen."""
    return (Decimal(total) / persons).quantize(CENT, rounding=ROUND_HALF_UP)


def _amount(label):
    return models.DecimalField(label, max_digits=12, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0)])


class HouseholdIncome(RegistryModel):
    """A household's income of a year, written by households/services/incomes.py. Either all four
    sources are given and the total is their sum, or none is and the total stands alone (a home
    visit's or an exit's figure, a registration's). The per-capita figure divides the total by the
    household's size at the year's end (selectors.household_size_on), kept with it."""

    Source = IncomeSource

    # No index of its own: the unique (household, year) index serves every lookup by household.
    household = models.ForeignKey(Household, models.CASCADE, related_name="incomes", verbose_name=_("贫困户"),
                                  db_index=False)
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    wages = _amount(IncomeSource.WAGES.label)
    business = _amount(IncomeSource.BUSINESS.label)
    property = _amount(IncomeSource.PROPERTY.label)
    transfers = _amount(IncomeSource.TRANSFERS.label)
    total = models.DecimalField(_("家庭纯收入合计（元）"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(0)])
    persons = models.PositiveSmallIntegerField(_("年末家庭人口"), editable=False)
    per_capita = models.DecimalField(_("人均纯收入（元/年）"), max_digits=12, decimal_places=2, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, editable=False,
                                    related_name="+", verbose_name=_("登记人"))
    history = BulkHistory(no_db_index=["recorded_by"])

    class Meta:
        verbose_name = _("年度收入")
        verbose_name_plural = _("年度收入")
        ordering = ["household_id", "year"]
        constraints = [
            year_check("householdincome"),
            models.UniqueConstraint(fields=["household", "year"], name="householdincome_once_a_year"),
            models.CheckConstraint(
                condition=Q(*(Q(**{f"{p}__isnull": True}) | Q(**{f"{p}__gte": 0}) for p in PARTS)),
                name="householdincome_parts_not_negative",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="householdincome_total_not_negative"),
            models.CheckConstraint(
                condition=Q(**{f"{p}__isnull": True for p in PARTS}) | Q(**{f"{p}__isnull": False for p in PARTS}),
                name="householdincome_parts_all_or_none",
            ),
            # Within half a fen rather than equal: SQLite keeps decimals as floating point numbers.
            models.CheckConstraint(
                condition=Q(wages__isnull=True)
                | LessThan(Abs(F("total") - F("wages") - F("business") - F("property") - F("transfers")),
                           Decimal("0.005")),
                name="householdincome_total_is_sum",
            ),
            models.CheckConstraint(condition=Q(persons__gte=1), name="householdincome_persons_positive"),
            models.CheckConstraint(condition=Q(per_capita__gte=0), name="householdincome_per_capita_not_negative"),
        ]

    def __str__(self):
        return f"{self.household} {self.year}"

    def clean(self):
        """Runs a query for the household. Not before its identification, once a year, the parts
        (all or none) not negative and adding up to the total."""
        errors = {}
        household = related(self, "household")
        if household and self.year and self.year < household.identified_year:
            errors["year"] = f"收入年度不能早于识别年份（{household.identified_year}年）"
        if household and self.year and exists_besides(self, household=household, year=self.year):
            errors["year"] = f"该户{self.year}年已有年度收入记录"
        parts = {p: getattr(self, p) for p in PARTS}
        for p, value in parts.items():
            if value is not None and value < 0:
                errors[p] = f"{IncomeSource(p).label}不能为负数"
        given = [v for v in parts.values() if v is not None]
        if given and len(given) != len(parts):
            errors["__all__"] = "各项收入须全部填写（没有的填0），或只填合计"
        if self.total is not None and self.total < 0:
            errors["total"] = "合计不能为负数"
        elif given and len(given) == len(parts) and self.total is not None and sum(given) != self.total:
            errors["total"] = f"合计{self.total}元不等于各项收入之和{sum(given)}元"
        if errors:
            raise ValidationError(errors)
