"""2. 家门口扶贫就业工程 (三.(一).2): workshops and their jobs, public-welfare posts."""


from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import (
    AlleviationModel,
    County,
    Member,
    RegistryModel,
    ReliefMeasure,
    Township,
    Village,
    choices_check,
    exists_besides,
    year_check,
    year_validators,
)

from .base import EMPLOYMENT_CHANNEL, HouseholdLink, in_county, money, not_negative


class Workshop(RegistryModel):
    """就业扶贫车间 (加工点) in a township, run by an enterprise, 三.(一).2(2)."""

    channel = EMPLOYMENT_CHANNEL  # the channel of the measures the project carries out
    place_field = "township"  # the field that places it in its county

    name = models.CharField(_("名称"), max_length=100)
    # The township's county, kept by clean(): the records are scoped and counted by county.
    county = models.ForeignKey(County, models.PROTECT, related_name="workshops", verbose_name=_("县(市、区)"),
                               editable=False, blank=True)
    township = models.ForeignKey(Township, models.PROTECT, related_name="workshops", verbose_name=_("乡镇"))
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="workshops", verbose_name=_("所在村")
    )
    enterprise = models.CharField(_("创办企业"), max_length=100)
    outside_county = models.BooleanField(_("县域外企业"), default=False, help_text=_("县域外企业到贫困乡村创办的来料加工车间"))
    founded_year = models.PositiveSmallIntegerField(_("创建年度"), validators=year_validators)
    alleviation_model = models.ForeignKey(
        AlleviationModel, models.PROTECT, null=True, blank=True, related_name="workshops", verbose_name=_("扶贫模式")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("就业扶贫车间")
        verbose_name_plural = _("就业扶贫车间")
        ordering = ["township_id", "name"]
        constraints = [
            year_check("workshop", "founded_year"),
            in_county("workshop", "township"),
            models.CheckConstraint(condition=Q(village__isnull=True) | StartsWith(F("village"), F("township")),
                                   name="workshop_village_in_township"),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        return self.township_id[:6]

    def clean(self):
        if self.township_id:
            self.county_id = self.township_id[:6]
        if self.township_id and self.village_id and not self.village_id.startswith(self.township_id):
            raise ValidationError({"village": "所选村不在该乡镇内"})


class Job(HouseholdLink):
    """A poor member working in a workshop in a year (车间务工)."""

    channel = EMPLOYMENT_CHANNEL

    workshop = models.ForeignKey(Workshop, models.PROTECT, related_name="jobs", verbose_name=_("就业扶贫车间"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="workshop_jobs", verbose_name=_("务工人员"))
    measure = models.ForeignKey(ReliefMeasure, models.PROTECT, related_name="workshop_jobs", verbose_name=_("帮扶措施"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    monthly_wage = money(_("月工资（元）"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("车间务工")
        verbose_name_plural = _("车间务工")
        ordering = ["workshop_id", "year", "id"]
        constraints = [
            year_check("job"),
            not_negative("job", "monthly_wage"),
            models.UniqueConstraint(fields=["workshop", "member", "year"], name="job_once_a_year"),
        ]

    def __str__(self):
        return f"{self.member} {self.workshop} {self.year}"

    @property
    def county_code(self) -> str:
        return self.workshop.county_id

    def clean(self):
        """Runs queries."""
        errors = self.link_errors()
        if self.workshop_id and self.member_id and self.year and exists_besides(
                self, workshop_id=self.workshop_id, member_id=self.member_id, year=self.year):
            errors["member"] = f"该成员{self.year}年在该车间的务工已登记"
        if errors:
            raise ValidationError(errors)


class PostKind(models.TextChoices):
    VILLAGE_CLEANER = "village_cleaner", _("农村保洁员")
    ROAD_MAINTENANCE = "road_maintenance", _("乡村公路养护工")
    TOWNSHIP_LOGISTICS = "township_logistics", _("乡镇机关后勤管理员")
    SCHOOL_LOGISTICS = "school_logistics", _("农村中小学后勤管理员")
    OTHER = "other", _("其他公益性岗位")


class PublicPost(HouseholdLink):
    """A public-welfare post (公益性扶贫岗位) in a village given to a poor member who cannot be placed
    in an enterprise, first to those without the strength for heavy work, 二.(一).7 and 三.(一).2(3)."""

    Kind = PostKind
    channel = EMPLOYMENT_CHANNEL

    kind = models.CharField(_("岗位类型"), max_length=24, choices=PostKind.choices)
    title = models.CharField(_("岗位名称"), max_length=100, blank=True)
    county = models.ForeignKey(County, models.PROTECT, related_name="public_posts", verbose_name=_("县(市、区)"),
                               editable=False, blank=True)  # the village's, kept by clean()
    village = models.ForeignKey(Village, models.PROTECT, related_name="public_posts", verbose_name=_("所在村"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="public_posts", verbose_name=_("上岗人员"))
    measure = models.ForeignKey(ReliefMeasure, models.PROTECT, related_name="public_posts", verbose_name=_("帮扶措施"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    monthly_pay = money(_("月补贴（元）"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公益性岗位")
        verbose_name_plural = _("公益性岗位")
        ordering = ["village_id", "year", "id"]
        constraints = [
            choices_check("publicpost", "kind", PostKind),
            year_check("publicpost"),
            not_negative("publicpost", "monthly_pay"),
            in_county("publicpost", "village"),
            models.UniqueConstraint(fields=["member", "kind", "year"], name="publicpost_once_a_year"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.member}"

    @property
    def county_code(self) -> str:
        return self.village_id[:6]

    def clean(self):
        """Runs queries."""
        if self.village_id:
            self.county_id = self.village_id[:6]
        errors = self.link_errors()
        if self.member_id and self.kind and self.year and exists_besides(
                self, member_id=self.member_id, kind=self.kind, year=self.year):
            errors["member"] = f"该成员{self.year}年的{self.get_kind_display()}岗位已登记"
        if errors:
            raise ValidationError(errors)
