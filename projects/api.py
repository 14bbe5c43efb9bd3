"""The five projects (五项工程, plan 三.(一)) through the REST API (/api/v1/). Thin views, as in
households/api.py: serializers check the shape, households/access.py the scope, projects/services.py
the rules and the writes.

Two kinds of resource. A project's unit (a guarantee fund, a workshop, a pilot, an education fund, a
training institution or course) belongs to a county: it is read where the user reads that county's
projects of its channel (access.project_counties_visible_to) and written where they may set them up
(access.project_counties_writable_by). A record of a person (a loan, a job, a post, a grant, a
training) is read with its household (access.households_visible_to) and written by whoever may record
the measure it carries out (access.may_record_project)."""

import django_filters
from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from households import access
from households.api import codes
from households.models import Household, Member, ReliefMeasure

from . import services
from .models import (
    EDUCATION_CHANNEL,
    EMPLOYMENT_CHANNEL,
    LOAN_CHANNEL,
    TRAINING_CHANNEL,
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    Job,
    Pilot,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    TrainingInstitution,
    Workshop,
)
from .selectors import in_project_counties

def ids(field: str) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(field_name=field)


# ---------------------------------------------------------------- serializers


class ScopedSerializer(serializers.ModelSerializer):
    """A write may name only what its author sees: the members and measures of the households they
    see, the units (and villages) of the counties whose projects of `channel` they read. Anything else
    "does not exist": a 400 naming the field, before any rule is asked."""

    channel: str | None = None
    units: tuple[str, ...] = ()  # the fields naming a unit, or a post's village

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or request.method in SAFE_METHODS:
            return fields  # a read, or the schema
        user = request.user
        for name in self.units:
            fields[name].queryset = in_project_counties(fields[name].queryset, user, self.channel)
        if not {"member", "measure", "households"} & set(fields):
            return fields
        households = access.households_visible_to(user)
        for name, model in (("member", Member), ("measure", ReliefMeasure)):
            if name in fields:
                fields[name].queryset = model.objects.filter(household__in=households)
        if "households" in fields:
            fields["households"].child_relation.queryset = households
        return fields


class GuaranteeFundSerializer(ScopedSerializer):
    loan_count = serializers.IntegerField(read_only=True, help_text="担保贷款笔数")
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                           help_text="在保余额（元）：未还清贷款的金额之和")
    households_served = serializers.IntegerField(read_only=True, help_text="服务贫困户数")

    class Meta:
        model = GuaranteeFund
        fields = ["id", "name", "county", "township", "capital", "partner_bank", "founded_year", "loan_count",
                  "outstanding", "households_served"]
        validators = []  # one name a county: the model's clean() says so, naming the name


class LinkSerializer(ScopedSerializer):
    """A record of a member: who (name and household number, never the ID number) and the measure
    it carries out, made by the service when none is given."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    household = serializers.IntegerField(source="member.household_id", read_only=True)
    household_number = serializers.CharField(source="member.household.number", read_only=True)
    county = serializers.CharField(source="county_code", read_only=True, help_text="项目所在县(市、区)代码")

    @property
    def channel(self):
        return self.Meta.model.channel

    class Meta:
        extra_kwargs = {"measure": {"required": False, "help_text": "该户本渠道的帮扶措施；不填则自动登记一条"}}
        validators = []  # once a year (a course): the model's clean() says so, naming the member


class GuaranteedLoanSerializer(ScopedSerializer):
    """A guaranteed loan: its household, amount and term are its measure's (二.(一).6)."""

    channel, units = LOAN_CHANNEL, ("fund",)
    household = serializers.IntegerField(source="measure.household_id", read_only=True)
    household_number = serializers.CharField(source="measure.household.number", read_only=True)
    amount = serializers.DecimalField(source="measure.amount", max_digits=12, decimal_places=2, read_only=True,
                                      help_text="贷款金额（元），取自措施")
    term_months = serializers.IntegerField(source="measure.term_months", read_only=True,
                                           help_text="贷款期限（月），取自措施")
    county = serializers.CharField(source="fund.county_id", read_only=True)

    class Meta:
        model = GuaranteedLoan
        fields = ["id", "fund", "county", "measure", "household", "household_number", "amount", "term_months", "bank",
                  "interest_subsidy", "issued_on", "repaid_on"]


