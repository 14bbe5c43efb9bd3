"""The year-end close through the REST API (issue 19): /api/v1/closes/ (every county × year, its
steps, and the actions submit, accept, send_back, reopen) and /api/v1/finding-explanations/.

A county-year is addressed as "<county code>-<year>" (350424-2016), whether or not it has a row
yet: an open county-year has none until its first submission (docs/api.md)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from common.api import read_query
from common.excel import XLSX_TYPE
from households.access import counties_visible_to
from households.models import FindingExplanation, YearClose

from . import close_selectors as selectors
from . import closes as services
from .exports import close_response


class CloseStepSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="该步之后的状态")
    state_label = serializers.CharField(source="get_state_display")
    acted_by = serializers.CharField(source="acted_by.username", default=None, allow_null=True, help_text="办理人；空为系统")
    acted_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text="退回或重新打开的原因")
    figures_sha256 = serializers.CharField(help_text="锁定时数据的SHA-256（锁定之后各步）")


class CloseSerializer(serializers.Serializer):
    id = serializers.SerializerMethodField(help_text="县代码-年度，如 350424-2016")
    county = serializers.CharField(source="county_id")
    county_name = serializers.CharField(source="county.name")
    year = serializers.IntegerField()
    state = serializers.ChoiceField(YearClose.State.choices)
    state_label = serializers.CharField(source="get_state_display")
    acted_by = serializers.CharField(source="acted_by.username", default=None, allow_null=True, help_text="空为系统")
    acted_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    submitted_by = serializers.CharField(source="submitted_by.username", default=None, allow_null=True, help_text="空为系统或尚未提交")
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_by = serializers.CharField(source="accepted_by.username", default=None, allow_null=True, help_text="空为系统或尚未锁定")
    accepted_at = serializers.DateTimeField(allow_null=True)
    figures_sha256 = serializers.CharField(help_text="最近一次锁定时数据（规范JSON）的SHA-256")

    def get_id(self, close) -> str:
        return selectors.close_key(close.county_id, close.year)


class CloseDetailSerializer(CloseSerializer):
    figures = serializers.CharField(help_text="最近一次锁定时的数据，规范JSON文本（docs/closes.md）")
    steps = serializers.SerializerMethodField()

    @extend_schema_field(CloseStepSerializer(many=True))
    def get_steps(self, close) -> list[dict]:
        return CloseStepSerializer(selectors.close_steps(close), many=True).data


class CloseQuery(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}$", required=False, help_text="县(市、区)代码")
    year = serializers.ChoiceField(selectors.CLOSE_YEARS, required=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="原因（必填）")


@extend_schema(tags=["年度数据锁定"], description=(
    "各县各计划年度的年度数据锁定：未提交（open）→ 已提交（submitted）→ 已锁定（accepted），或已退回（sent_back）后再提交；"
    "已锁定的年度可由审核员重新打开（reopened）后再提交。编号为“县代码-年度”（350424-2016），尚无记录的年度同样可用。"
    "提交由本县录入员办理，年度结束后、该年度的核查问题都已解决或说明时才可提交；锁定、退回（须填原因）、重新打开（须填原因）"
    "由市农业局（农办）审核员办理。越权为 403，看不到的县为 404，状态不符、年度未结束、有未说明的问题、缺原因为 400 并说明原因。"))
class CloseViewSet(viewsets.ViewSet):
    lookup_value_regex = r"\d{6}-\d{4}"

    def get_object(self, pk) -> YearClose:
        key = selectors.parse_close_key(pk)
        county = counties_visible_to(self.request.user).filter(pk=key[0]).first() if key else None
        if county is None or key[1] not in selectors.CLOSE_YEARS:
            raise NotFound("没有该县(市、区)该年度的年度数据锁定")
        return selectors.close_of(county, key[1])

    @extend_schema(parameters=[OpenApiParameter("county", str), OpenApiParameter("year", int,
                                                                                  enum=list(selectors.CLOSE_YEARS))],
                   responses=CloseSerializer(many=True))
    def list(self, request):
        return Response(CloseSerializer(selectors.closes_for(request.user, **read_query(CloseQuery, request)),
                                        many=True).data)

    @extend_schema(responses=CloseDetailSerializer)
    def retrieve(self, request, pk=None):
        read_query(serializers.Serializer, request)
        return Response(CloseDetailSerializer(self.get_object(pk)).data)

    def answer(self, close):
        return Response(CloseDetailSerializer(self.get_object(selectors.close_key(close.county_id, close.year))).data)

    @extend_schema(request=None, responses=CloseDetailSerializer, summary="本县录入员提交")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        close = self.get_object(pk)
        return self.answer(services.close_submit(actor=request.user, county=close.county, year=close.year))

    @extend_schema(request=None, responses=CloseDetailSerializer, summary="审核员锁定（保存数据及其SHA-256）")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        close = self.get_object(pk)
        return self.answer(services.close_accept(actor=request.user, county=close.county, year=close.year))

    @extend_schema(responses={(200, XLSX_TYPE): OpenApiTypes.BINARY},
                   summary="导出最近一次锁定时的数据（Excel：数据、规范JSON及其SHA-256）；从未锁定为 400")
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        return close_response(request, self.get_object(pk), door="api")

    def _with_reason(self, request, pk, service):
        close = self.get_object(pk)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(service(actor=request.user, county=close.county, year=close.year,
                                   reason=data.validated_data["reason"]))

    @extend_schema(request=ReasonInput, responses=CloseDetailSerializer, summary="审核员退回（须填原因）")
    @action(detail=True, methods=["post"], url_path="send_back")
    def send_back(self, request, pk=None):
        return self._with_reason(request, pk, services.close_send_back)

    @extend_schema(request=ReasonInput, responses=CloseDetailSerializer, summary="审核员重新打开（须填原因）")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._with_reason(request, pk, services.close_reopen)


# ---------------------------------------------------------------- explanations


class FindingExplanationSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_id", read_only=True)
    household = serializers.IntegerField(source="household_id", read_only=True, allow_null=True)
    explained_by = serializers.CharField(source="explained_by.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = FindingExplanation
        fields = ["id", "check_code", "county", "year", "target", "household", "reason", "explained_by",
                  "explained_at"]


class ExplanationInput(serializers.Serializer):
    check_code = serializers.CharField(max_length=64, help_text="核查项代码（数据核查或计划检查）")
    county = serializers.RegexField(r"^\d{6}$", help_text="县(市、区)代码")
    year = serializers.IntegerField()
    target = serializers.CharField(max_length=200,
                                   help_text="所指记录：household:<户id>、member:<成员id> 或 item:<计划检查所列的项>")
    reason = serializers.CharField(max_length=500)


class ExplanationQuery(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}$", required=False)
    year = serializers.IntegerField(required=False)
    check_code = serializers.CharField(required=False)


@extend_schema(tags=["年度数据锁定"], description=(
    "核查问题的说明：说明过的问题仍照常列出（附说明），但不再妨碍该县该年度提交。由本县录入员或审核员办理；"
    "同一问题同一年度再次说明即替换原说明；该年度已提交或已锁定时不能说明或撤销（400）。"))
class FindingExplanationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                                viewsets.GenericViewSet):
    serializer_class = FindingExplanationSerializer
    filter_backends = []
    query_parameters = list(ExplanationQuery().fields)

    def get_queryset(self):
        explanations = selectors.explanations_for(self.request.user).order_by("-explained_at", "-id")
        if self.action == "list":
            explanations = explanations.filter(**read_query(ExplanationQuery, self.request))
        return explanations

    @extend_schema(request=ExplanationInput, responses={201: FindingExplanationSerializer})
    def create(self, request):
        data = ExplanationInput(data=request.data)
        data.is_valid(raise_exception=True)
        explanation = services.finding_explain(actor=request.user, **data.validated_data)
        return Response(FindingExplanationSerializer(explanation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.finding_explanation_delete(actor=self.request.user, explanation=instance)
