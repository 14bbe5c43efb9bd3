"""Helpers (帮扶责任人) and their assignments to households through the REST API: /api/v1/helpers/ and
/api/v1/helper-assignments/ (with the assignments workbook; the visits: helper_visits.py). Thin
views: a serializer checks the shape, households/services/helpers.py decides who may and every rule;
each list is what access.py's *_visible_to lets the caller see (404 beyond it). A helper's phone is shown as access.helper_phone_display decides: by the
household's county where a household is concerned, by the helper's otherwise."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.excel import XLSX_TYPE, xlsx_response

from .. import access, services
from ..models import Helper, HelperAssignment, HelperLevel, Household
from ..workbook import helpers as helper_book
from .serializers import ImportProblemSerializer
from .views import logged_filters

# ---------------------------------------------------------------- helpers


class PhoneContextMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        request = context.get("request")
        if request is not None:
            context["show_phone"] = access.helper_phone_display(request.user)
        return context


class PhoneShownMixin:
    """`helper_phone` / `phone` fields shown as the caller may see them: `phone_county(instance)`
    names the county that decides. The views put the caller's display in the context once
    (PhoneContextMixin): a list costs one query for it, not one per row."""

    phone_field = "phone"

    def phone_county(self, instance) -> str:
        raise NotImplementedError

    def phone_of(self, instance) -> str:
        raise NotImplementedError

    def to_representation(self, instance):
        data = super().to_representation(instance)
        show = self.context.get("show_phone")
        if show is None:
            request = self.context.get("request")
            show = access.helper_phone_display(request.user) if request is not None else None
        if show is not None:
            data[self.phone_field] = show(self.phone_of(instance), self.phone_county(instance))
        return data


class HelperSerializer(PhoneShownMixin, serializers.ModelSerializer):
    class Meta:
        model = Helper
        fields = ["id", "county", "name", "unit", "post", "level", "phone"]

    def phone_county(self, helper):
        return helper.county_id

    def phone_of(self, helper):
        return helper.phone


class HelperHouseholdSerializer(serializers.ModelSerializer):
    """A household the helper answers for now (its current assignment)."""

    household_number = serializers.CharField(source="household.number", read_only=True)
    village = serializers.CharField(source="household.village_id", read_only=True)

    class Meta:
        model = HelperAssignment
        fields = ["id", "household", "household_number", "village", "started_on", "reason"]


class HelperDetailSerializer(HelperSerializer):
    households = serializers.SerializerMethodField(help_text="当前帮扶的贫困户（调用者可见的）")

    class Meta(HelperSerializer.Meta):
        fields = [*HelperSerializer.Meta.fields, "households"]

    @extend_schema_field(HelperHouseholdSerializer(many=True))
    def get_households(self, helper):
        return HelperHouseholdSerializer(helper.current_assignments, many=True).data


class HelperInputSerializer(serializers.ModelSerializer):
    """What a caller gives; every rule (a phone that is not one, the same name and unit twice in a
    county, a county the caller does not write) is the service's, 400 naming the field."""

    class Meta:
        model = Helper
        fields = ["county", "name", "unit", "post", "level", "phone"]
        extra_kwargs = {"level": {"required": False, "default": HelperLevel.CADRE}}
        validators = []  # one helper per county, name and unit: the service says so, naming the field


class HelperFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="county", label="县(市、区)代码")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名（包含）")
    unit = django_filters.CharFilter(field_name="unit", lookup_expr="icontains", label="帮扶单位（包含）")

    class Meta:
        model = Helper
        fields = ["county", "name", "unit", "level"]


@extend_schema(tags=["帮扶责任人"], description=(
    "帮扶责任人：姓名、帮扶单位、职务、级别（county_leader 县处级、section 科级、cadre 一般干部）、联系电话、所属县。"
    "同一县内姓名与帮扶单位相同即同一人。市级审核员看到全市的；县录入员看到本县的及帮扶本县贫困户的；"
    "行业部门看到其可见贫困户的帮扶责任人。联系电话对超级用户、市级审核员和该县（帮扶责任人所属县）录入员完整显示，"
    "对其他人脱敏为 138****1234。详情的 households 为其当前帮扶的贫困户。由所属县的录入员新增和修改；"
    "不合规（电话格式、同县重名同单位）为 400 并指明字段，越权为 403。"))
