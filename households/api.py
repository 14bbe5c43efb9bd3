"""The registry's REST API (/api/v1/). Thin views: serializers check the shape of the input,
households/access.py the scope, households/services.py the rules and the writes."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from sanming_fupin.api import Conflict

from . import access, selectors, services, workbook
from .excel import XLSX_TYPE, xlsx_response
from .models import (
    AlleviationModel,
    County,
    ExitRecord,
    Household,
    Member,
    PovertyCause,
    ReliefChannel,
    ReliefMeasure,
    ReturnRecord,
    Township,
    Village,
)
from .validators import mask_id

# ---------------------------------------------------------------- serializers


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "name", "is_provincial_key"]


class TownshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["code", "name", "county", "is_city_key", "is_ethnic"]


class VillageSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_code", read_only=True)

    class Meta:
        model = Village
        fields = ["code", "name", "township", "county", "is_poor_village", "is_hollow"]


class PovertyCauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PovertyCause
        fields = ["code", "name", "channel"]


class ReliefChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReliefChannel
        fields = ["code", "name", "kind", "department"]


class AlleviationModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlleviationModel
        fields = ["code", "name", "position"]


MEMBER_FIELDS = [
    "id", "name", "id_number", "relation", "sex", "birth_date", "ethnicity", "health", "labor", "schooling",
    "disability_certificate", "draws_dibao", "draws_wubao",
]


class MaskedIdMixin:
    """ID numbers are personal data: shown as 350424********1234 unless the caller may see them whole."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not access.may_see_full_id(request.user):
            data["id_number"] = mask_id(data["id_number"])
        return data


class NestedMemberSerializer(MaskedIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        extra_kwargs = {"sex": {"required": False}, "birth_date": {"required": False}}


class MemberSerializer(NestedMemberSerializer):
    class Meta(NestedMemberSerializer.Meta):
        fields = ["household", *MEMBER_FIELDS]
        validators = []  # one head, one active household: the services check the whole set


@extend_schema_field(OpenApiTypes.STR)
class CountyField(serializers.Field):
    """Out: the household's county code, from its village. In (optional): the county the caller
    means, which the village must lie in."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, household):
        return household.county_code

    def to_internal_value(self, code):
        if not isinstance(code, str) or not County.objects.filter(pk=code).exists():
            raise serializers.ValidationError(f"无效的县(市、区)代码：{code}")
        return {"county": code}


class HouseholdSerializer(serializers.ModelSerializer):
    county = CountyField()
    members = NestedMemberSerializer(many=True)

    class Meta:
        model = Household
        fields = [
            "id", "number", "county", "village", "category", "main_cause", "other_causes", "identified_year",
            "standard", "income_per_capita", "status", "removed_reason", "helper_name", "helper_unit",
            "helper_phone", "address", "phone", "members",
        ]
        read_only_fields = ["status", "removed_reason"]


class HouseholdUpdateSerializer(HouseholdSerializer):
    """Changes a household's own fields; its members are changed through members/."""

    members = NestedMemberSerializer(many=True, read_only=True)


class ReliefMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReliefMeasure
        fields = ["id", "household", "channel", "year", "date", "content", "amount", "term_months", "unit",
                  "alleviation_model"]


class ExitRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExitRecord
        fields = ["id", "household", "year", "persons", "income_per_capita", "verified_by"]
        read_only_fields = ["persons"]
        validators = []  # one exit a year: the service says so, naming the year


class ReturnRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnRecord
        fields = ["id", "household", "year", "persons", "reason", "verified_by"]
        read_only_fields = ["persons"]
        validators = []


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    model = serializers.CharField(help_text="household, member, reliefmeasure, exitrecord, returnrecord")
    object_id = serializers.CharField()
    type = serializers.ChoiceField(["created", "changed", "deleted"])
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


# ---------------------------------------------------------------- filters


def codes(field):
    return django_filters.CharFilter(field_name=field)


def logged_filters(request, filterset_class) -> dict:
    """The query's known filters, as the export log keeps them (unknown parameters are ignored)."""
    known = {*filterset_class.base_filters, "search", "ordering"}
    return {k: v for k, v in request.query_params.lists() if k in known}


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="建档立卡贫困户家庭成员表 .xlsx")
    dry_run = serializers.BooleanField(default=False, help_text="只检查，不写入")


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="工作表中的行号")
    column = serializers.CharField(help_text="列的表头")
    value = serializers.CharField()
    reason = serializers.CharField()


class ImportCountsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    update = serializers.IntegerField()
    skip = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    written = serializers.BooleanField(help_text="是否已写入")
    rows = serializers.IntegerField(help_text="数据行数（不含空行）")
    households = ImportCountsSerializer(help_text="贫困户：新增、更新、不变")
    members = ImportCountsSerializer(help_text="家庭成员：新增、更新、不变")
    refused_rows = serializers.ListField(child=serializers.IntegerField())
    problems = ImportProblemSerializer(many=True)
    ignored_headers = serializers.ListField(child=serializers.CharField(), help_text="无法识别而忽略的列")


class HouseholdFilter(django_filters.FilterSet):
    county = codes("village__township__county")
    township = codes("village__township")
    village = codes("village")
    cause = django_filters.CharFilter(method="filter_cause", label="致贫原因（主要或其他）")
    identified_year = django_filters.NumberFilter()
    exit_year = django_filters.NumberFilter(field_name="exits__year", distinct=True)

    class Meta:
        model = Household
        fields = ["county", "township", "village", "category", "cause", "status", "identified_year", "exit_year"]

    def filter_cause(self, queryset, name, value):
        return queryset.filter(Q(main_cause=value) | Q(other_causes=value)).distinct()


class MemberFilter(django_filters.FilterSet):
    county = codes("household__village__township__county")
    village = codes("household__village")

    class Meta:
        model = Member
        fields = ["household", "county", "village", "relation", "sex", "health", "labor"]


class RecordFilter(django_filters.FilterSet):
    county = codes("household__village__township__county")
    village = codes("household__village")


class MeasureFilter(RecordFilter):
    class Meta:
        model = ReliefMeasure
        fields = ["household", "county", "village", "channel", "year", "alleviation_model"]


class ExitFilter(RecordFilter):
    class Meta:
        model = ExitRecord
        fields = ["household", "county", "village", "year"]


class ReturnFilter(RecordFilter):
    class Meta:
        model = ReturnRecord
        fields = ["household", "county", "village", "year"]


# ---------------------------------------------------------------- views


class ReferenceViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data, short lists read by everyone, identified by their codes."""

    pagination_class = None
    lookup_value_regex = "[a-z_]+"


@extend_schema(tags=["行政区划"], description="附件所列 12 个县(市、区)，以 6 位区划代码为标识。")
class CountyViewSet(ReferenceViewSet):
    """The 12 county-level units of the annex."""

    queryset = County.objects.all()
    serializer_class = CountySerializer
    lookup_value_regex = r"\d{6}"


@extend_schema(tags=["参考数据"], description="致贫原因及其对应的帮扶渠道（代码见 GLOSSARY）。")
class PovertyCauseViewSet(ReferenceViewSet):
    queryset = PovertyCause.objects.all()
    serializer_class = PovertyCauseSerializer


@extend_schema(tags=["参考数据"], description="九个一批（kind=channel）与两保障（guarantee）、两供养（support）兜底措施，及其责任部门。")
class ReliefChannelViewSet(ReferenceViewSet):
    """The nine relief channels (kind `channel`) and the four safety nets (`guarantee`, `support`)."""

    queryset = ReliefChannel.objects.all()
    serializer_class = ReliefChannelSerializer


@extend_schema(tags=["参考数据"], description="八种模式（四.3）：扶贫模式，标记在帮扶措施、试点示范和扶贫车间上，供按模式统计；第八种由市扶贫办定义。")
class AlleviationModelViewSet(ReferenceViewSet):
    queryset = AlleviationModel.objects.all()
    serializer_class = AlleviationModelSerializer


class PlaceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Places are read by all; created by those who may register households in the county."""

    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    parent = None  # the field that places it in a county

    def perform_create(self, serializer):
        counties = access.counties_writable_by(self.request.user)
        if not counties.exists():
            raise PermissionDenied("您的角色不能登记乡镇或村")
        place = serializer.Meta.model(**serializer.validated_data)
        parent = getattr(place, self.parent)
        if not counties.filter(pk=getattr(parent, "county_id", parent.pk)).exists():
            raise ValidationError({self.parent: ["不在您可以登记的县(市、区)内"]})
        serializer.instance = services.record_save(record=place)


