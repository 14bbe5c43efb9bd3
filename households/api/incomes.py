"""Yearly incomes (年度收入) through the REST API: /api/v1/incomes/. A record is written, changed and
deleted through households/services/incomes.py; the list holds the incomes of the households the
caller may see."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from .. import services
from ..models import HouseholdIncome
from ..models.incomes import PARTS
from .filters import RecordFilter
from .views import ScopedViewSet

FIGURES = [*PARTS, "total"]


class IncomeSerializer(serializers.ModelSerializer):
    """A year's income as recorded: the four sources (null when only a total was given), the total,
    the size at the year's end and the per-capita figure."""

    class Meta:
        model = HouseholdIncome
        fields = ["id", "household", "year", *FIGURES, "persons", "per_capita", "recorded_by"]
        read_only_fields = ["persons", "per_capita", "recorded_by"]


class IncomeInputSerializer(serializers.ModelSerializer):
    """What a caller gives: the household and year, and either the sources (a source left out
    counts 0) or only the total. Every rule is the service's (400 naming the field)."""

    class Meta:
        model = HouseholdIncome
        fields = ["household", "year", *FIGURES]
        extra_kwargs = {"total": {"required": False, "allow_null": True}}
        validators = []  # one record a year: the service says so, naming the year


class IncomeFilter(RecordFilter):
    year = django_filters.NumberFilter()

    class Meta:
        model = HouseholdIncome
        fields = ["household", "county", "village", "year"]


@extend_schema(
    tags=["年度收入"],
    description="贫困户年度收入：每户每年一条，按工资性、生产经营性（净）、财产性、转移性收入分项填写（未填的项按0计，合计为各项之和），"
    "或只填合计；人均纯收入 = 合计 ÷ 年末家庭人口。不早于识别年份，各项不得为负。脱贫记录、入户核实与当年的年度收入是同一个数："
    "修改年度收入时当年的脱贫记录随之修改；有脱贫记录的年度收入不能删除。贫困户的 income_per_capita 为最近年度的人均纯收入。",
)
@extend_schema_view(
    create=extend_schema(request=IncomeInputSerializer, responses={201: IncomeSerializer}),
    update=extend_schema(request=IncomeInputSerializer, responses=IncomeSerializer),
    partial_update=extend_schema(request=IncomeInputSerializer, responses=IncomeSerializer),
)
class IncomeViewSet(ScopedViewSet):
    filterset_class = IncomeFilter
    ordering_fields = ["id", "year", "per_capita"]
    ordering = ["id"]

    def get_queryset(self):
        return HouseholdIncome.objects.filter(household__in=self.visible_households()).order_by("id")

    def get_serializer_class(self):
        return IncomeInputSerializer if self.action in ("create", "update", "partial_update") else IncomeSerializer

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.data = IncomeSerializer(self.created).data
        return response

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return Response(IncomeSerializer(self.get_object()).data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        self.created = services.income_record(actor=self.request.user, household=data["household"], year=data["year"],
                                              **{f: data.get(f) for f in FIGURES})

    def perform_update(self, serializer):
        income, data = serializer.instance, serializer.validated_data
        figures = {f: getattr(income, f) for f in FIGURES}
        if any(f in data for f in PARTS) and "total" not in data:
            figures["total"] = None  # the sources given again: their sum is the total
        figures.update({f: data[f] for f in FIGURES if f in data})
        income.household = data.get("household", income.household)
        income.year = data.get("year", income.year)
        services.income_change(actor=self.request.user, income=income, **figures)

    def delete_record(self, income):
        services.income_delete(actor=self.request.user, income=income)
