"""The households of 建档立卡 and their members."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from ..validators import parse_resident_id, phone_validator
from .base import FIRST_YEAR, BulkHistory, RegistryModel, choices_check, year_check, year_validators
from .places import County, Village
from .reference import HouseholdCategory, PovertyCause


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
        return self.filter(in_county(code))

    def with_current_helper(self):
        """helper_name, helper_unit, helper_phone: the household's current helper's, "" without one,
        read in the same query (current_helper_fields): the doors' three fields, with no query per
        household."""
        return self.annotate(**current_helper_fields())

    def with_member_counts(self):
        """The members present today (a member who has left stays on record, not in the count). A
        subquery each household, not a join grouped by household: a page counts its own 50, not
        the whole county's before the page is cut (at 10,000,000 people, seconds)."""
        present = (Member.objects.filter(household=OuterRef("pk"), left_on__isnull=True).order_by()
                   .values("household").annotate(n=models.Count("pk")).values("n"))
        return self.annotate(member_count=Coalesce(Subquery(present), 0))


def in_county(code: str, village: str = "village") -> Q:
    """The households (through `village`, the path to their village) of the county `code`, as a range
    of village codes: a village's twelve-digit code starts with its county's six. PostgreSQL reads
    a county's households in the village order off the village index and stops at a page, where a
    join to the places gathered the whole county first (a clerk's first page: seconds at 10,000,000
    people). A code that is not six digits has no household."""
    if not (len(code) == 6 and code.isdigit()):
        return Q(pk__in=[])
    return Q(**{f"{village}__code__range": (code, code + "999999")})


def current_helper_fields(household: str = "pk") -> dict:
    """The annotations helper_name, helper_unit, helper_phone of the current helper (the assignment
    without an end) of the household at `household` in the outer query ("pk" on households,
    "household_id" on their members): a subquery each, on the index of current assignments."""
    from .helpers import HelperAssignment  # it points at Household

    current = HelperAssignment.objects.filter(household=OuterRef(household), ended_on__isnull=True)
    return {f"helper_{name}": Coalesce(Subquery(current.values(f"helper__{name}")[:1]), Value(""))
            for name in ("name", "unit", "phone")}


class Household(RegistryModel):
    Category = HouseholdCategory
    Standard = HouseholdStandard
    Status = HouseholdStatus

    number = models.CharField(_("户编号"), max_length=64, unique=True)
    # The two keys' indexes are declared in Meta: as ForeignKey's own, each came with a second, for
    # LIKE on the code, that nothing asks and every write of a household paid for.
    village = models.ForeignKey(Village, models.PROTECT, related_name="households", verbose_name=_("所在村"),
                                db_index=False)
    category = models.CharField(_("贫困户类别"), max_length=16, choices=Category.choices)
    main_cause = models.ForeignKey(
        PovertyCause, models.PROTECT, related_name="main_households", verbose_name=_("主要致贫原因"), db_index=False
    )
    other_causes = models.ManyToManyField(
        PovertyCause, blank=True, related_name="secondary_households", verbose_name=_("其他致贫原因")
    )
    identified_year = models.PositiveSmallIntegerField(_("识别年份"), validators=year_validators, default=FIRST_YEAR)
    standard = models.CharField(_("识别标准"), max_length=16, choices=Standard.choices, default=Standard.NATIONAL)
    # The latest year's figure of its income records (HouseholdIncome), kept in step by the services.
    income_per_capita = models.DecimalField(
        _("人均纯收入（元/年）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)],
        help_text=_("最近年度的年度收入记录的人均纯收入；新登记的户为识别年度的人均纯收入，此后通过年度收入修改"),
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    removed_reason = models.CharField(_("清退原因"), max_length=200, blank=True)
    # The household's helper (帮扶责任人) is a dated assignment (helpers.py: HelperAssignment), read as
    # its helper_name, helper_unit, helper_phone by the API and the workbook (with_current_helper).
    address = models.CharField(_("住址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    # The history is read by household (its id), never by number, village or cause: their indexes
    # (six, with the LIKE ones) only slowed every write, a city's import writing 39,000 versions.
    history = BulkHistory(m2m_fields=[other_causes], no_db_index=["number", "village", "main_cause"])

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        ordering = ["village_id", "number"]
        indexes = [models.Index(fields=["village"], name="household_village"),
                   models.Index(fields=["main_cause"], name="household_main_cause")]
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
    # The member's presence (成员变动, households/services/changes.py): joined_on empty = since the
    # household was registered, left_on empty = still here. A person who leaves (dies, marries out,
    # moves away) keeps the record, marked as left on that date: present on a day d when
    # joined_on <= d < left_on (selectors.present_on).
    joined_on = models.DateField(_("迁入日期"), null=True, blank=True, editable=False)
    left_on = models.DateField(_("迁出日期"), null=True, blank=True, editable=False)
    # False once the household is removed (清退) or the member has left: only then may the person
    # join another household ("one person, one active household", member_id_once_active).
    # Kept here, in step with Household.status and left_on by the services, so the database can enforce it.
    active = models.BooleanField(_("所在户有效"), default=True, editable=False)
    history = BulkHistory()

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
            # A head who has left stays on record as head (who headed the household until then).
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head", left_on__isnull=True),
                                    name="member_one_head"),
            models.UniqueConstraint(fields=["id_number"], condition=Q(active=True), name="member_id_once_active"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(active=False), name="member_left_not_active"),
            models.CheckConstraint(
                condition=Q(joined_on__isnull=True) | Q(left_on__isnull=True) | Q(joined_on__lte=models.F("left_on")),
                name="member_joined_before_left",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.clean_resident_id()
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "迁出日期不能早于迁入日期"})
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