@extend_schema(tags=["行政区划"], description="乡镇（9 位代码＝县代码＋3 位）。有权在该县登记贫困户的用户可新增。")
class TownshipViewSet(PlaceViewSet):
    queryset = Township.objects.all()
    serializer_class = TownshipSerializer
    filterset_fields = ["county", "is_city_key", "is_ethnic"]
    parent = "county"
    lookup_value_regex = r"\d{9}"


@extend_schema(tags=["行政区划"], description="建制村（12 位代码＝乡镇代码＋3 位），含建档立卡贫困村、贫困空壳村标志。")
class VillageViewSet(PlaceViewSet):
    queryset = Village.objects.all()
    serializer_class = VillageSerializer
    filterset_fields = ["township", "is_poor_village", "is_hollow"]
    parent = "township"
    lookup_value_regex = r"\d{12}"


class ScopedViewSet(viewsets.ModelViewSet):
    """Lists and details hold only what the caller may see (404 beyond it); a write needs the
    right to change the household it touches (403), and a write pointing outside the caller's
    scope is refused naming the field (400)."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def visible_households(self):
        return access.households_visible_to(self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        household = getattr(serializer, "fields", {}).get("household")
        if household is not None and not household.read_only:
            household.queryset = self.visible_households()
        return serializer

    def require_writable(self, household):
        if not access.households_writable_by(self.request.user).filter(pk=household.pk).exists():
            raise PermissionDenied("您不能修改该户的记录")

    def perform_destroy(self, instance):
        try:
            self.destroy_record(instance)
        except DjangoValidationError as e:
            raise Conflict("；".join(e.messages)) from None


@extend_schema(tags=["贫困户"], description="贫困户及其家庭成员。一次 POST 即可登记一户及全部成员；成员的性别、出生日期由身份号码得出。只返回调用者可见的户；身份号码按权限脱敏。")
class HouseholdViewSet(ScopedViewSet):
    """Households with their members. A household and its members are registered in one POST."""

    filterset_class = HouseholdFilter
    ordering_fields = ["number", "identified_year", "income_per_capita", "id"]
    ordering = ["id"]

    def get_queryset(self):
        households = self.visible_households().order_by("id")
        if self.action == "list":
            return households  # list() reads values(), with its own queries for members and causes
        return households.prefetch_related(Prefetch("members", queryset=Member.objects.order_by("id")), "other_causes")

    def get_serializer_class(self):
        return HouseholdUpdateSerializer if self.action in ("update", "partial_update") else HouseholdSerializer

    def list(self, request, *args, **kwargs):
        # The page from values(), then its members and causes: the same JSON as the serializer
        # gives (a test holds them together), at a fraction of the cost.
        page = self.paginate_queryset(selectors.household_values(self.filter_queryset(self.get_queryset())))
        rows = selectors.household_rows(list(page), mask=not access.may_see_full_id(request.user))
        return self.get_paginated_response(rows)

    def get_search_fields(self, request):
        fields = ["number", "members__name"]
        return [*fields, "=members__id_number"] if access.may_see_full_id(request.user) else fields

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        members = [Member(**m) for m in data.pop("members")]
        other_causes, county = data.pop("other_causes", []), data.pop("county", None)
        counties = access.counties_writable_by(self.request.user)
        if not counties.exists():
            raise PermissionDenied("您的角色不能登记贫困户")
        if not counties.filter(pk=data["village"].county_code).exists():
            raise ValidationError({"village": ["该村不在您可以登记的县(市、区)内"]})
        household = Household(**data)
        serializer.instance = services.household_save(
            household=household, members=members, other_causes=other_causes, county=county
        )

    def perform_update(self, serializer):
        household = serializer.instance
        self.require_writable(household)
        data = dict(serializer.validated_data)
        other_causes, county = data.pop("other_causes", None), data.pop("county", None)
        if "village" in data and not access.counties_writable_by(self.request.user).filter(
            pk=data["village"].county_code
        ).exists():
            raise ValidationError({"village": ["该村不在您可以登记的县(市、区)内"]})
        for name, value in data.items():
            setattr(household, name, value)
        services.household_save(household=household, other_causes=other_causes, county=county)

    def destroy_record(self, household):
        self.require_writable(household)
        services.household_delete(household=household)

    @extend_schema(
        summary="空白导入模板",
        description="建档立卡贫困户家庭成员表的空白模板：表头冻结、编码列有下拉列表、第二个工作表为代码表。",
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=False, pagination_class=None, filter_backends=[])
    def template(self, request):
        return xlsx_response(workbook.households_workbook([]), "建档立卡贫困户导入模板.xlsx")

    @extend_schema(
        summary="导出为Excel",
        description="按与列表相同的筛选条件导出调用者可见的贫困户，每行一名成员（与导入模板同一表样，可原样导入）；"
        "身份号码按权限脱敏；每次导出都记入导出记录。",
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=False, pagination_class=None)
    def export(self, request):
        households = self.filter_queryset(self.visible_households())
        content = workbook.export_households(
            households, user=request.user, door="api", filters=logged_filters(request, HouseholdFilter)
        )
        return xlsx_response(content, "建档立卡贫困户.xlsx")

    @extend_schema(
        summary="从Excel导入",
        description="上传建档立卡贫困户家庭成员表（multipart 字段 file）。按户编号和身份号码新增或更新，表中未列出的成员保留；"
        "全有或全无：有任何一行被拒绝则不写入，返回 422 和每个被拒绝的行、列、值、原因；文件本身无法读取时返回 400。dry_run=true 只检查。",
        request={"multipart/form-data": ImportSerializer},
        responses={200: ImportReportSerializer, 422: ImportReportSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None, filter_backends=[])
    def import_workbook(self, request):
        if not access.counties_writable_by(request.user).exists():
            raise PermissionDenied("您的角色不能导入贫困户")
        query = ImportSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        upload = query.validated_data["file"]
        try:
            sheet = workbook.read_workbook(upload.read())
        except workbook.WorkbookError as e:
            raise ValidationError({"file": [str(e)]}) from None
        report = workbook.workbook_import(
            sheet, user=request.user, dry_run=query.validated_data["dry_run"], reason=f"Excel导入：{upload.name}"
        )
        # 422: the file was read, the registry's rules refuse rows of it (400 is a file it cannot read).
        return Response(ImportReportSerializer(report).data, status=422 if report.problems else 200)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Who changed what and when: the household and its members, measures, exits and returns."""
        household = self.get_object()
        return Response(selectors.household_history(household, mask=not access.may_see_full_id(request.user)))


