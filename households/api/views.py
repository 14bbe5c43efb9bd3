"""The registry's REST API (/api/v1/): households with their members, members, measures, exits and
returns. Thin views: a serializer checks the shape, a service (households/services/) decides who
may write and every rule; each list holds only what access.py lets the caller see (404 beyond)."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.api import Conflict
from common.excel import XLSX_TYPE, xlsx_response
from jobs.api import BackgroundJobSerializer, job_accepted

from .. import access, selectors, services, workbook
from ..models import Household, Member, ReliefMeasure
from ..services.jobs import export_job_start, import_job_start
from .changes import ON_PARAMETER, read_on
from .filters import (
    ExitFilter,
    HouseholdFilter,
    MeasureFilter,
    MemberFilter,
    ReturnFilter,
)
from .serializers import (
    ExitRecordSerializer,
    HistoryEntrySerializer,
    HouseholdSerializer,
    HouseholdUpdateSerializer,
    ImportReportSerializer,
    ImportSerializer,
    MemberSerializer,
    ReliefMeasureSerializer,
    ReturnRecordSerializer,
)

HELPER_FIELDS = ("helper_name", "helper_unit", "helper_phone")


def _helper_fields(data: dict) -> dict:
    """The helper's fields taken out of a household's validated data: they are no model fields."""
    return {name: data.pop(name) for name in HELPER_FIELDS if name in data}


def logged_filters(request, filterset_class) -> dict:
    """The query's filters, as the export log keeps them."""
    known = {*filterset_class.base_filters, "search", "ordering"}
    return {k: v for k, v in request.query_params.lists() if k in known}


class ScopedViewSet(viewsets.ModelViewSet):
    """Lists and details hold only what the caller may see (404 beyond it); a write pointing at a
    household the caller does not see "does not exist" (400); every other refusal is the service's
    (403, or 400 naming the field)."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def visible_households(self):
        return access.households_visible_to(self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        household = getattr(serializer, "fields", {}).get("household")
        if household is not None and not household.read_only:
            household.queryset = self.visible_households()
        return serializer

    def perform_update(self, serializer):
        record = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        self.save_record(record)

    def perform_destroy(self, instance):
        try:
            self.delete_record(instance)
        except DjangoValidationError as e:
            raise Conflict("；".join(e.messages)) from None

    def save_record(self, record):
        raise NotImplementedError

    def delete_record(self, record):
        raise NotImplementedError


@extend_schema(tags=["贫困户"], description="贫困户及其家庭成员。一次 POST 即可登记一户及全部成员；成员的性别、出生日期由身份号码得出。只返回调用者可见的户；身份号码按权限脱敏。members 为在户成员（?on= 指定日期，默认今天）；离开的成员见成员变动。")
class HouseholdViewSet(ScopedViewSet):
    """Households with their members. A household and its members are registered in one POST."""

    filterset_class = HouseholdFilter
    ordering_fields = ["number", "identified_year", "income_per_capita", "id"]
    ordering = ["id"]
    query_parameters = ["on"]  # the day the members are read on (list and retrieve)

    def get_queryset(self):
        households = self.visible_households().order_by("id")
        if self.action == "list":
            return households  # list() reads values(), with its own queries for members and causes
        # The members present on `?on=` (today without it): one who has left stays on record, not here.
        on = read_on(self.request) if self.action == "retrieve" else None
        members = Member.objects.filter(selectors.present_on(on)).order_by("id")
        return households.with_current_helper().prefetch_related(Prefetch("members", queryset=members), "other_causes")

    def get_serializer_class(self):
        return HouseholdUpdateSerializer if self.action in ("update", "partial_update") else HouseholdSerializer

    @extend_schema(parameters=[ON_PARAMETER])
    def list(self, request, *args, **kwargs):
        # The page from values(), then its members and causes: the same JSON as the serializer
        # gives (a test holds them together), at a fraction of the cost.
        on = read_on(request)
        page = self.paginate_queryset(selectors.household_values(self.filter_queryset(self.get_queryset())))
        rows = selectors.household_rows(list(page), show_id=access.id_display(request.user),
                                        show_phone=access.helper_phone_display(request.user), on=on)
        return self.get_paginated_response(rows)

    @extend_schema(parameters=[ON_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        on = read_on(request)
        if on is not None:  # each member's relation as it was that day (a head who has handed over since)
            selectors.relation_on(household.members.all(), on)
        return Response(self.get_serializer(household).data)

    def get_search_fields(self, request):
        fields = ["number", "members__name"]
        return [*fields, "=members__id_number"] if access.may_see_full_id(request.user) else fields

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        members = [Member(**m) for m in data.pop("members")]
        other_causes, county = data.pop("other_causes", []), data.pop("county", None)
        helper = _helper_fields(data)
        with transaction.atomic():  # the household and its helper, or neither
            serializer.instance = services.household_save(
                actor=self.request.user, household=Household(**data), members=members, other_causes=other_causes,
                county=county,
            )
            self._helper_set(serializer.instance, helper)

    def perform_update(self, serializer):
        household = serializer.instance
        data = dict(serializer.validated_data)
        other_causes, county = data.pop("other_causes", None), data.pop("county", None)
        helper = _helper_fields(data)
        for name, value in data.items():
            setattr(household, name, value)
        with transaction.atomic():
            services.household_save(actor=self.request.user, household=household, other_causes=other_causes,
                                    county=county)
            self._helper_set(household, helper)

    def _helper_set(self, household, helper: dict) -> None:
        """The helper's fields, as given (a field not given: the current helper's), through the service."""
        if helper:
            services.household_helper_set(actor=self.request.user, household=household, name=helper.get("helper_name"),
                                          unit=helper.get("helper_unit"), phone=helper.get("helper_phone", ""))
        for name in HELPER_FIELDS:  # read again for the answer
            household.__dict__.pop(name, None)

    def delete_record(self, household):
        services.household_delete(actor=self.request.user, household=household)

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
        "身份号码按权限脱敏；每次导出都记入导出记录。超过 JOB_EXPORT_HOUSEHOLDS 户（默认 1000）时作为后台任务："
        "返回 202 和任务（/api/v1/jobs/{id}/），完成后从任务的 result 下载。",
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, 202: BackgroundJobSerializer},
    )
    @action(detail=False, pagination_class=None)
    def export(self, request):
        households = self.filter_queryset(self.visible_households())
        filters = logged_filters(request, HouseholdFilter)
        if households.count() > settings.JOB_EXPORT_HOUSEHOLDS:
            return job_accepted(request, export_job_start(actor=request.user, households=households, door="api",
                                                          filters=filters))
        content = workbook.export_households(households, actor=request.user, door="api", filters=filters)
        return xlsx_response(content, "建档立卡贫困户.xlsx")

    @extend_schema(
        summary="从Excel导入",
        description="上传建档立卡贫困户家庭成员表（multipart 字段 file）。按户编号和身份号码新增或更新，表中未列出的成员保留；"
        "全有或全无：有任何一行被拒绝则不写入，返回 422 和每个被拒绝的行、列、值、原因；文件本身无法读取时返回 400。dry_run=true 只检查。"
        "文件超过 JOB_IMPORT_BYTES（默认 256 KB）时作为后台任务：返回 202 和任务（/api/v1/jobs/{id}/），其 outcome 为同样的报告；"
        "同一文件正在导入时再次提交返回 400；超过 IMPORT_MAX_BYTES（默认 64 MB）的文件返回 400。",
        request={"multipart/form-data": ImportSerializer},
        responses={200: ImportReportSerializer, 202: BackgroundJobSerializer, 422: ImportReportSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None, filter_backends=[])
    def import_workbook(self, request):
        query = ImportSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        upload, dry_run = query.validated_data["file"], query.validated_data["dry_run"]
        reason = f"Excel导入：{upload.name}"
        if upload.size > settings.JOB_IMPORT_BYTES:
            return job_accepted(request, import_job_start(actor=request.user, name=upload.name, content=upload.read(),
                                                          dry_run=dry_run, reason=reason))
        try:
            sheet, report = workbook.import_file(upload.read(), actor=request.user, dry_run=dry_run, reason=reason)
        except workbook.WorkbookError as e:
            raise ValidationError({"file": [str(e)]}) from None
        answer = {**vars(report), "refused_rows": report.refused_rows, "problems": sheet.problems(report)}
        # 422: the file was read, the registry's rules refuse rows of it (400 is a file it cannot read).
        return Response(ImportReportSerializer(answer).data, status=422 if report.problems else 200)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Who changed what and when: the household and its members, measures, exits and returns."""
        household = self.get_object()
        return Response(selectors.household_history(household, show_id=access.id_display(request.user)))