@extend_schema_view(
    create=extend_schema(request=HelperInputSerializer, responses={201: HelperDetailSerializer}),
    partial_update=extend_schema(request=HelperInputSerializer, responses=HelperDetailSerializer),
    retrieve=extend_schema(responses=HelperDetailSerializer),
)
class HelperViewSet(PhoneContextMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = HelperFilter
    ordering_fields = ["id", "name", "unit"]
    ordering = ["id"]
    search_fields = ["name", "unit"]

    def get_queryset(self):
        helpers = access.helpers_visible_to(self.request.user).order_by("id")
        return self.with_households(helpers) if self.action == "retrieve" else helpers

    def with_households(self, helpers):
        """The helpers, each with its current households of those the caller sees."""
        current = (HelperAssignment.objects.filter(ended_on__isnull=True,
                                                   household__in=access.households_visible_to(self.request.user))
                   .select_related("household").order_by("household__number"))
        return helpers.prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return HelperInputSerializer
        return HelperDetailSerializer if self.action == "retrieve" else HelperSerializer

    def create(self, request, *args, **kwargs):
        data = HelperInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        helper = services.helper_create(actor=request.user, **data.validated_data)
        return self.answer(helper, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        helper = self.get_object()
        data = HelperInputSerializer(helper, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.helper_update(actor=request.user, helper=helper, **data.validated_data)
        return self.answer(helper)

    def answer(self, helper, status_code=200):
        helper = self.with_households(Helper.objects.filter(pk=helper.pk)).get()
        return Response(HelperDetailSerializer(helper, context=self.get_serializer_context()).data,
                        status=status_code)


# ---------------------------------------------------------------- assignments


class AssignmentSerializer(PhoneShownMixin, serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    county = serializers.CharField(source="household.county_code", read_only=True)
    helper_name = serializers.CharField(source="helper.name", read_only=True)
    helper_unit = serializers.CharField(source="helper.unit", read_only=True)
    helper_phone = serializers.CharField(source="helper.phone", read_only=True)
    current = serializers.SerializerMethodField()
    phone_field = "helper_phone"

    class Meta:
        model = HelperAssignment
        fields = ["id", "household", "household_number", "county", "helper", "helper_name", "helper_unit",
                  "helper_phone", "started_on", "ended_on", "reason", "current"]
        read_only_fields = fields

    def get_current(self, assignment) -> bool:
        return assignment.ended_on is None

    def phone_county(self, assignment):
        return assignment.household.county_code

    def phone_of(self, assignment):
        return assignment.helper.phone


class AssignmentStartInput(serializers.Serializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none(), help_text="贫困户 id")
    # Any helper: one of another county may be given, with a reason (the service asks for it).
    helper = serializers.PrimaryKeyRelatedField(queryset=Helper.objects.all(), help_text="帮扶责任人 id")
    started_on = serializers.DateField(help_text="起始日期（不晚于今天）；该户原来的帮扶关系在前一天终止")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text="变更原因（帮扶责任人属另一县时必填）")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # None: the schema's generator
            # A household the caller does not see "does not exist" (400), as in every other write.
            self.fields["household"].queryset = access.households_visible_to(user)


class AssignmentUpdateInput(serializers.Serializer):
    started_on = serializers.DateField(required=False)
    ended_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AssignmentEndInput(serializers.Serializer):
    ended_on = serializers.DateField(help_text="终止日期")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="变更原因")


class AssignmentFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="household__village__township__county", label="县(市、区)代码")
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label="是否为当前帮扶关系")

    class Meta:
        model = HelperAssignment
        fields = ["household", "helper", "current", "county"]


class WorkbookUpload(serializers.Serializer):
    file = serializers.FileField(help_text="帮扶关系表 .xlsx")
    dry_run = serializers.BooleanField(default=False, help_text="只检查，不写入")


class WorkbookReport(serializers.Serializer):
    written = serializers.BooleanField(help_text="是否已写入")
    rows = serializers.IntegerField(help_text="数据行数（不含空行）")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="导入服务的计数")
    problems = ImportProblemSerializer(many=True)  # the registry workbook's problems, the same shape