@extend_schema(tags=["贫困户"], description="家庭成员。每户必须且只有一名户主；同一人只能在一个有效贫困户中。")
class MemberViewSet(ScopedViewSet):
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["id", "name", "birth_date"]
    ordering = ["id"]

    def get_queryset(self):
        return Member.objects.filter(household__in=self.visible_households()).order_by("id")

    def get_search_fields(self, request):
        return ["name", "=id_number"] if access.may_see_full_id(request.user) else ["name"]

    def perform_create(self, serializer):
        self.require_writable(serializer.validated_data["household"])
        serializer.instance = services.member_save(member=Member(**serializer.validated_data))

    def perform_update(self, serializer):
        member = serializer.instance
        self.require_writable(member.household)
        if serializer.validated_data.get("household", member.household) != member.household:
            raise ValidationError({"household": ["成员不能移到另一户；请在原户删除后在新户登记"]})
        for name, value in serializer.validated_data.items():
            setattr(member, name, value)
        services.member_save(member=member)

    def destroy_record(self, member):
        self.require_writable(member.household)
        services.member_delete(member=member)


@extend_schema(tags=["帮扶措施"], description="帮扶措施。小额贷款不超过 5 万元、36 个月；两保障只用于低保户，两供养只用于五保户。")
class ReliefMeasureViewSet(ScopedViewSet):
    serializer_class = ReliefMeasureSerializer
    filterset_class = MeasureFilter
    ordering_fields = ["id", "year", "date", "amount"]
    ordering = ["id"]

    def get_queryset(self):
        return ReliefMeasure.objects.filter(household__in=self.visible_households()).order_by("id")

    def require_recordable(self, household, channel):
        if not access.may_record_measure(self.request.user, household, channel):
            raise PermissionDenied("您不能为该户登记该渠道的帮扶措施")

    def perform_create(self, serializer):
        measure = ReliefMeasure(**serializer.validated_data)
        self.require_recordable(measure.household, measure.channel)
        serializer.instance = services.measure_save(measure=measure)

    def perform_update(self, serializer):
        measure = serializer.instance
        self.require_recordable(measure.household, measure.channel)
        for name, value in serializer.validated_data.items():
            setattr(measure, name, value)
        self.require_recordable(measure.household, measure.channel)
        services.measure_save(measure=measure)

    def destroy_record(self, measure):
        self.require_recordable(measure.household, measure.channel)
        services.measure_delete(measure=measure)


