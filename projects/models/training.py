"""5. 就业技能培训工程 (三.(一).5): institutions, courses and trainings."""


from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import (
    County,
    Member,
    RegistryModel,
    ReliefMeasure,
    exists_besides,
    year_check,
    year_validators,
)

from .base import TRAINING_CHANNEL, HouseholdLink


class TrainingInstitution(RegistryModel):
    """就业技能培训机构或培训基地 with its targeted-training agreement (定向培养协议), 三.(一).5(1)."""

    channel = TRAINING_CHANNEL  # the channel of the measures the project carries out
    place_field = "county"  # the field that places it in its county

    name = models.CharField(_("名称"), max_length=100)
    county = models.ForeignKey(County, models.PROTECT, related_name="training_institutions",
                               verbose_name=_("县(市、区)"))
    agreement_signed_on = models.DateField(_("定向培养协议签订日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培训机构")
        verbose_name_plural = _("培训机构")
        ordering = ["county_id", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="traininginstitution_name_unique")]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        return self.county_id

    def clean(self):
        if self.county_id and self.name and exists_besides(self, county_id=self.county_id, name=self.name):
            raise ValidationError({"name": "该县已有同名培训机构"})


class TrainingCourse(RegistryModel):
    """A course an institution runs in a year (创业就业培训班)."""

    channel = TRAINING_CHANNEL  # the channel of the measures the project carries out
    place_field = "institution"  # the field that places it in its county

    institution = models.ForeignKey(TrainingInstitution, models.PROTECT, related_name="courses",
                                    verbose_name=_("培训机构"))
    name = models.CharField(_("培训项目"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    started_on = models.DateField(_("开班日期"), null=True, blank=True)
    ended_on = models.DateField(_("结业日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["year", "institution_id", "name"]
        constraints = [
            year_check("trainingcourse"),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="trainingcourse_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    @property
    def county_code(self) -> str:
        return self.institution.county_id

    def clean(self):
        errors = {}
        if self.started_on and self.year and self.started_on.year != self.year:
            errors["started_on"] = f"开班日期不在{self.year}年度内"
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = "结业日期不能早于开班日期"
        if errors:
            raise ValidationError(errors)


class Training(HouseholdLink):
    """A poor member trained on a course, with the three waivers and the three priorities of the
    "三减免三优先" system, 三.(一).5(2). A member of a household long exited is reported
    (projects.checks), not refused: the training may be right, the record may be late."""

    channel = TRAINING_CHANNEL

    course = models.ForeignKey(TrainingCourse, models.PROTECT, related_name="trainings", verbose_name=_("培训班"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="trainings", verbose_name=_("学员"))
    measure = models.ForeignKey(ReliefMeasure, models.PROTECT, related_name="trainings", verbose_name=_("帮扶措施"))
    # 三减免
    fee_waived = models.BooleanField(_("减免培训费"), default=True)
    board_waived = models.BooleanField(_("减免食宿费"), default=True)
    certification_waived = models.BooleanField(_("减免技能鉴定费"), default=True)
    # 三优先
    guidance_given = models.BooleanField(_("优先提供就业指导"), default=False)
    job_referred = models.BooleanField(_("优先推荐就业"), default=False)
    loan_subsidy_given = models.BooleanField(_("优先提供贷款贴息补助"), default=False)
    certified = models.BooleanField(_("取得技能证书"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("技能培训")
        verbose_name_plural = _("技能培训")
        ordering = ["course_id", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "member"], name="training_once_a_course")]

    def __str__(self):
        return f"{self.member} {self.course}"

    @property
    def county_code(self) -> str:
        return self.course.institution.county_id

    def clean(self):
        """Runs queries."""
        errors = self.link_errors()
        if self.course_id and self.member_id and exists_besides(self, course_id=self.course_id, member_id=self.member_id):
            errors.setdefault("member", "该学员已登记在该培训班")
        if errors:
            raise ValidationError(errors)