class WorkshopSerializer(ScopedSerializer):
    class Meta:
        model = Workshop
        fields = ["id", "name", "county", "township", "village", "enterprise", "outside_county", "founded_year",
                  "alleviation_model"]


class JobSerializer(LinkSerializer):
    units = ("workshop",)

    class Meta(LinkSerializer.Meta):
        model = Job
        fields = ["id", "workshop", "county", "member", "member_name", "household", "household_number", "measure",
                  "year", "monthly_wage"]


class PublicPostSerializer(LinkSerializer):
    units = ("village",)

    class Meta(LinkSerializer.Meta):
        model = PublicPost
        fields = ["id", "kind", "title", "county", "village", "member", "member_name", "household", "household_number",
                  "measure", "year", "monthly_pay"]


class PilotHouseholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "number"]


class PilotSerializer(serializers.ModelSerializer):
    """A pilot as read: the households it brings along that the reader may see, and how many it
    brings along in all."""

    households = PilotHouseholdSerializer(source="visible_households", many=True, read_only=True,
                                          help_text="帮带贫困户（仅列出调用者可查看的户）")
    household_count = serializers.IntegerField(read_only=True, help_text="帮带贫困户总数")

    class Meta:
        model = Pilot
        fields = ["id", "kind", "name", "county", "village", "link_type", "alleviation_model", "year", "households",
                  "household_count"]


class PilotInputSerializer(ScopedSerializer):
    households = serializers.PrimaryKeyRelatedField(
        queryset=Household.objects.none(), many=True, required=False, help_text="帮带贫困户的 id；不填则不变"
    )

    class Meta:
        model = Pilot
        fields = ["kind", "name", "county", "village", "link_type", "alleviation_model", "year", "households"]
        validators = []  # a village once: the model's clean() says so, naming the village


class EducationFundSerializer(ScopedSerializer):
    raised = serializers.DecimalField(max_digits=15, decimal_places=2, read_only=True, help_text="筹集合计（元）")

    class Meta:
        model = EducationFund
        fields = ["id", "name", "county", "township", "village", "founded_year", "government_funds", "donations",
                  "raised"]
        validators = []


class StudentAidSerializer(LinkSerializer):
    units = ("fund",)

    class Meta(LinkSerializer.Meta):
        model = StudentAid
        fields = ["id", "fund", "county", "member", "member_name", "household", "household_number", "measure", "year",
                  "amount"]


class TrainingInstitutionSerializer(ScopedSerializer):
    class Meta:
        model = TrainingInstitution
        fields = ["id", "name", "county", "agreement_signed_on"]
        validators = []


class TrainingCourseSerializer(ScopedSerializer):
    channel, units = TRAINING_CHANNEL, ("institution",)
    county = serializers.CharField(source="institution.county_id", read_only=True)

    class Meta:
        model = TrainingCourse
        fields = ["id", "institution", "county", "name", "year", "started_on", "ended_on"]


class TrainingSerializer(LinkSerializer):
    units = ("course",)

    class Meta(LinkSerializer.Meta):
        model = Training
        fields = ["id", "course", "county", "member", "member_name", "household", "household_number", "measure",
                  "fee_waived", "board_waived", "certification_waived", "guidance_given", "job_referred",
                  "loan_subsidy_given", "certified"]


# ---------------------------------------------------------------- filters


class GuaranteeFundFilter(django_filters.FilterSet):
    class Meta:
        model = GuaranteeFund
        fields = ["county", "township", "founded_year"]


class LoanFilter(django_filters.FilterSet):
    county = codes("fund__county")
    fund = ids("fund")
    household = ids("measure__household")
    year = django_filters.NumberFilter(field_name="measure__year", label="措施年度")
    repaid = django_filters.BooleanFilter(field_name="repaid_on", lookup_expr="isnull", exclude=True, label="已还清")

    class Meta:
        model = GuaranteedLoan
        fields = ["county", "fund", "household", "year", "repaid"]


class WorkshopFilter(django_filters.FilterSet):
    county = codes("county")

    class Meta:
        model = Workshop
        fields = ["county", "township", "village", "founded_year", "outside_county", "alleviation_model"]