class EventViewSet(ScopedViewSet):
    """Exits and returns: the household's status follows them; only the latest can be deleted."""

    ordering_fields = ["id", "year"]
    ordering = ["id"]
    save_service = delete_service = None

    def get_queryset(self):
        model = self.get_serializer_class().Meta.model
        return model.objects.filter(household__in=self.visible_households()).order_by("id")

    def perform_create(self, serializer):
        record = serializer.Meta.model(**serializer.validated_data)
        self.require_writable(record.household)
        serializer.instance = type(self).save_service(record=record)

    def perform_update(self, serializer):
        record = serializer.instance
        self.require_writable(record.household)
        for name in ("household", "year"):
            if name in serializer.validated_data and serializer.validated_data[name] != getattr(record, name):
                raise ValidationError({name: ["不能修改；请撤销这条记录后重新登记"]})
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        type(self).save_service(record=record)

    def destroy_record(self, record):
        self.require_writable(record.household)
        type(self).delete_service(record=record)


@extend_schema(tags=["脱贫与返贫"], description="脱贫记录。人数为登记时的家庭人数；每户每年一条，不早于识别年份；户状态随之变化，只能撤销最近一条。")
class ExitRecordViewSet(EventViewSet):
    serializer_class = ExitRecordSerializer
    filterset_class = ExitFilter
    save_service, delete_service = staticmethod(services.exit_save), staticmethod(services.exit_delete)


@extend_schema(tags=["脱贫与返贫"], description="返贫记录，须在脱贫之后；户状态随之变化。")
class ReturnRecordViewSet(EventViewSet):
    serializer_class = ReturnRecordSerializer
    filterset_class = ReturnFilter
    save_service, delete_service = staticmethod(services.return_save), staticmethod(services.return_delete)
