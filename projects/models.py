"""The five projects (五项工程, plan 三.(一)) as records behind the relief measures: guarantee funds
and their loans, workshops and public-welfare posts, pilots, village education funds, skills
training. Each record of a person points to a relief measure of that person's household, so the
measure says what was done and the project says through what (the bureau sees "for whom").

Every rule lives twice, as in households/: a named database constraint and a clean() naming the
field. Writes go through projects/services.py.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import (
    AlleviationModel,
    County,
    Household,
    Member,
    RegistryModel,
    ReliefChannel,
    ReliefMeasure,
    Township,
    Village,
    choices_check,
    exists_besides,
    related,
    year_check,
    year_validators,
)

# The channel of the measures each project's records point to (九个一批, plan 二.(一)).
LOAN_CHANNEL = "financial_support"  # 6. 金融扶持一批: the guarantee funds
EMPLOYMENT_CHANNEL = "labor_mutual_aid"  # 7. 劳动互助一批: "家门口"就业 and the public-welfare posts
EDUCATION_CHANNEL = "education_aid"  # 3. 教育资助一批: the village education funds
TRAINING_CHANNEL = "skills_training"  # 5. 技能培训一批: the training courses


def money(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=[MinValueValidator(0)], **kwargs)


def not_negative(model: str, *fields: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{f}__gte": 0 for f in fields}), name=f"{model}_not_negative")


def in_county(model: str, place: str) -> models.CheckConstraint:
    """A township's or village's code begins with its county's: the place lies in the record's county."""
    return models.CheckConstraint(
        condition=Q(**{f"{place}__isnull": True}) | StartsWith(F(place), F("county")),
        name=f"{model}_{place}_in_county",
    )


def place_errors(record, *places: str) -> dict:
    """clean()'s twin of in_county(), and a village's twin within the record's township."""
    errors = {}
    county = record.county_id
    for place in places:
        code = getattr(record, f"{place}_id")
        if county and code and not code.startswith(county):
            errors[place] = f"所选{record._meta.get_field(place).verbose_name}不在该县(市、区)内"
    return errors


class HouseholdLink(RegistryModel):
    """A record of a member (or a household) that a project served, pointing to the relief measure
    it carries out. The measure belongs to the member's household and is of the project's channel;
    the services make one when none is given."""

    channel = None  # the channel code the measure must have

    class Meta:
        abstract = True

    def link_errors(self) -> dict:
        """Runs queries. The member is in a household that is still on the register, and the measure
        is that household's, of the project's channel. (A loan names no member: its measure's
        household is the one served.)"""
        errors = {}
        measure = related(self, "measure")
        member = related(self, "member") if hasattr(type(self), "member") else None
        if member is not None:
            household = member.household
            if household.status == Household.Status.REMOVED:
                errors["member"] = f"{member.name}所在的户 {household.number} 已清退，不是在册贫困户的成员"
            if measure is not None and measure.household_id != member.household_id:
                errors["measure"] = f"该帮扶措施属于户 {measure.household.number}，不是{member.name}所在的户"
        elif measure is not None and measure.household.status == Household.Status.REMOVED:
            errors["measure"] = f"户 {measure.household.number} 已清退"
        if measure is not None and measure.channel_id != self.channel:
            wanted = ReliefChannel.objects.get(pk=self.channel).name
            errors.setdefault("measure", f"该帮扶措施的渠道是{measure.channel.name}，应为{wanted}")
        return errors


# ---------------------------------------------------------------- 1. 乡村扶贫担保工程


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


# ---------------------------------------------------------------- 2. 家门口扶贫就业工程


class Workshop(RegistryModel):
    """就业扶贫车间 (加工点) in a township, run by an enterprise, 三.(一).2(2)."""

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


# ---------------------------------------------------------------- 3. 精准扶贫试点示范工程