class LinkFilter(django_filters.FilterSet):
    household = ids("member__household")
    member = ids("member")


class JobFilter(LinkFilter):
    county = codes("workshop__county")
    workshop = ids("workshop")

    class Meta:
        model = Job
        fields = ["county", "workshop", "household", "member", "year"]


class PublicPostFilter(LinkFilter):
    county = codes("county")

    class Meta:
        model = PublicPost
        fields = ["county", "village", "kind", "household", "member", "year"]


class PilotFilter(django_filters.FilterSet):
    class Meta:
        model = Pilot
        fields = ["county", "village", "kind", "link_type", "alleviation_model", "year"]


class EducationFundFilter(django_filters.FilterSet):
    class Meta:
        model = EducationFund
        fields = ["county", "township", "village", "founded_year"]


class StudentAidFilter(LinkFilter):
    county = codes("fund__county")
    fund = ids("fund")

    class Meta:
        model = StudentAid
        fields = ["county", "fund", "household", "member", "year"]


class TrainingCourseFilter(django_filters.FilterSet):
    county = codes("institution__county")
    institution = ids("institution")

    class Meta:
        model = TrainingCourse
        fields = ["county", "institution", "year"]


class TrainingFilter(LinkFilter):
    county = codes("course__institution__county")
    institution = ids("course__institution")
    course = ids("course")
    year = django_filters.NumberFilter(field_name="course__year", label="培训班年度")

    class Meta:
        model = Training
        fields = ["county", "institution", "course", "year", "household", "member", "certified"]


# ---------------------------------------------------------------- views


