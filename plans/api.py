"""The plan through the REST API: quotas, progress from the exit records, the checks, village incomes."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.api import WriteGate, read_query
from common.excel import XLSX_TYPE
from households import access

from . import exports, selectors, services
from .models import PLAN_YEARS, AnnexRow, VillageIncome


class AnnexRowSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_id", allow_null=True, read_only=True)

    class Meta:
        model = AnnexRow
        fields = [
            "county", "label", "registered", "exited_2014", "remaining_2014",
            "quota_2015", "quota_2016", "quota_2017", "quota_2018",
        ]


@extend_schema(tags=["行动计划"], description="附件“三明市2015-2018年减贫任务安排表”，数字与原件一致；合计行 county 为 null。")
class QuotaViewSet(viewsets.ReadOnlyModelViewSet):
    """The annex (三明市2015-2018年减贫任务安排表) as printed; the 合计 row has county null."""

    queryset = AnnexRow.objects.all()
    serializer_class = AnnexRowSerializer
    pagination_class = None
    filter_backends = []


class ProgressSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="县(市、区)代码")
    county_name = serializers.CharField()
    year = serializers.IntegerField()
    quota = serializers.IntegerField(help_text="减贫任务（人）")
    exited = serializers.IntegerField(help_text="当年脱贫记录人数")
    returned = serializers.IntegerField(help_text="当年返贫记录人数")
    net = serializers.IntegerField(help_text="净减贫＝脱贫−返贫")
    percent = serializers.FloatField(allow_null=True)
    shortfall = serializers.IntegerField()
    status = serializers.ChoiceField(["met", "behind", "not_yet_due"])
    figures = serializers.ChoiceField(["live", "close", "mixed"],
                                      help_text="live：由记录实时计算；close：年度数据锁定时保存的数据；mixed：二者之和")


class FiguresQuery(serializers.Serializer):
    figures = serializers.ChoiceField(selectors.FIGURES, required=False,
                                      help_text="live（默认）：由记录实时计算；close：已锁定的县·年度显示锁定时保存的数据")


class AsOfQuery(serializers.Serializer):
    as_of = serializers.DateField(required=False)


class ProgressQuery(AsOfQuery, FiguresQuery):
    year = serializers.ChoiceField(PLAN_YEARS, required=False)
    county = serializers.RegexField(r"^\d{6}$", required=False)


FIGURES_PARAMETER = OpenApiParameter(
    "figures", str, enum=list(selectors.FIGURES),
    description="live（默认）：由记录实时计算；close：已锁定（年度数据锁定）的县·年度显示锁定时保存的数据")

PROGRESS_PARAMETERS = [
    OpenApiParameter("year", int, enum=list(PLAN_YEARS)),
    OpenApiParameter("county", str, description="县(市、区)代码"),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="报告日期，默认今天"),
    FIGURES_PARAMETER,
]


@extend_schema(tags=["行动计划"], description="各县各年减贫任务完成情况，由脱贫、返贫记录计算：net＝脱贫人数−返贫人数；年度结束前为 not_yet_due。只含调用者可查看的县(市、区)。")
class ProgressViewSet(viewsets.ViewSet):
    """Per county and year: the quota against the persons of exit and return records (net)."""

    @extend_schema(
        parameters=PROGRESS_PARAMETERS,
        responses=ProgressSerializer(many=True),
    )
    def list(self, request):
        rows = exports.visible_progress(request.user, **read_query(ProgressQuery, request))
        return Response([r.as_dict() for r in rows])

    @extend_schema(
        summary="导出为Excel",
        parameters=PROGRESS_PARAMETERS,
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=False)
    def export(self, request):
        query = read_query(ProgressQuery, request)
        filters = {k: str(v) for k, v in query.items()}
        return exports.progress_response(request, door="api", filters=filters, **query)


class PopulationYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    persons = serializers.IntegerField(help_text="该年12月31日的建档立卡贫困人口")
    figures = serializers.ChoiceField(["live", "close"], help_text="live：实时计算；close：年度数据锁定时保存的数据")


class PopulationSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="县(市、区)代码")
    county_name = serializers.CharField()
    remaining_2014 = serializers.IntegerField(help_text="附件2014年底未脱贫人数")
    years = PopulationYearSerializer(many=True, help_text="2014–2018年各年底")


class PopulationQuery(FiguresQuery):
    county = serializers.RegexField(r"^\d{6}$", required=False)


@extend_schema(tags=["行动计划"], description="各县(市、区)2014–2018年各年12月31日的建档立卡贫困人口，由登记库计算：当日已识别、未脱贫（或已返贫）、未清退的户当日在户的成员，按该户当日所在县计（迁移前的日子计入迁出县）；附件2014年底未脱贫人数并列，2014年底应与之相等。只含调用者可查看的县(市、区)。")
class PopulationViewSet(viewsets.ViewSet):
    """Per county, the registered poor population at the end of each year 2014–2018."""

    @extend_schema(
        parameters=[OpenApiParameter("county", str, description="县(市、区)代码"), FIGURES_PARAMETER],
        responses=PopulationSerializer(many=True),
    )
    def list(self, request):
        query = read_query(PopulationQuery, request)
        county = query.get("county")
        counties = access.counties_visible_to(request.user)
        if county:
            counties = counties.filter(pk=county)
        figures = query.get("figures", "live")
        return Response([r.as_dict() for r in selectors.population_by_year(counties=counties, figures=figures)])


class FindingSerializer(serializers.Serializer):
    check = serializers.CharField()
    name = serializers.CharField()
    severity = serializers.ChoiceField(["error", "note", "warning"])
    expected = serializers.JSONField()
    actual = serializers.JSONField()
    ok = serializers.BooleanField()
    items = serializers.ListField(child=serializers.CharField())


@extend_schema(tags=["行动计划"], description="计划自身的一致性检查与各项工作记录的检查：error 为数据错误，note 为计划文本自相矛盾之处，warning 为记录未达计划要求。工作记录的检查列出各县的户和村，只返回给可查看全市的用户。")
class ConsistencyViewSet(viewsets.ViewSet):
    """Every check of the plan against itself and of the records against the plan."""

    @extend_schema(
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="报告日期，默认今天")],
        responses=FindingSerializer(many=True),
    )
    def list(self, request):
        as_of = read_query(AsOfQuery, request).get("as_of", timezone.localdate())
        return Response([f.as_dict() for f in exports.visible_findings(request.user, as_of=as_of)])

    @extend_schema(
        summary="导出为Excel",
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="报告日期，默认今天")],
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=False)
    def export(self, request):
        query = read_query(AsOfQuery, request)
        as_of = query.get("as_of", timezone.localdate())
        filters = {k: str(v) for k, v in query.items()}
        return exports.consistency_response(request, door="api", filters=filters, as_of=as_of)


class VillageIncomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageIncome
        fields = ["id", "village", "year", "own_income"]
        validators = []  # once a year: the model's clean() says so, naming the year


@extend_schema(tags=["行动计划"], description="村集体自有收入，每村每年一条，由市农业局（农办）审核员填写。只含调用者可查看的县(市、区)的村。")
class VillageIncomeViewSet(WriteGate, viewsets.ModelViewSet):
    """村集体自有收入, written by the city reviewer."""

    write_gate = staticmethod(services.plan_record_gate)
    queryset = VillageIncome.objects.order_by("id")
    serializer_class = VillageIncomeSerializer
    filterset_fields = ["village", "year"]
    ordering_fields = ["id", "year", "own_income"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        # As the villages page lists them: the villages of the counties the user may see.
        counties = access.counties_visible_to(self.request.user)
        return super().get_queryset().filter(village__township__county__in=counties)

    def perform_create(self, serializer):
        serializer.instance = services.plan_record_save(
            actor=self.request.user, record=VillageIncome(**serializer.validated_data))

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        services.plan_record_save(actor=self.request.user, record=serializer.instance)

    def perform_destroy(self, instance):
        services.plan_record_delete(actor=self.request.user, record=instance)