@extend_schema(tags=["贫困户"], description="家庭成员。每户必须且只有一名户主；同一人只能在一个有效贫困户中；成员不能移到另一户。")
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
        serializer.instance = self.save_record(Member(**serializer.validated_data))

    def save_record(self, member):
        return services.member_save(actor=self.request.user, member=member)

    def delete_record(self, member):
        services.member_delete(actor=self.request.user, member=member)


@extend_schema(tags=["帮扶措施"], description="帮扶措施。小额贷款不超过 5 万元、36 个月；两保障只用于低保户，两供养只用于五保户。")
class ReliefMeasureViewSet(ScopedViewSet):
    serializer_class = ReliefMeasureSerializer
    filterset_class = MeasureFilter
    ordering_fields = ["id", "year", "date", "amount"]
    ordering = ["id"]

    def get_queryset(self):
        return ReliefMeasure.objects.filter(household__in=self.visible_households()).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = self.save_record(ReliefMeasure(**serializer.validated_data))

    def save_record(self, measure):
        return services.measure_save(actor=self.request.user, measure=measure)

    def delete_record(self, measure):
        services.measure_delete(actor=self.request.user, measure=measure)


class EventViewSet(ScopedViewSet):
    """Exits and returns: the household's status follows them; only the latest can be deleted;
    household and year are fixed once recorded."""

    ordering_fields = ["id", "year"]
    ordering = ["id"]
    save_service = delete_service = None

    def get_queryset(self):
        model = self.get_serializer_class().Meta.model
        return model.objects.filter(household__in=self.visible_households()).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = self.save_record(serializer.Meta.model(**serializer.validated_data))

    def save_record(self, record):
        return type(self).save_service(actor=self.request.user, record=record)

    def delete_record(self, record):
        type(self).delete_service(actor=self.request.user, record=record)


@extend_schema(tags=["脱贫与返贫"], description="脱贫记录。人数为登记时的家庭人数；每户每年一条，不早于识别年份；户状态随之变化，只能撤销最近一条；登记后户与年度不能修改。")
class ExitRecordViewSet(EventViewSet):
    serializer_class = ExitRecordSerializer
    filterset_class = ExitFilter
    save_service, delete_service = staticmethod(services.exit_save), staticmethod(services.exit_delete)


@extend_schema(tags=["脱贫与返贫"], description="返贫记录，须在脱贫之后；户状态随之变化；登记后户与年度不能修改。")
class ReturnRecordViewSet(EventViewSet):
    serializer_class = ReturnRecordSerializer
    filterset_class = ReturnFilter
    save_service, delete_service = staticmethod(services.return_save), staticmethod(services.return_delete)