class ProjectViewSet(viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering = ["id"]

    @property
    def model(self):
        return self.queryset.model

    def perform_destroy(self, instance):
        self.require_writable(instance)
        services.project_delete(record=instance)  # one that others point to: ProtectedError, a 409


class UnitViewSet(ProjectViewSet):
    """A project's unit: read in the counties whose projects of `channel` the user reads (404 beyond),
    written in those where they may set them up. A user who may set up none is refused every write
    (403); a unit placed in a county outside theirs is a 400 naming `place`, the field that places it."""

    channel: str | None = None
    place = "county"
    search_fields = ["name"]
    ordering_fields = ["id", "name"]

    def get_queryset(self):
        return in_project_counties(self.queryset, self.request.user, self.channel).order_by("id")

    def writable_counties(self):
        return access.project_counties_writable_by(self.request.user, self.channel)

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in SAFE_METHODS and not self.writable_counties().exists():
            raise PermissionDenied(f"您的角色不能登记或修改{self.model._meta.verbose_name_plural}")

    def require_writable(self, record):
        if not self.writable_counties().filter(pk=record.county_code).exists():
            raise PermissionDenied(f"您不能修改该县(市、区)的{self.model._meta.verbose_name}")

    def require_place(self, record):
        if not self.writable_counties().filter(pk=record.county_code).exists():
            raise ValidationError({self.place: [f"不在您可以登记{self.model._meta.verbose_name}的县(市、区)内"]})

    def perform_create(self, serializer):
        record = self.model(**serializer.validated_data)
        self.require_place(record)
        services.project_save(record=record)
        serializer.instance = self.get_queryset().get(pk=record.pk)  # as a read shows it (a fund's sums)

    def perform_update(self, serializer):
        record = serializer.instance
        self.require_writable(record)
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        self.require_place(record)
        services.project_save(record=record)


class LinkViewSet(ProjectViewSet):
    """Records of a person: read with their household (404 beyond), written by whoever may record
    the measure of the project's channel for that household (403 otherwise)."""

    household_path = "member__household"
    search_fields = ["member__name", "member__household__number"]
    ordering_fields = ["id", "year"]

    def get_queryset(self):
        households = access.households_visible_to(self.request.user)
        return self.queryset.filter(**{f"{self.household_path}__in": households}).order_by("id")

    @staticmethod
    def household_of(record) -> Household:
        return record.member.household

    def require_writable(self, record):
        if not access.may_record_project(self.request.user, self.household_of(record), record.channel):
            raise PermissionDenied(f"您不能为该户登记{self.model._meta.verbose_name}")

    def perform_create(self, serializer):
        record = self.model(**serializer.validated_data)
        self.require_writable(record)
        serializer.instance = services.link_save(record=record)

    def perform_update(self, serializer):
        record = serializer.instance
        self.require_writable(record)
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        self.require_writable(record)  # the member (or the loan's measure) may be another household's
        services.link_save(record=record)


# 1. 乡村扶贫担保工程


@extend_schema(tags=["五项工程：扶贫担保"], description=(
    "乡村扶贫担保基金（三.(一).1），县级或乡镇级，含基金规模与合作银行。县扶贫办录入员登记本县的，人行/银监（金融扶持一批）"
    "登记各县的；可查看该县贫困户的用户可读。"))
class GuaranteeFundViewSet(UnitViewSet):
    queryset = GuaranteeFund.objects.with_guarantees()
    serializer_class = GuaranteeFundSerializer
    filterset_class = GuaranteeFundFilter
    channel = LOAN_CHANNEL
    search_fields = ["name", "partner_bank"]
    ordering_fields = ["id", "name", "capital", "founded_year", "outstanding"]


@extend_schema(tags=["五项工程：扶贫担保"], description=(
    "担保基金担保的扶贫小额贷款（二.(一).6、三.(一).1）。须指定该户的金融扶持措施（measure），贷款的户、金额（≤5万元）"
    "与期限（≤36个月）取自该措施；只能由该户所在县的担保基金担保。按户的可见范围返回；可为该户登记金融扶持措施的用户可登记。"))
class GuaranteedLoanViewSet(LinkViewSet):
    queryset = GuaranteedLoan.objects.select_related("measure__household", "fund")
    serializer_class = GuaranteedLoanSerializer
    filterset_class = LoanFilter
    household_path = "measure__household"
    search_fields = ["measure__household__number", "fund__name"]
    ordering_fields = ["id", "issued_on", "repaid_on", "interest_subsidy"]

    @staticmethod
    def household_of(loan) -> Household:
        return loan.measure.household


# 2. 家门口扶贫就业工程


@extend_schema(tags=["五项工程：家门口就业"], description=(
    "就业扶贫车间（加工点，三.(一).2(2)），所在县由乡镇得出。县扶贫办录入员登记本县的；可查看该县贫困户的用户可读。"))
class WorkshopViewSet(UnitViewSet):
    queryset = Workshop.objects.all()
    serializer_class = WorkshopSerializer
    filterset_class = WorkshopFilter
    channel, place = EMPLOYMENT_CHANNEL, "township"
    search_fields = ["name", "enterprise"]
    ordering_fields = ["id", "name", "founded_year"]


@extend_schema(tags=["五项工程：家门口就业"], description=(
    "贫困劳动力在扶贫车间务工，每人每车间每年一条。不填帮扶措施（measure）时自动为该户登记一条劳动互助措施。"
    "成员须属在册贫困户；按户的可见范围返回，只显示成员姓名与户编号。"))
class JobViewSet(LinkViewSet):
    queryset = Job.objects.select_related("member__household", "workshop")
    serializer_class = JobSerializer
    filterset_class = JobFilter
    ordering_fields = ["id", "year", "monthly_wage"]


@extend_schema(tags=["五项工程：家门口就业"], description=(
    "公益性扶贫岗位（村保洁员、乡村公路养护工、学校后勤等，二.(一).7、三.(一).2(3)）。上岗人员须属在册贫困户；"
    "不填帮扶措施时自动登记一条劳动互助措施。"))
class PublicPostViewSet(LinkViewSet):
    queryset = PublicPost.objects.select_related("member__household")
    serializer_class = PublicPostSerializer
    filterset_class = PublicPostFilter
    ordering_fields = ["id", "year", "monthly_pay"]


# 3. 精准扶贫试点示范工程


@extend_schema(tags=["五项工程：试点示范"], description=(
    "试点示范（三.(一).3）：整村推进试点示范村（20–30个），或龙头企业、示范社、示范农场（10–20个）及其利益联接机制和帮带"
    "贫困户。数量超出计划范围在计划一致性检查中报告，不拒绝。由市农业局（农办）审核员确定；可查看该县的用户可读，"
    "households 只列出调用者可查看的户，household_count 为帮带户总数。"))
class PilotViewSet(UnitViewSet):
    queryset = Pilot.objects.all()
    serializer_class = PilotSerializer
    filterset_class = PilotFilter
    ordering_fields = ["id", "name", "year"]

    def get_queryset(self):
        visible = access.households_visible_to(self.request.user).order_by("id")
        return super().get_queryset().annotate(household_count=Count("households")).prefetch_related(
            Prefetch("households", queryset=visible, to_attr="visible_households"))

    def get_serializer_class(self):
        return PilotInputSerializer if self.action in ("create", "partial_update") else PilotSerializer

    def answer(self, pilot, status_code=status.HTTP_200_OK):
        pilot = self.get_queryset().get(pk=pilot.pk)
        return Response(PilotSerializer(pilot, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=PilotInputSerializer, responses={201: PilotSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.answer(serializer.instance, status.HTTP_201_CREATED)

    @extend_schema(request=PilotInputSerializer, responses=PilotSerializer)
    def partial_update(self, request, *args, **kwargs):
        pilot = self.get_object()
        serializer = self.get_serializer(pilot, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.answer(pilot)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        households = data.pop("households", None)
        pilot = Pilot(**data)
        self.require_place(pilot)
        serializer.instance = services.pilot_save(pilot=pilot, households=households)

    def perform_update(self, serializer):
        pilot = serializer.instance
        self.require_writable(pilot)
        data = dict(serializer.validated_data)
        households = data.pop("households", None)
        for name, value in data.items():
            setattr(pilot, name, value)
        self.require_place(pilot)
        services.pilot_save(pilot=pilot, households=households)


# 4. 乡村教育助学工程


@extend_schema(tags=["五项工程：教育助学"], description=(
    "乡村教育助学基金（三.(一).4）：政府投入与社会捐资，全部用于当地贫困家庭学生。县扶贫办录入员登记本县的，"
    "市教育局（教育资助一批）登记各县的。"))
class EducationFundViewSet(UnitViewSet):
    queryset = EducationFund.objects.all()
    serializer_class = EducationFundSerializer
    filterset_class = EducationFundFilter
    channel = EDUCATION_CHANNEL
    ordering_fields = ["id", "name", "founded_year"]


@extend_schema(tags=["五项工程：教育助学"], description=(
    "助学基金对当地贫困家庭在校生的资助，每人每基金每年一条。不填帮扶措施时自动为该户登记一条教育资助措施。"))
class StudentAidViewSet(LinkViewSet):
    queryset = StudentAid.objects.select_related("member__household", "fund")
    serializer_class = StudentAidSerializer
    filterset_class = StudentAidFilter
    ordering_fields = ["id", "year", "amount"]


# 5. 就业技能培训工程


@extend_schema(tags=["五项工程：技能培训"], description=(
    "就业技能培训机构或培训基地及其定向培养协议（三.(一).5(1)）。县扶贫办录入员登记本县的，市人社局（技能培训一批）登记各县的。"))
class TrainingInstitutionViewSet(UnitViewSet):
    queryset = TrainingInstitution.objects.all()
    serializer_class = TrainingInstitutionSerializer
    channel = TRAINING_CHANNEL


@extend_schema(tags=["五项工程：技能培训"], description="培训机构每年开办的培训班；所在县为培训机构所在县。")
class TrainingCourseViewSet(UnitViewSet):
    queryset = TrainingCourse.objects.select_related("institution")
    serializer_class = TrainingCourseSerializer
    filterset_class = TrainingCourseFilter
    channel, place = TRAINING_CHANNEL, "institution"
    ordering_fields = ["id", "name", "year", "started_on"]


@extend_schema(tags=["五项工程：技能培训"], description=(
    "贫困劳动力参加培训班，记录“三减免”（培训费、食宿费、技能鉴定费）与“三优先”（就业指导、推荐就业、贷款贴息补助），"
    "三.(一).5(2)。不填帮扶措施时自动为该户登记一条技能培训措施；脱贫多年后仍登记培训的，在数据核查中报告。"))
class TrainingViewSet(LinkViewSet):
    queryset = Training.objects.select_related("member__household", "course__institution")
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    ordering_fields = ["id"]