class PilotKind(models.TextChoices):
    VILLAGE = "village", _("整村推进试点示范村")
    ENTERPRISE = "enterprise", _("龙头企业")
    COOPERATIVE = "cooperative", _("农民专业合作社（示范社）")
    FAMILY_FARM = "family_farm", _("家庭农场（示范农场）")


class LinkType(models.TextChoices):
    ENTERPRISE_HOUSEHOLD = "enterprise_household", _("企业+贫困户")
    ENTERPRISE_COOPERATIVE_HOUSEHOLD = "enterprise_cooperative_household", _("企业+合作社+贫困户")
    ENTERPRISE_FARM_HOUSEHOLD = "enterprise_farm_household", _("企业+家庭农场+贫困户")


# 三.(一).3's ranges, by what is counted: the PlanTarget codes of their bounds (`<code>_min`, `<code>_max`).
PILOT_RANGES = {"villages": "count.pilot_villages", "organisations": "count.pilot_enterprises"}


def range_status(actual: int, low, high) -> str:
    """`below`, `within` or `above` a plan's range: the plan's report and the projects' page say the same."""
    return "below" if actual < low else "above" if actual > high else "within"


class Pilot(RegistryModel):
    """A pilot (试点示范), 三.(一).3: a whole village (20–30 of them), or an economic organisation —
    a leading enterprise, a cooperative or a family farm (10–20) — with the link it builds to the
    poor households it brings along. The plan's ranges are checked in plans' report (projects.checks),
    not refused: a pilot is chosen one at a time."""

    Kind = PilotKind
    LinkType = LinkType

    kind = models.CharField(_("试点类型"), max_length=16, choices=PilotKind.choices)
    name = models.CharField(_("名称"), max_length=100, help_text=_("试点村可留空，取村名"), blank=True)
    county = models.ForeignKey(County, models.PROTECT, related_name="pilots", verbose_name=_("县(市、区)"))
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="pilots", verbose_name=_("建制村"),
        help_text=_("试点示范村必填；经济组织可填所在村"),
    )
    link_type = models.CharField(
        _("利益联接机制"), max_length=40, choices=LinkType.choices, blank=True, help_text=_("经济组织必填，试点村留空")
    )
    alleviation_model = models.ForeignKey(
        AlleviationModel, models.PROTECT, null=True, blank=True, related_name="pilots", verbose_name=_("扶贫模式")
    )
    year = models.PositiveSmallIntegerField(_("确定年度"), validators=year_validators)
    households = models.ManyToManyField(
        Household, blank=True, related_name="pilots", verbose_name=_("帮带贫困户"), help_text=_("经济组织帮带的贫困户")
    )
    history = HistoricalRecords(m2m_fields=[households])

    class Meta:
        verbose_name = _("试点示范")
        verbose_name_plural = _("试点示范")
        ordering = ["kind", "county_id", "name"]
        constraints = [
            choices_check("pilot", "kind", PilotKind),
            models.CheckConstraint(condition=Q(link_type="") | Q(link_type__in=LinkType.values),
                                   name="pilot_link_type_valid"),
            year_check("pilot"),
            in_county("pilot", "village"),
            # A pilot village is a village and builds no link; an organisation builds one.
            models.CheckConstraint(
                condition=Q(kind="village", village__isnull=False, link_type="") | (~Q(kind="village") & ~Q(link_type="")),
                name="pilot_village_or_organisation",
            ),
            models.UniqueConstraint(fields=["village"], condition=Q(kind="village"), name="pilot_village_once"),
        ]

    def __str__(self):
        return self.name or str(self.village or "")

    @property
    def county_code(self) -> str:
        return self.county_id

    @property
    def is_village(self) -> bool:
        return self.kind == PilotKind.VILLAGE

    def clean(self):
        """Runs a query."""
        errors = place_errors(self, "village")
        if self.is_village:
            if not self.village_id:
                errors["village"] = "试点示范村须选择建制村"
            elif exists_besides(self, kind=PilotKind.VILLAGE, village_id=self.village_id):
                errors["village"] = "该村已是试点示范村"
            if self.link_type:
                errors["link_type"] = "试点示范村不填利益联接机制"
            if not self.name and self.village_id and "village" not in errors:
                self.name = related(self, "village").name
        elif self.kind:
            if not self.link_type:
                errors["link_type"] = "产业帮带试点经济组织须选择利益联接机制"
            if not self.name.strip():
                errors["name"] = "请填写经济组织名称"
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------- 4. 乡村教育助学工程


