"""The helpers' reports through the REST API (/api/v1/helper-reports/…/, issue 20 point 2): each a
list of the rows the caller sees (households/helper_selectors.py), by page, and its `export/`, the
same rows as a logged Excel workbook (households/helper_tables.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination

from common.api import Pagination, read_query
from common.excel import XLSX_TYPE

from ..helper_tables import REPORTS, report_response
from ..models import Helper, Household

COUNTY = {"required": False, "help_text": "县(市、区)代码"}


class CountyQuery(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}$", **COUNTY)


class WithoutHelperQuery(CountyQuery):
    pass


class OverCeilingQuery(CountyQuery):
    ceiling = serializers.IntegerField(required=False, min_value=0, source="most",
                                       help_text="户数上限，默认为设置 HELPER_HOUSEHOLD_CEILING（10）")


class DueVisitsQuery(CountyQuery):
    days = serializers.IntegerField(required=False, min_value=1, max_value=3660,
                                    help_text="超过多少天未走访，默认为设置 HELPER_VISIT_DAYS（90）")


class VisitsByUnitQuery(CountyQuery):
    year = serializers.IntegerField(required=False, min_value=2014, max_value=2100, help_text="走访年度")


class HouseholdPlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="贫困户 id")
    number = serializers.CharField(help_text="户编号")
    status = serializers.ChoiceField(Household.Status.choices)
    county = serializers.CharField()
    county_name = serializers.CharField()
    township_name = serializers.CharField()
    village_code = serializers.CharField(help_text="村的区划代码")
    village_name = serializers.CharField()
    head_name = serializers.CharField(allow_null=True, help_text="户主姓名")


class WithoutHelperSerializer(HouseholdPlaceSerializer):
    previous_helper = serializers.CharField(allow_null=True, help_text="最近一任帮扶责任人；从未有过为 null")
    previous_unit = serializers.CharField(allow_null=True)
    previous_ended_on = serializers.DateField(allow_null=True, help_text="最近一任的终止日期")


class OverCeilingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="帮扶责任人 id")
    name = serializers.CharField()
    unit = serializers.CharField()
    post = serializers.CharField()
    level = serializers.ChoiceField(Helper.Level.choices)
    phone = serializers.CharField(help_text="本县和全市用户看到完整号码，其他用户看到 138****1234")
    county = serializers.CharField()
    county_name = serializers.CharField()
    households = serializers.IntegerField(help_text="今天帮扶的户数（已脱贫户仍计，已清退户不计）")
    ceiling = serializers.IntegerField(help_text="户数上限")


class DueVisitSerializer(HouseholdPlaceSerializer):
    helper_name = serializers.CharField()
    helper_unit = serializers.CharField()
    helper_phone = serializers.CharField(help_text="该户所在县和全市用户看到完整号码，其他用户看到 138****1234")
    started_on = serializers.DateField(help_text="现帮扶责任人的起始日期")
    last_visited = serializers.DateField(allow_null=True, help_text="最近一次走访（任一任帮扶责任人）；从未走访为 null")
    since = serializers.DateField(help_text="未走访天数的起算日：最近走访日期，从未走访为现帮扶起始日期")
    days = serializers.IntegerField(help_text="未走访天数")


class VisitsByUnitSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="帮扶责任人所属县(市、区)")
    county_name = serializers.CharField()
    unit = serializers.CharField(help_text="帮扶单位")
    month = serializers.CharField(help_text="YYYY-MM")
    visits = serializers.IntegerField()
    home_visits = serializers.IntegerField(help_text="其中入户走访")
    households = serializers.IntegerField(help_text="走访的户数")
    helpers = serializers.IntegerField(help_text="走访的帮扶责任人数")


class ReportPagination(Pagination):
    """The API's page numbers (page, page_size) over a report's rows, a list rather than a queryset."""

    def paginate_queryset(self, queryset, request, view=None):
        return PageNumberPagination.paginate_queryset(self, queryset, request, view)

    def get_paginated_response(self, data):
        return PageNumberPagination.get_paginated_response(self, data)

    def get_paginated_response_schema(self, schema):
        return PageNumberPagination.get_paginated_response_schema(self, schema)

    def get_schema_operation_parameters(self, view):
        return PageNumberPagination.get_schema_operation_parameters(self, view)


def parameters(query_class) -> list[OpenApiParameter]:
    return [OpenApiParameter(name, int if isinstance(f, serializers.IntegerField) else str,
                             description=str(f.help_text or "")) for name, f in query_class().fields.items()]


EXPORT = {"summary": "导出为Excel", "responses": {(200, XLSX_TYPE): OpenApiTypes.BINARY}}


def report(code: str, query_class, serializer_class, summary: str):
    """The report's list and its export, as two actions of the viewset (named after `code`)."""
    name = code.replace("-", "_")

    def rows(self, request):
        query = read_query(query_class, request)
        found = REPORTS[code].rows(user=request.user, **query)
        return self.get_paginated_response(self.paginate_queryset(found))

    def export(self, request):
        query = read_query(query_class, request)
        filters = {key: str(value) for key, value in request.query_params.items()}
        return report_response(request, code, door="api", filters=filters, **query)

    rows.__name__, export.__name__ = name, f"{name}_export"
    rows = extend_schema(summary=summary, parameters=parameters(query_class),
                         responses=serializer_class(many=True))(action(detail=False, url_path=code)(rows))
    export = extend_schema(parameters=parameters(query_class), **EXPORT)(
        action(detail=False, url_path=f"{code}/export", pagination_class=None)(export))
    return rows, export


@extend_schema(tags=["帮扶责任人"], description=(
    "帮扶责任人的四张报表，只含调用者可查看的户（超上限的帮扶责任人：可查看的县的帮扶责任人）："
    "without-helper/ 无帮扶责任人的在册、返贫户；over-ceiling/ 帮扶户数超过上限（HELPER_HOUSEHOLD_CEILING，默认10；"
    "计划未规定户数）的帮扶责任人；due-visits/ 超过 HELPER_VISIT_DAYS（默认90）天未走访的户；"
    "visits-by-unit/ 各帮扶单位每月走访次数。各有 export/ 导出为Excel（记入导出记录）。帮扶责任人的电话按查看权限显示。"))
class HelperReportViewSet(viewsets.GenericViewSet):
    pagination_class = ReportPagination
    filter_backends = []

    without_helper, without_helper_export = report(
        "without-helper", WithoutHelperQuery, WithoutHelperSerializer, "无帮扶责任人的贫困户")
    over_ceiling, over_ceiling_export = report(
        "over-ceiling", OverCeilingQuery, OverCeilingSerializer, "帮扶户数超过上限的帮扶责任人")
    due_visits, due_visits_export = report("due-visits", DueVisitsQuery, DueVisitSerializer, "超期未走访的贫困户")
    visits_by_unit, visits_by_unit_export = report(
        "visits-by-unit", VisitsByUnitQuery, VisitsByUnitSerializer, "各帮扶单位每月走访")

