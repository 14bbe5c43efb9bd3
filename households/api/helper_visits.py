"""Helpers' visits (帮扶走访) through the REST API: /api/v1/helper-visits/, the visits to the households the
caller sees (access.helper_visits_visible_to, 404 beyond), recorded, changed and deleted through
households/services/helpers.py by whoever may change the household."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from .. import access, services
from ..models import HelperAssignment, HelperVisit, VisitKind


class VisitSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="assignment.household_id", read_only=True)
    household_number = serializers.CharField(source="assignment.household.number", read_only=True)
    helper = serializers.IntegerField(source="assignment.helper_id", read_only=True)
    helper_name = serializers.CharField(source="assignment.helper.name", read_only=True)
    recorded_by = serializers.SlugRelatedField("username", read_only=True, allow_null=True, help_text="空白表示系统")

    class Meta:
        model = HelperVisit
        fields = ["id", "assignment", "household", "household_number", "helper", "helper_name", "visited_on",
                  "kind", "found", "done", "follow_up", "recorded_by"]
        read_only_fields = fields


class VisitInput(serializers.Serializer):
    assignment = serializers.PrimaryKeyRelatedField(queryset=HelperAssignment.objects.none(),
                                                    help_text="帮扶关系 id（走访的户和帮扶责任人）")
    visited_on = serializers.DateField(help_text="走访日期：在帮扶关系期间内，不晚于今天")
    kind = serializers.ChoiceField(VisitKind.choices, default=VisitKind.HOME, help_text="home、phone 或 other")
    found = serializers.CharField(help_text="了解的情况")
    done = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["assignment"].queryset = access.helper_assignments_visible_to(user)


class VisitUpdateInput(VisitInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("assignment")  # a visit stays the visit of its assignment
        for field in self.fields.values():
            field.required = False
        self.fields["kind"].default = serializers.empty
        for name in ("done", "follow_up"):
            self.fields[name].default = serializers.empty


class VisitFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="assignment__household", label="贫困户 id")
    helper = django_filters.NumberFilter(field_name="assignment__helper", label="帮扶责任人 id")
    county = django_filters.CharFilter(field_name="assignment__household__village__township__county",
                                       label="县(市、区)代码")
    date_from = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label="走访日期起")
    date_to = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label="走访日期止")

    class Meta:
        model = HelperVisit
        fields = ["household", "helper", "county", "kind", "date_from", "date_to"]


@extend_schema(tags=["帮扶责任人"], description=(
    "帮扶走访（入户走访、电话联系等；不是脱贫流程的入户核实）：日期、方式、了解的情况、帮扶措施、后续跟进。"
    "只列出调用者可见的户的走访；由可修改该户的用户登记、修改和删除。走访日期早于帮扶关系起始、晚于其终止或晚于今天为 400，"
    "指明 visited_on。"))
@extend_schema_view(
    create=extend_schema(request=VisitInput, responses={201: VisitSerializer}),
    partial_update=extend_schema(request=VisitUpdateInput, responses=VisitSerializer),
)
class HelperVisitViewSet(viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering_fields = ["id", "visited_on"]
    ordering = ["-visited_on", "-id"]

    def get_queryset(self):
        return (access.helper_visits_visible_to(self.request.user)
                .select_related("assignment__household", "assignment__helper", "recorded_by")
                .order_by("-visited_on", "-id"))

    def answer(self, visit, status_code=200):
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = VisitInput(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        return self.answer(services.visit_record(actor=request.user, **data.validated_data), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        visit = self.get_object()
        data = VisitUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(services.visit_update(actor=request.user, visit=visit, **data.validated_data))

    def perform_destroy(self, visit):
        services.visit_delete(actor=self.request.user, visit=visit)
