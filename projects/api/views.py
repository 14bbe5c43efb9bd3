"""The five projects (五项工程, plan 三.(一)) through the REST API (/api/v1/). Thin views, as in
households/api/: serializers check the shape, projects/services.py decides who may write and every
rule, projects/access.py what each caller reads.

Two kinds of resource. A project's unit (a guarantee fund, a workshop, a pilot, an education fund, a
training institution or course) belongs to a county: it is read where the user reads that county's
projects of its channel (access.project_counties_visible_to) and written where they may set them up
(access.project_counties_writable_by). A record of a person (a loan, a job, a post, a grant, a
training) is read with its household (households_visible_to) and written by whoever may record
the measure it carries out (access.may_record_project)."""

from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from common.api import WriteGate
from households import access as registry_access

from .. import services
from ..access import in_project_counties
from ..models import (
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
from .filters import (
    EducationFundFilter,
    GuaranteeFundFilter,
    JobFilter,
    LoanFilter,
    PilotFilter,
    PublicPostFilter,
    StudentAidFilter,
    TrainingCourseFilter,
    TrainingFilter,
    WorkshopFilter,
)
from .serializers import (
    EducationFundSerializer,
    GuaranteedLoanSerializer,
    GuaranteeFundSerializer,
    JobSerializer,
    PilotInputSerializer,
    PilotSerializer,
    PublicPostSerializer,
    StudentAidSerializer,
    TrainingCourseSerializer,
    TrainingInstitutionSerializer,
    TrainingSerializer,
    WorkshopSerializer,
)


class ProjectViewSet(viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering = ["id"]

    @property
    def model(self):
        return self.queryset.model

    def perform_destroy(self, instance):
        # One that others point to: ProtectedError, a 409.
        services.project_delete(actor=self.request.user, record=instance)


class UnitViewSet(WriteGate, ProjectViewSet):
    """A project's unit: read in the counties whose projects of its channel the user reads (404
    beyond); written where the service lets the user set them up (403 for a user who may set up none
    or a unit of another county, 400 naming the field that places a unit outside their counties)."""

    search_fields = ["name"]
    ordering_fields = ["id", "name"]
    write_gate = staticmethod(services.unit_gate)

    def get_queryset(self):
        return in_project_counties(self.queryset, self.request.user, self.model.channel).order_by("id")

    def perform_create(self, serializer):
        record = services.project_save(actor=self.request.user, record=self.model(**serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=record.pk)  # as a read shows it (a fund's sums)

    def perform_update(self, serializer):
        record = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        services.project_save(actor=self.request.user, record=record)


class LinkViewSet(ProjectViewSet):
    """Records of a person: read with their household (404 beyond), written by whoever may record
    the measure of the project's channel for that household (403 otherwise)."""

    household_path = "member__household"
    search_fields = ["member__name", "member__household__number"]
    ordering_fields = ["id", "year"]

    def get_queryset(self):
        households = registry_access.households_visible_to(self.request.user)
        return self.queryset.filter(**{f"{self.household_path}__in": households}).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = services.link_save(actor=self.request.user,
                                                 record=self.model(**serializer.validated_data))

    def perform_update(self, serializer):
        record = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        services.link_save(actor=self.request.user, record=record)


# ---------------------------------------------------------------- the units

@extend_schema(tags=["五项工程：扶贫担保"], description=(
    "乡村扶贫担保基金（三.(一).1），县级或乡镇级，含基金规模与合作银行。县扶贫办录入员登记本县的，人行/银监（金融扶持一批）"
    "登记各县的；可查看该县贫困户的用户可读。"))
class GuaranteeFundViewSet(UnitViewSet):
    queryset = GuaranteeFund.objects.with_guarantees()
    serializer_class = GuaranteeFundSerializer
    filterset_class = GuaranteeFundFilter
    search_fields = ["name", "partner_bank"]
    ordering_fields = ["id", "name", "capital", "founded_year", "outstanding"]


@extend_schema(tags=["五项工程：家门口就业"], description=(
    "就业扶贫车间（加工点，三.(一).2(2)），所在县由乡镇得出。县扶贫办录入员登记本县的；可查看该县贫困户的用户可读。"))
class WorkshopViewSet(UnitViewSet):
    queryset = Workshop.objects.all()
    serializer_class = WorkshopSerializer
    filterset_class = WorkshopFilter
    search_fields = ["name", "enterprise"]
    ordering_fields = ["id", "name", "founded_year"]


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
        visible = registry_access.households_visible_to(self.request.user).order_by("id")
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
        serializer.instance = services.pilot_save(actor=self.request.user, pilot=Pilot(**data), households=households)

    def perform_update(self, serializer):
        pilot = serializer.instance
        data = dict(serializer.validated_data)
        households = data.pop("households", None)
        for name, value in data.items():
            setattr(pilot, name, value)
        services.pilot_save(actor=self.request.user, pilot=pilot, households=households)


# 4. 乡村教育助学工程


@extend_schema(tags=["五项工程：教育助学"], description=(
    "乡村教育助学基金（三.(一).4）：政府投入与社会捐资，全部用于当地贫困家庭学生。县扶贫办录入员登记本县的，"
    "市教育局（教育资助一批）登记各县的。"))
class EducationFundViewSet(UnitViewSet):
    queryset = EducationFund.objects.all()
    serializer_class = EducationFundSerializer
    filterset_class = EducationFundFilter
    ordering_fields = ["id", "name", "founded_year"]


@extend_schema(tags=["五项工程：技能培训"], description=(
    "就业技能培训机构或培训基地及其定向培养协议（三.(一).5(1)）。县扶贫办录入员登记本县的，市人社局（技能培训一批）登记各县的。"))
class TrainingInstitutionViewSet(UnitViewSet):
    queryset = TrainingInstitution.objects.all()
    serializer_class = TrainingInstitutionSerializer


@extend_schema(tags=["五项工程：技能培训"], description="培训机构每年开办的培训班；所在县为培训机构所在县。")
class TrainingCourseViewSet(UnitViewSet):
    queryset = TrainingCourse.objects.select_related("institution")
    serializer_class = TrainingCourseSerializer
    filterset_class = TrainingCourseFilter
    ordering_fields = ["id", "name", "year", "started_on"]


# ---------------------------------------------------------------- the records of people


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


# 2. 家门口扶贫就业工程


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


@extend_schema(tags=["五项工程：教育助学"], description=(
    "助学基金对当地贫困家庭在校生的资助，每人每基金每年一条。不填帮扶措施时自动为该户登记一条教育资助措施。"))
class StudentAidViewSet(LinkViewSet):
    queryset = StudentAid.objects.select_related("member__household", "fund")
    serializer_class = StudentAidSerializer
    filterset_class = StudentAidFilter
    ordering_fields = ["id", "year", "amount"]


# 5. 就业技能培训工程


@extend_schema(tags=["五项工程：技能培训"], description=(
    "贫困劳动力参加培训班，记录“三减免”（培训费、食宿费、技能鉴定费）与“三优先”（就业指导、推荐就业、贷款贴息补助），"
    "三.(一).5(2)。不填帮扶措施时自动为该户登记一条技能培训措施；脱贫多年后仍登记培训的，在数据核查中报告。"))
class TrainingViewSet(LinkViewSet):
    queryset = Training.objects.select_related("member__household", "course__institution")
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    ordering_fields = ["id"]
