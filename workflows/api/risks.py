"""Warnings of a return to poverty through the REST API: /api/v1/return-risks/ (the warnings of the
households the caller sees, households/access.py's one scoping function; a new run of the rules as a
job) and /api/v1/return-risk-follow-ups/ (the clerk's follow-ups). Thin views: an input serializer
checks the shape, workflows/risk_services.py who may and every rule."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from households.models import County, HelperVisit, ReliefMeasure
from jobs.api import BackgroundJobSerializer, job_accepted

from .. import risk_services
from ..risk_models import REASON_FIELDS, FollowUpKind, ReturnRisk, RiskFollowUp, RiskReason, RiskState
from ..risk_selectors import risks_visible_to

TAGS = ["返贫风险"]


class FollowUpSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField("username", read_only=True, allow_null=True, help_text="空白表示系统")

    class Meta:
        model = RiskFollowUp
        fields = ["id", "risk", "kind", "measure", "visit", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class ReturnRiskSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    county = serializers.CharField(source="household.village.township.county_id", read_only=True,
                                   help_text="户当前所在县(市、区)代码")
    village = serializers.CharField(source="household.village.name", read_only=True)
    reasons = serializers.ListField(child=serializers.ChoiceField(RiskReason.choices), read_only=True,
                                    help_text="风险原因代码：low_income、income_drop、health、lost_labourer")
    details = serializers.DictField(child=serializers.CharField(), read_only=True, help_text="各原因的中文说明")
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnRisk
        fields = ["id", "household", "household_number", "county", "village", "state", "reasons", "details",
                  "raised_on", "refreshed_on", "closed_on", "return_record", "follow_ups"]
        read_only_fields = fields


class ReturnRiskFilter(django_filters.FilterSet):
    county = django_filters.ModelChoiceFilter(field_name="household__village__township__county",
                                              queryset=County.objects.all(), label="县(市、区)代码（户当前所在县）")
    reason = django_filters.ChoiceFilter(choices=RiskReason.choices, method="filter_reason", label="风险原因代码")
    state = django_filters.ChoiceFilter(choices=RiskState.choices, label="状态：open、dismissed、cleared、returned")

    class Meta:
        model = ReturnRisk
        fields = ["county", "reason", "state", "household"]

    def filter_reason(self, queryset, name, value):
        return queryset.filter(**{value: True}) if value in REASON_FIELDS else queryset


class RefreshInput(serializers.Serializer):
    county = serializers.CharField(required=False, allow_null=True, default=None,
                                   help_text="只核算该县(市、区)；县扶贫办录入员须填本县，审核员可不填（全市）")


@extend_schema(tags=TAGS, description=(
    "返贫风险预警：已脱贫户最近一年人均纯收入低于当年贫困线或高出不足设置的比例、较上年下降超过设置的比例，"
    "近十二个月内有成员新患长期慢性病、大病或残疾，或失去唯一劳动力（死亡或迁出）。预警由规则核算后保存"
    "（`python manage.py return_risks` 或 refresh），只列出调用者可见的户的预警；可按县、原因、状态筛选。"
    "户返贫时其返贫记录关联到该户未关闭的预警（return_record）。"))
@extend_schema_view(refresh=extend_schema(request=RefreshInput, responses={202: BackgroundJobSerializer}))
class ReturnRiskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReturnRiskSerializer
    filterset_class = ReturnRiskFilter
    ordering_fields = ["id", "raised_on", "refreshed_on"]
    ordering = ["-raised_on", "id"]

    def get_queryset(self):
        return (risks_visible_to(self.request.user)
                .select_related("household__village__township")
                .prefetch_related("follow_ups__recorded_by").order_by("-raised_on", "id"))

    @action(detail=False, methods=["post"])
    def refresh(self, request):
        """Run the rules again, in the background (a job): the whole city (the city reviewer) or a county."""
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return job_accepted(request, risk_services.return_risks_job_start(actor=request.user, **data.validated_data))


class FollowUpInput(serializers.Serializer):
    # Every warning, measure and visit: whether the caller may follow up this one is the service's to
    # say (a household outside the clerk's counties is refused naming `risk`), not the door's.
    risk = serializers.PrimaryKeyRelatedField(queryset=ReturnRisk.objects.all(), help_text="返贫风险预警 id")
    kind = serializers.ChoiceField(FollowUpKind.choices, help_text="measure（落实帮扶措施）、visit（帮扶走访）或 no_risk（排除风险）")
    measure = serializers.PrimaryKeyRelatedField(queryset=ReliefMeasure.objects.all(), required=False,
                                                 allow_null=True, default=None, help_text="该户的帮扶措施 id（measure 时必填）")
    visit = serializers.PrimaryKeyRelatedField(queryset=HelperVisit.objects.select_related("assignment"),
                                               required=False, allow_null=True, default=None,
                                               help_text="对该户的帮扶走访 id（visit 时必填）")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="说明；no_risk 时必填理由")


class FollowUpFilter(django_filters.FilterSet):
    class Meta:
        model = RiskFollowUp
        fields = ["risk", "kind"]


@extend_schema(tags=TAGS, description=(
    "返贫风险跟进：落实帮扶措施、帮扶走访（关联已登记的措施或走访），或排除风险（须填理由，预警随之关闭）。"
    "由可修改该户的用户（本县录入员）登记；该户不在录入员的县内为 400，指明 risk。"))
@extend_schema_view(create=extend_schema(request=FollowUpInput, responses={201: FollowUpSerializer}))
class RiskFollowUpViewSet(viewsets.mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    ordering_fields = ["id", "recorded_at"]
    ordering = ["-recorded_at", "-id"]

    def get_queryset(self):
        return (RiskFollowUp.objects.filter(risk__in=risks_visible_to(self.request.user))
                .select_related("recorded_by").order_by("-recorded_at", "-id"))

    def create(self, request, *args, **kwargs):
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = risk_services.risk_follow_up(actor=request.user, **data.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)