@extend_schema(tags=["帮扶责任人"], description=(
    "帮扶关系：某户在某段时间（起始日期至终止日期，终止日期为空表示至今）由某位帮扶责任人负责；任一日期每户至多一位。"
    "新增帮扶关系时，该户当前的帮扶关系在新起始日期的前一天终止（保留原记录及其日期）。只列出调用者可见的户的帮扶关系；"
    "联系电话按该户所在县决定是否脱敏。由可修改该户的用户办理；不合规（与已终止的帮扶关系重叠、终止早于起始、"
    "起始日期晚于今天、该户已清退、帮扶责任人属另一县而未填原因）为 400 并指明字段，越权为 403，看不到的为 404。"))
@extend_schema_view(
    create=extend_schema(request=AssignmentStartInput, responses={201: AssignmentSerializer}),
    partial_update=extend_schema(request=AssignmentUpdateInput, responses=AssignmentSerializer),
)
class HelperAssignmentViewSet(PhoneContextMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["id", "started_on"]
    ordering = ["id"]

    def get_queryset(self):
        return (access.helper_assignments_visible_to(self.request.user)
                .select_related("helper", "household").order_by("id"))

    def answer(self, assignment, status_code=200):
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(AssignmentSerializer(assignment, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        data = AssignmentStartInput(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_start(actor=request.user, **data.validated_data)
        return self.answer(assignment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        assignment = self.get_object()
        data = AssignmentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(services.assignment_update(actor=request.user, assignment=assignment,
                                                      **data.validated_data))

    @extend_schema(request=AssignmentEndInput, responses={200: AssignmentSerializer},
                   summary="终止帮扶关系（终止日期及原因）")
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def end(self, request, pk=None):
        assignment = self.get_object()
        data = AssignmentEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(services.assignment_end(actor=request.user, assignment=assignment,
                                                   **data.validated_data))

    @extend_schema(summary="帮扶关系表空白模板", description="户编号、帮扶责任人、帮扶单位、联系电话、起始日期。",
                   responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, pagination_class=None, filter_backends=[])
    def template(self, request):
        return xlsx_response(helper_book.template(), f"{helper_book.TITLE}模板.xlsx")

    @extend_schema(
        summary="导出帮扶关系表",
        description="按与列表相同的筛选条件导出调用者可见的户的当前帮扶关系，每户一行（与模板同一表样，可原样导入）；"
        "联系电话按权限脱敏；每次导出都记入导出记录。",
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, pagination_class=None)
    def export(self, request):
        assignments = self.filter_queryset(self.get_queryset()).filter(ended_on__isnull=True)
        content = helper_book.export(assignments, actor=request.user, door="api",
                                     filters=logged_filters(request, AssignmentFilter))
        return xlsx_response(content, f"{helper_book.TITLE}.xlsx")

    @extend_schema(
        summary="从Excel导入帮扶关系表",
        description="上传帮扶关系表（multipart 字段 file），每户一行：户编号、帮扶责任人、帮扶单位、联系电话、起始日期"
        "（空白为今天）。按县、姓名和单位找到或新增帮扶责任人，与该户当前帮扶责任人不同时自起始日期起新建帮扶关系。"
        "全有或全无：有任何一行被拒绝（户编号不存在或不在您的范围内、同一户重复、同一帮扶责任人两个电话、电话格式不对、"
        "与已有帮扶关系重叠等）则不写入，返回 422 和每个被拒绝的行、列、值、原因；文件本身无法读取时返回 400。"
        "dry_run=true 只检查。",
        request={"multipart/form-data": WorkbookUpload},
        responses={200: WorkbookReport, 422: WorkbookReport})
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None, filter_backends=[])
    def import_workbook(self, request):
        query = WorkbookUpload(data=request.data)
        query.is_valid(raise_exception=True)
        upload = query.validated_data["file"]
        try:
            report = helper_book.import_file(upload.read(), actor=request.user,
                                             dry_run=query.validated_data["dry_run"])
        except helper_book.WorkbookError as e:
            raise ValidationError({"file": [str(e)]}) from None
        return Response(WorkbookReport(report.as_dict()).data, status=422 if report.problems else 200)
