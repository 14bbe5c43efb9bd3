"""The registry (建档立卡): places, households, members, causes, channels, measures, exits, returns.

Every rule lives twice on purpose: as a named database constraint, the guard nothing can
bypass, and in clean(), which names the field in Chinese for the admin, the API and imports.
Writes go through households/services.py.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import (
    county_code_validator,
    parse_resident_id,
    phone_validator,
    township_code_validator,
    village_code_validator,
)

# 建档立卡 began with the 2014 baseline; the plan runs to 2018 and its results are kept to 2020.
FIRST_YEAR = 2014
LAST_YEAR = 2020
year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
LOAN_MAX_AMOUNT = 50_000  # 二.(一).6: 5万元以下
LOAN_MAX_MONTHS = 36  # 二.(一).6: 3年以内


def choices_check(model: str, field: str, choices) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=f"{model}_{field}_valid")


def year_check(model: str, field: str = "year") -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": FIRST_YEAR, f"{field}__lte": LAST_YEAR})
    return models.CheckConstraint(condition=condition, name=f"{model}_{field}_in_range")


class RegistryModel(models.Model):
    """Base of every registry model.

    Django's full_clean() would also check the database constraints, but it reports them
    without naming a field and silently skips any that touch a field the form lacks. So each
    model's clean() carries the friendly check and the constraint stays the database's guard.
    """

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        pass


# ---------------------------------------------------------------- places


class County(RegistryModel):
    code = models.CharField(_("区划代码"), max_length=6, primary_key=True, validators=[county_code_validator])
    name = models.CharField(_("名称"), max_length=20, unique=True)
    is_provincial_key = models.BooleanField(_("省级扶贫开发工作重点县"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("县(市、区)")
        verbose_name_plural = _("县(市、区)")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="county_code_6_digits")]

    def __str__(self):
        return self.name


class Township(RegistryModel):
    code = models.CharField(_("区划代码"), max_length=9, primary_key=True, validators=[township_code_validator])
    name = models.CharField(_("名称"), max_length=30)
    county = models.ForeignKey(County, models.PROTECT, related_name="townships", verbose_name=_("县(市、区)"))
    is_city_key = models.BooleanField(_("市级扶贫开发工作重点乡"), default=False)
    is_ethnic = models.BooleanField(_("少数民族乡"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{9}$"), name="township_code_9_digits"),
            # The code is the county's code plus three digits: a township cannot drift to another county.
            models.CheckConstraint(condition=Q(code__startswith=F("county_id")), name="township_code_in_county"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.county_id and self.code and not self.code.startswith(self.county_id):
            raise ValidationError({"code": f"乡镇代码必须以所属县的代码 {self.county_id} 开头"})


class Village(RegistryModel):
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True, validators=[village_code_validator])
    name = models.CharField(_("名称"), max_length=30)
    township = models.ForeignKey(Township, models.PROTECT, related_name="villages", verbose_name=_("乡镇"))
    is_poor_village = models.BooleanField(_("建档立卡贫困村"), default=False)
    is_hollow = models.BooleanField(_("贫困空壳村"), default=False, help_text=_("2014年村集体自有收入为零"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("建制村")
        verbose_name_plural = _("建制村")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"), name="village_code_12_digits"),
            models.CheckConstraint(condition=Q(code__startswith=F("township_id")), name="village_code_in_township"),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        # The code carries the whole path: 6 digits county, 9 township, 12 village.
        return self.code[:6]

    def clean(self):
        if self.township_id and self.code and not self.code.startswith(self.township_id):
            raise ValidationError({"code": f"村代码必须以所属乡镇的代码 {self.township_id} 开头"})


# ---------------------------------------------------------------- causes and channels


class HouseholdCategory(models.TextChoices):
    ORDINARY = "ordinary", _("一般贫困户")
    DIBAO_ABLE = "dibao_able", _("有劳动能力的低保贫困户")
    DIBAO = "dibao", _("无劳动能力的低保户")
    WUBAO = "wubao", _("五保户")


class ChannelKind(models.TextChoices):
    CHANNEL = "channel", _("九个一批")
    GUARANTEE = "guarantee", _("两保障（低保户）")
    SUPPORT = "support", _("两供养（五保户）")


class ReliefChannel(RegistryModel):
    """The nine channels (九个一批) and the four safety-net measures (两保障, 两供养)."""

    Kind = ChannelKind
    # 二.(二) and 二.(三): the safety nets are for these categories only; a channel is for anyone.
    KIND_CATEGORIES = {
        Kind.GUARANTEE: {HouseholdCategory.DIBAO, HouseholdCategory.DIBAO_ABLE},
        Kind.SUPPORT: {HouseholdCategory.WUBAO},
    }

    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.CHANNEL)
    department = models.CharField(_("责任部门"), max_length=30, blank=True, help_text=_("计划未指定的留空"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("帮扶渠道")
        verbose_name_plural = _("帮扶渠道（九个一批与兜底保障）")
        ordering = ["position", "code"]
        constraints = [choices_check("reliefchannel", "kind", ChannelKind)]

    def __str__(self):
        return self.name

    def allows(self, category: str) -> bool:
        allowed = self.KIND_CATEGORIES.get(self.kind)
        return allowed is None or category in allowed


class AlleviationModel(RegistryModel):
    """The eight models of poverty work (八种模式, plan 四.3), a tag on measures and pilots so the
    dashboards count by model. The plan names seven; the eighth is the bureau's to define: its
    name comes from fixtures/ once and is the bureau's to change afterwards."""

    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("扶贫模式")
        verbose_name_plural = _("扶贫模式（八种模式）")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class PovertyCause(RegistryModel):
    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    channel = models.ForeignKey(
        ReliefChannel,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="causes",
        verbose_name=_("对应帮扶渠道"),
        help_text=_("计划未对应渠道的国家目录原因留空"),
        limit_choices_to={"kind": ReliefChannel.Kind.CHANNEL},
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("致贫原因")
        verbose_name_plural = _("致贫原因")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- households


class HouseholdStandard(models.TextChoices):
    NATIONAL = "national", _("国定标准")
    PROVINCIAL = "provincial", _("省定标准")


class HouseholdStatus(models.TextChoices):
    REGISTERED = "registered", _("在册")
    EXITED = "exited", _("已脱贫")
    RETURNED = "returned", _("返贫")
    REMOVED = "removed", _("已清退")


class HouseholdQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("village__township__county", "main_cause")

    def for_county(self, county):
        code = county.code if isinstance(county, County) else county
        return self.filter(village__township__county_id=code)

    def with_member_counts(self):
        return self.annotate(member_count=models.Count("members", distinct=True))


class Household(RegistryModel):
    Category = HouseholdCategory
    Standard = HouseholdStandard
    Status = HouseholdStatus

    number = models.CharField(_("户编号"), max_length=64, unique=True)
    village = models.ForeignKey(Village, models.PROTECT, related_name="households", verbose_name=_("所在村"))
    category = models.CharField(_("贫困户类别"), max_length=16, choices=Category.choices)
    main_cause = models.ForeignKey(
        PovertyCause, models.PROTECT, related_name="main_households", verbose_name=_("主要致贫原因")
    )
    other_causes = models.ManyToManyField(
        PovertyCause, blank=True, related_name="secondary_households", verbose_name=_("其他致贫原因")
    )
    identified_year = models.PositiveSmallIntegerField(_("识别年份"), validators=year_validators, default=FIRST_YEAR)
    standard = models.CharField(_("识别标准"), max_length=16, choices=Standard.choices, default=Standard.NATIONAL)
    income_per_capita = models.DecimalField(
        _("人均纯收入（元/年）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    removed_reason = models.CharField(_("清退原因"), max_length=200, blank=True)
    helper_name = models.CharField(_("帮扶责任人"), max_length=50, blank=True)
    helper_unit = models.CharField(_("帮扶责任人单位"), max_length=100, blank=True)
    helper_phone = models.CharField(_("帮扶责任人电话"), max_length=20, blank=True, validators=[phone_validator])
    address = models.CharField(_("住址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    history = HistoricalRecords(m2m_fields=[other_causes])

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        ordering = ["village_id", "number"]
        constraints = [
            choices_check("household", "category", HouseholdCategory),
            choices_check("household", "standard", HouseholdStandard),
            choices_check("household", "status", HouseholdStatus),
            year_check("household", "identified_year"),
            models.CheckConstraint(condition=Q(income_per_capita__gte=0), name="household_income_not_negative"),
            models.CheckConstraint(condition=~Q(number=""), name="household_number_not_blank"),
            models.CheckConstraint(
                condition=Q(status="removed", removed_reason__gt="") | (~Q(status="removed") & Q(removed_reason="")),
                name="household_removed_iff_reason",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def county_code(self) -> str:
        return self.village_id[:6]  # a village's code starts with its county's

    def clean(self):
        self.number = (self.number or "").strip()
        if self.status == self.Status.REMOVED and not self.removed_reason.strip():
            raise ValidationError({"removed_reason": "清退必须填写原因"})
        if self.status != self.Status.REMOVED and self.removed_reason:
            raise ValidationError({"removed_reason": "只有已清退的贫困户才有清退原因"})


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    IN_LAW = "in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS_ILLNESS = "serious_illness", _("大病")
    DISABLED = "disabled", _("残疾")


class Labor(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class Schooling(models.TextChoices):
    NOT_IN_SCHOOL = "not_in_school", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    COLLEGE = "college", _("高职/大专及以上")


class Member(RegistryModel):
    Relation = Relation
    Sex = Sex
    Health = Health
    Labor = Labor
    Schooling = Schooling

    household = models.ForeignKey(Household, models.CASCADE, related_name="members", verbose_name=_("贫困户"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("公民身份号码"), max_length=18)
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices, blank=True, help_text=_("留空则按身份号码"))
    birth_date = models.DateField(_("出生日期"), blank=True, help_text=_("留空则按身份号码"))
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    health = models.CharField(_("健康状况"), max_length=16, choices=Health.choices, default=Health.HEALTHY)
    labor = models.CharField(_("劳动能力"), max_length=16, choices=Labor.choices)
    schooling = models.CharField(
        _("在校情况"), max_length=16, choices=Schooling.choices, default=Schooling.NOT_IN_SCHOOL
    )
    disability_certificate = models.CharField(_("残疾证号"), max_length=30, blank=True)
    draws_dibao = models.BooleanField(_("享受低保"), default=False)
    draws_wubao = models.BooleanField(_("享受五保"), default=False)
    # False once the household is removed (清退): only then may the person join another household.
    # Kept here, in step with Household.status by the services, so the database can enforce it.
    active = models.BooleanField(_("所在户有效"), default=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        permissions = [("view_full_id_number", _("查看完整公民身份号码"))]
        constraints = [
            choices_check("member", "relation", Relation),
            choices_check("member", "sex", Sex),
            choices_check("member", "health", Health),
            choices_check("member", "labor", Labor),
            choices_check("member", "schooling", Schooling),
            models.CheckConstraint(condition=Exact(Length("id_number"), 18), name="member_id_number_18_chars"),
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head"), name="member_one_head"),
            models.UniqueConstraint(fields=["id_number"], condition=Q(active=True), name="member_id_once_active"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.clean_resident_id()
        if self.active and self.id_number_taken():
            raise ValidationError({"id_number": "该公民身份号码已登记在另一个有效的贫困户中"})

    def clean_resident_id(self):
        """Sex and birth date come from the ID number; given ones must agree with it. No query."""
        if len(self.id_number or "") > 18:
            return  # clean_fields() has already said so
        try:
            rid = parse_resident_id(self.id_number)
        except ValidationError as e:
            raise ValidationError({"id_number": e})
        self.id_number = rid.number
        errors = {}
        if not self.sex:
            self.sex = rid.sex
        elif self.sex != rid.sex:
            errors["sex"] = f"性别与公民身份号码不符（号码为{self.Sex(rid.sex).label}性）"
        if not self.birth_date:
            self.birth_date = rid.birth_date
        elif self.birth_date != rid.birth_date:
            errors["birth_date"] = f"出生日期与公民身份号码不符（号码为{rid.birth_date:%Y-%m-%d}）"
        if errors:
            raise ValidationError(errors)

    def id_number_taken(self) -> bool:
        """Runs a query: is this person in another household that is not removed?"""
        others = Member.objects.filter(id_number=self.id_number, active=True)
        if self.household_id:
            # Within its own household the whole member set is checked at once (validate_member_set).
            others = others.exclude(household_id=self.household_id)
        return others.exists()


# ---------------------------------------------------------------- measures, exits and returns


def exists_besides(record, **fields) -> bool:
    """Runs a query: does another record of the same model have these values? The friendly twin of
    a UniqueConstraint, for clean()."""
    return type(record)._default_manager.filter(**fields).exclude(pk=record.pk).exists()


def related(record, name: str):
    """The object a foreign key points at, or None while it is unset or names nothing
    (clean_fields() has already said which)."""
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:
        return None


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
    # The household's county (the first six digits of its village's code), kept by the services:
    # the quota progress groups exits and returns by county and year without joining household,
    # village and township for every record (docs/scaling.md). plans.checks finds any drift.
    county = models.ForeignKey(County, models.PROTECT, related_name="+", editable=False, db_index=False,
                               verbose_name=_("县(市、区)"))

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


# ---------------------------------------------------------------- who may see and change what


class Role(models.TextChoices):
    COUNTY_CLERK = "county_clerk", _("县扶贫办录入员")
    CITY_REVIEWER = "city_reviewer", _("市农业局（农办）审核员")
    CHANNEL_DEPARTMENT = "channel_department", _("行业部门")
    SYSTEM_CLIENT = "system_client", _("外部系统")


class UserRole(RegistryModel):
    """A user's role in the registry, with the counties and channels it is granted.
    households/access.py reads it to decide what the user may see and change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="registry_role", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    counties = models.ManyToManyField(County, blank=True, verbose_name=_("县(市、区)"))
    channels = models.ManyToManyField(ReliefChannel, blank=True, verbose_name=_("帮扶渠道"))
    can_write = models.BooleanField(_("外部系统可写"), default=False, help_text=_("外部系统默认只读"))
    history = HistoricalRecords(m2m_fields=[counties, channels])

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        ordering = ["user_id"]
        constraints = [choices_check("userrole", "role", Role)]

    def __str__(self):
        return f"{self.user} {self.get_role_display()}"


# ---------------------------------------------------------------- audit of exports


class ExportDoor(models.TextChoices):
    ADMIN = "admin", _("管理后台")
    API = "api", _("接口")
    PAGE = "page", _("统计页面")
    COMMAND = "command", _("命令行")


class ExportLog(models.Model):
    """Personal data leaving the registry: who took which rows, how, with what filter (issue 5).
    Written by services.export_log() from every door that exports; never changed afterwards."""

    Door = ExportDoor

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("用户")
    )
    # Kept as text too: the log outlives the account.
    username = models.CharField(_("用户名"), max_length=150, blank=True, help_text=_("空白表示系统（命令行）"))
    door = models.CharField(_("途径"), max_length=16, choices=ExportDoor.choices)
    kind = models.CharField(_("导出内容"), max_length=64)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("行数"))
    full_id_numbers = models.BooleanField(_("含完整身份号码"), default=False)

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-at"]
        constraints = [choices_check("exportlog", "door", ExportDoor)]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '系统'} {self.kind}"