class EducationFund(RegistryModel):
    """乡村教育助学基金, raised by the government and by donations, all of it for the local poor
    families' students, 三.(一).4."""

    name = models.CharField(_("名称"), max_length=100)
    county = models.ForeignKey(County, models.PROTECT, related_name="education_funds", verbose_name=_("县(市、区)"))
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, related_name="education_funds", verbose_name=_("乡镇")
    )
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="education_funds", verbose_name=_("建制村")
    )
    founded_year = models.PositiveSmallIntegerField(_("设立年度"), validators=year_validators)
    government_funds = money(_("政府投入（元）"), default=0)
    donations = money(_("社会捐资及募捐（元）"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("乡村教育助学基金")
        verbose_name_plural = _("乡村教育助学基金")
        ordering = ["county_id", "name"]
        constraints = [
            year_check("educationfund", "founded_year"),
            not_negative("educationfund", "government_funds", "donations"),
            in_county("educationfund", "township"),
            in_county("educationfund", "village"),
            models.UniqueConstraint(fields=["county", "name"], name="educationfund_name_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        return self.county_id

    @property
    def raised(self):
        return (self.government_funds or 0) + (self.donations or 0)

    def clean(self):
        errors = place_errors(self, "township", "village")
        if self.township_id and self.village_id and not self.village_id.startswith(self.township_id):
            errors["village"] = "所选村不在该乡镇内"
        if self.county_id and self.name and exists_besides(self, county_id=self.county_id, name=self.name):
            errors["name"] = "该县已有同名助学基金"
        if errors:
            raise ValidationError(errors)


class StudentAid(HouseholdLink):
    """A grant of a village education fund to a student of a local poor household in a year."""

    channel = EDUCATION_CHANNEL

    fund = models.ForeignKey(EducationFund, models.PROTECT, related_name="aids", verbose_name=_("助学基金"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="student_aids", verbose_name=_("受助学生"))
    measure = models.ForeignKey(ReliefMeasure, models.PROTECT, related_name="student_aids", verbose_name=_("帮扶措施"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    amount = money(_("资助金额（元）"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("助学资助")
        verbose_name_plural = _("助学资助")
        ordering = ["fund_id", "year", "id"]
        constraints = [
            year_check("studentaid"),
            not_negative("studentaid", "amount"),
            models.UniqueConstraint(fields=["fund", "member", "year"], name="studentaid_once_a_year"),
        ]

    def __str__(self):
        return f"{self.member} {self.year}"

    @property
    def county_code(self) -> str:
        return self.fund.county_id

    def clean(self):
        """Runs queries. 三.(一).4(2): the money goes to local poor families' students."""
        errors = self.link_errors()
        member, fund = related(self, "member"), related(self, "fund")
        if member is not None and member.schooling == Member.Schooling.NOT_IN_SCHOOL:
            errors.setdefault("member", f"{member.name}不是在校生（在校情况：非在校生）")
        if member is not None and fund is not None and member.household.county_code != fund.county_id:
            errors.setdefault("member", f"助学基金“{fund}”只资助{fund.county}当地贫困家庭学生")
        if self.fund_id and self.member_id and self.year and exists_besides(
                self, fund_id=self.fund_id, member_id=self.member_id, year=self.year):
            errors.setdefault("member", f"该学生{self.year}年已得到该基金资助")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------- 5. 就业技能培训工程


class TrainingInstitution(RegistryModel):
    """就业技能培训机构或培训基地 with its targeted-training agreement (定向培养协议), 三.(一).5(1)."""

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
