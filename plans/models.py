"""The plan as data: the annex's quotas, the plan's other targets, and the records the city
keeps of its actions (village incomes, pairings, envoys, settlements, support standards, lines).

The plan's own numbers (AnnexRow, PlanTarget) come from fixtures/ and are never edited by hand;
the records are written by the city reviewer through plans/services.py.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import (
    County,
    HouseholdStandard,
    RegistryModel,
    Township,
    Village,
    exists_besides,
    related,
    year_check,
    year_validators,
)

PLAN_YEARS = (2015, 2016, 2017, 2018)


class AnnexRow(RegistryModel):
    """One row of 三明市2015-2018年减贫任务安排表, every number as printed; the 合计 row has no county."""

    county = models.OneToOneField(
        County, models.PROTECT, null=True, blank=True, related_name="annex_row", verbose_name=_("县(市、区)")
    )
    label = models.CharField(_("表中名称"), max_length=10, help_text=_("如表中所印，如“沙 县”“合 计”"))
    registered = models.PositiveIntegerField(_("建档立卡贫困人口总数"))
    exited_2014 = models.PositiveIntegerField(_("2014年已减贫人数"))
    remaining_2014 = models.PositiveIntegerField(_("2014年底未脱贫人数"))
    quota_2015 = models.PositiveIntegerField(_("2015年减贫任务"))
    quota_2016 = models.PositiveIntegerField(_("2016年减贫任务"))
    quota_2017 = models.PositiveIntegerField(_("2017年减贫任务"))
    quota_2018 = models.PositiveIntegerField(_("2018年减贫任务"))
    position = models.PositiveSmallIntegerField(_("表中行序"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("减贫任务安排表行")
        verbose_name_plural = _("减贫任务安排表（附件）")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["label"], name="annexrow_label_unique"),
            models.UniqueConstraint(fields=["position"], name="annexrow_position_unique"),
        ]

    def __str__(self):
        return self.label

    def quota(self, year: int) -> int:
        return getattr(self, f"quota_{year}")


class PlanTarget(RegistryModel):
    """A number the plan sets, with the section it is printed in.

    Codes: `city.registered`, `text.reduction.<year>`, `category.<category>`, `cause.<cause>`,
    `route.<route>`, `deadline.<standard>`, `village_income.<year>`, `count.<what>`, `rule.<what>`.
    """

    code = models.CharField(_("代码"), max_length=50, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    section = models.CharField(_("计划条目"), max_length=30)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    persons = models.PositiveIntegerField(_("人数"), null=True, blank=True)
    amount = models.DecimalField(_("数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("计划目标")
        verbose_name_plural = _("计划目标")
        ordering = ["code"]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- the city's records


class VillageIncome(RegistryModel):
    """A village's own collective income (村集体经济自有收入) in a year: 三.(二).3."""

    village = models.ForeignKey(Village, models.PROTECT, related_name="incomes", verbose_name=_("建制村"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    own_income = models.DecimalField(
        _("自有收入（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("村集体自有收入")
        verbose_name_plural = _("村集体自有收入")
        ordering = ["village_id", "year"]
        constraints = [
            year_check("villageincome"),
            models.UniqueConstraint(fields=["village", "year"], name="villageincome_once_a_year"),
            models.CheckConstraint(condition=Q(own_income__gte=0), name="villageincome_not_negative"),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"

    def clean(self):
        """Runs a query."""
        if self.village_id and self.year and exists_besides(self, village_id=self.village_id, year=self.year):
            raise ValidationError({"year": f"该村{self.year}年的收入已登记，请修改原记录"})


class TownshipPairing(RegistryModel):
    """强镇帮扶贫困乡: a strong town paired one-to-one with a city key township, 三.(二).1."""

    strong_town = models.OneToOneField(
        Township, models.PROTECT, related_name="pairing_as_helper", verbose_name=_("帮扶强镇")
    )
    key_township = models.OneToOneField(
        Township, models.PROTECT, related_name="pairing_as_helped", verbose_name=_("市级重点乡")
    )
    since = models.PositiveSmallIntegerField(_("起始年度"), validators=year_validators, default=2015)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("强镇帮扶结对")
        verbose_name_plural = _("强镇帮扶结对")
        ordering = ["key_township_id"]
        constraints = [
            models.CheckConstraint(condition=~Q(strong_town=F("key_township")), name="pairing_two_townships"),
        ]

    def __str__(self):
        return f"{self.strong_town} → {self.key_township}"

    def clean(self):
        """Runs queries: each township in one pairing only, on either side."""
        errors = {}
        if self.strong_town_id and self.strong_town_id == self.key_township_id:
            errors["key_township"] = "强镇与重点乡不能是同一个乡镇"
        others = TownshipPairing.objects.exclude(pk=self.pk)
        for field in ("strong_town", "key_township"):
            code = getattr(self, f"{field}_id")
            if code and others.filter(Q(strong_town_id=code) | Q(key_township_id=code)).exists():
                errors[field] = f"乡镇 {code} 已在另一结对中，一个乡镇只能结对一次"
        key_township = related(self, "key_township")
        if key_township and not key_township.is_city_key:
            errors.setdefault("key_township", f"{key_township} 不是市级扶贫开发工作重点乡")
        if errors:
            raise ValidationError(errors)


class Envoy(RegistryModel):
    """科技特派员 sent to a city key township or an ethnic township, 三.(二).2."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("派出单位"), max_length=100)
    township = models.ForeignKey(Township, models.PROTECT, related_name="envoys", verbose_name=_("派驻乡镇"))
    year = models.PositiveSmallIntegerField(_("派驻年度"), validators=year_validators)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("科技特派员")
        verbose_name_plural = _("科技特派员")
        ordering = ["year", "township_id", "name"]
        constraints = [year_check("envoy")]

    def __str__(self):
        return self.name

    def clean(self):
        """Runs a query."""
        township = related(self, "township")
        if township and not (township.is_city_key or township.is_ethnic):
            raise ValidationError({"township": f"{township} 不是市级重点乡或少数民族乡"})


class Settlement(RegistryModel):
    """造福工程集中安置小区: at least 30 a year, each of at least 30 households, 二.(一).9."""

    name = models.CharField(_("名称"), max_length=100)
    township = models.ForeignKey(Township, models.PROTECT, related_name="settlements", verbose_name=_("所在乡镇"))
    year = models.PositiveSmallIntegerField(_("建设年度"), validators=year_validators)
    households = models.PositiveIntegerField(_("安置户数"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("集中安置小区")
        verbose_name_plural = _("集中安置小区")
        ordering = ["year", "township_id", "name"]
        constraints = [year_check("settlement")]

    def __str__(self):
        return self.name


class SupportStandard(RegistryModel):
    """A county's 五保 support standard in a year, with the previous year's rural consumption, 二.(三).1."""

    county = models.ForeignKey(County, models.PROTECT, related_name="support_standards", verbose_name=_("县(市、区)"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    standard = models.DecimalField(
        _("五保供养标准（元/人·年）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    rural_consumption_prev_year = models.DecimalField(
        _("上年度农村居民人均生活消费支出（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("五保供养标准")
        verbose_name_plural = _("五保供养标准")
        ordering = ["county_id", "year"]
        constraints = [
            year_check("supportstandard"),
            models.UniqueConstraint(fields=["county", "year"], name="supportstandard_once_a_year"),
            models.CheckConstraint(
                condition=Q(standard__gte=0, rural_consumption_prev_year__gte=0), name="supportstandard_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.county} {self.year}"

    def clean(self):
        """Runs a query."""
        if self.county_id and self.year and exists_besides(self, county_id=self.county_id, year=self.year):
            raise ValidationError({"year": f"该县{self.year}年的供养标准已登记"})


class PovertyLine(RegistryModel):
    """The poverty line of a year (yuan per person per year), with its source."""

    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    standard = models.CharField(_("标准"), max_length=16, choices=HouseholdStandard.choices)
    amount = models.DecimalField(_("金额（元/人·年）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    source = models.CharField(_("来源"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("贫困线")
        verbose_name_plural = _("贫困线")
        ordering = ["standard", "year"]
        constraints = [
            year_check("povertyline"),
            models.UniqueConstraint(fields=["standard", "year"], name="povertyline_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="povertyline_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_standard_display()} {self.year}"

    def clean(self):
        """Runs a query."""
        if self.standard and self.year and exists_besides(self, standard=self.standard, year=self.year):
            raise ValidationError({"year": f"{self.year}年的{self.get_standard_display()}已登记"})

# ---------------------------------------------------------------- the overview's figures, kept
# What the bureau's overview shows beside the quota progress (issue 21 point 2): the registered poor
# population at each year's end and the households' incomes against the poverty line, per county
# and year. Counted from the rows they took 0.5 s a view at the city's size and would take a minute
# at 10,000,000 people; kept, a view reads a few hundred rows.
#
# Kept by household: every write to a household's rows (the household, its members, exits, returns,
# transfers, incomes; by any door, COPY included) and to the poverty lines marks the household
# (FigureMark) by a trigger the database runs in the writer's transaction (migration 0002), so no
# write can forget it and a mark is seen once its write commits. Before the figures are read,
# plans.services.figures_catch_up takes the marks, counts each marked household's part again
# (HouseholdFigure) and adds the difference to its county's figures (FigureTotal).


class Band(models.TextChoices):
    """Where a household's income of a year stands against that year's line for its standard."""

    BELOW = "below", _("低于贫困线")
    NEAR = "near", _("贫困线至其1.2倍")
    ABOVE = "above", _("高于贫困线1.2倍")
    UNKNOWN = "unknown", _("当年贫困线未录入")


BAND_COLUMNS = [band.value for band in Band]


class FigureMark(models.Model):
    """A household whose part in the kept figures must be counted again (null: every household).
    Written only by the database's triggers; taken (deleted) by the catch-up."""

    household_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = verbose_name_plural = _("待重算的贫困户")


class HouseholdFigure(models.Model):
    """One household's part in the kept figures, as last counted: for each year (a string key), [the
    county it lay in at the year's end, the members it counted then (poor that day, else 0), the
    county it lies in now if its income record of the year is counted, else '', that record's band,
    else '']. No foreign key: a deleted household's part must still be found to be taken away."""

    household_id = models.BigIntegerField(primary_key=True)
    parts = models.JSONField(default=dict)

    class Meta:
        verbose_name = verbose_name_plural = _("贫困户年度数据")


class FigureTotal(models.Model):
    """A county's figures of a year: the registered poor population at the year's end, and its
    households' income records of the year by band (removed households left out)."""

    county = models.CharField(_("县(市、区)代码"), max_length=6)
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    persons = models.IntegerField(_("年底建档立卡贫困人口"), default=0)
    below = models.IntegerField(Band.BELOW.label, default=0)
    near = models.IntegerField(Band.NEAR.label, default=0)
    above = models.IntegerField(Band.ABOVE.label, default=0)
    unknown = models.IntegerField(Band.UNKNOWN.label, default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("各县年度数据合计")
        ordering = ["year", "county"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="figuretotal_once_a_county_year"),
            year_check("figuretotal"),
            *(models.CheckConstraint(condition=Q(**{f"{c}__gte": 0}), name=f"figuretotal_{c}_not_negative")
              for c in ("persons", *BAND_COLUMNS)),
        ]

    def __str__(self):
        return f"{self.county} {self.year}"
