"""Member changes (成员变动) through the REST API (/api/v1/member-changes/): listed as the caller may
see them, recorded through households.services.member_change_record, never changed nor deleted (a
wrong change is put right by another change); and `?on=`, the day a household is read on."""

import datetime

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import access, services
from ..models import ChangeKind, CorrectedField, Household, Member, MemberChange
from .serializers import MEMBER_FIELDS

ON_PARAMETER = OpenApiParameter(
    "on", OpenApiTypes.DATE,
    description="日期 YYYY-MM-DD：按成员变动显示该日在户的家庭成员（含当日迁入、不含当日离开的成员）；默认今天。"
    "与行动计划接口的 as_of（报告日期）无关。",
)


class OnQuery(serializers.Serializer):
    on = serializers.DateField(required=False, input_formats=["iso-8601"])


def read_on(request) -> datetime.date | None:
    """The day `?on=` names, None without it; a bad one is a 400 naming `on`."""
    if "on" not in request.query_params:
        return None
    query = OnQuery(data={"on": request.query_params["on"]})
    if not query.is_valid():
        raise ValidationError({"on": ["日期格式应为 YYYY-MM-DD"]})
    return query.validated_data["on"]


# ---------------------------------------------------------------- serializers


class MemberChangeSerializer(serializers.ModelSerializer):
    """A change as recorded. A corrected ID number's old and new values are shown as the caller may see
    ID numbers (access.id_display)."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MemberChange
        fields = ["id", "household", "kind", "date", "reason", "member", "member_name", "destination", "new_head",
                  "other_household", "other_member", "field", "old_value", "new_value", "recorded_by",
                  "recorded_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and instance.field == CorrectedField.ID_NUMBER:
            show = access.id_display(request.user)
            data["old_value"], data["new_value"] = show(data["old_value"]), show(data["new_value"])
        return data


class PersonSerializer(serializers.ModelSerializer):
    """The new member of a join (birth, marry_in, move_in)."""

    class Meta:
        model = Member
        fields = [f for f in MEMBER_FIELDS if f != "id"]
        extra_kwargs = {"sex": {"required": False}, "birth_date": {"required": False}}


class MovingMemberSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none(), help_text="成员 id")
    relation = serializers.ChoiceField(Member.Relation.choices, help_text="在新户（分户）或本户（并户）中与户主的关系")


class NewHouseholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["number", "category", "main_cause", "income_per_capita"]
        extra_kwargs = {"number": {"validators": []}, "income_per_capita": {"required": False}}


class MemberChangeCreateSerializer(serializers.Serializer):
    """What each kind takes: see member_change_record (households/services/changes.py)."""

    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none())
    kind = serializers.ChoiceField(ChangeKind.choices)
    date = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none(), required=False, allow_null=True,
                                                help_text="离开、户主变更（原户主）、信息更正的成员")
    person = PersonSerializer(required=False, help_text="出生、婚入、其他迁入的新成员")
    destination = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="其他迁出：迁往何处")
    new_head = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none(), required=False, allow_null=True,
                                                  help_text="户主离开、户主变更、户主分出时的新户主")
    other_household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none(), required=False,
                                                         allow_null=True, help_text="婚出迁入的登记户；并入本户的户")
    relation = serializers.ChoiceField(Member.Relation.choices, required=False, allow_blank=True,
                                       help_text="婚出：在另一户中与户主的关系；户主变更：原户主的新关系")
    field = serializers.ChoiceField(CorrectedField.choices, required=False, allow_blank=True)
    new_value = serializers.CharField(required=False, allow_blank=True, max_length=50)
    members = MovingMemberSerializer(many=True, required=False, help_text="分户、并户的成员及其关系")
    new_household = NewHouseholdSerializer(required=False, help_text="分户：新户的户编号、类别、主要致贫原因")

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        if households is not None:
            members = Member.objects.filter(household__in=households)
            for name in ("household", "other_household"):
                self.fields[name].queryset = households
            for name in ("member", "new_head"):
                self.fields[name].queryset = members
            self.fields["members"].child.fields["member"].queryset = members


class MemberChangeFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(method="filter_household", label="贫困户 id（本户或另一户）")
    county = django_filters.CharFilter(field_name="household__village__township__county")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = MemberChange
        fields = ["household", "county", "kind", "date_from", "date_to"]

    def filter_household(self, queryset, name, value):
        return queryset.filter(Q(household=value) | Q(other_household=value))


# ---------------------------------------------------------------- the view


@extend_schema(
    tags=["贫困户"],
    description="成员变动（动态调整）：出生、婚入、其他迁入、死亡、婚出、其他迁出、参军、服刑、户主变更、分户、并户、信息更正。"
    "只列出调用者可见的户的变动；由可修改该户的用户登记，登记后不能修改或删除。离开的成员记录保留并标记离开日期。",
)
class MemberChangeViewSet(viewsets.ModelViewSet):
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = MemberChangeSerializer
    filterset_class = MemberChangeFilter
    ordering_fields = ["id", "date"]
    ordering = ["date", "id"]

    def get_queryset(self):
        visible = access.households_visible_to(self.request.user)
        return (MemberChange.objects.filter(household__in=visible)
                .select_related("member", "recorded_by").order_by("date", "id"))

    @extend_schema(
        request=MemberChangeCreateSerializer,
        responses={201: MemberChangeSerializer(many=True)},
        description="登记一项成员变动，返回所登记的变动记录（分户、并户每人一条，其余一条）。"
        "不合规的变动返回 400，指明字段，不写入任何内容：日期早于识别年份或晚于今天、已离开的成员再登记死亡、"
        "出生日期与身份号码不符、户主离开未指定新户主、分户后任一户无人或无户主、更正后的身份号码已属另一有效户的成员等。",
    )
    def create(self, request, *args, **kwargs):
        visible = access.households_visible_to(request.user)
        query = MemberChangeCreateSerializer(data=request.data, households=visible)
        query.is_valid(raise_exception=True)
        data = {k: v for k, v in query.validated_data.items() if v is not None}
        if "person" in data:
            data["person"] = Member(**data["person"])
        if "members" in data:
            moving = data.pop("members")
            data["members"] = [m["member"] for m in moving]
            data["relations"] = [m["relation"] for m in moving]
        if "new_household" in data:
            data["new_household"] = Household(**data["new_household"])
        records = services.member_change_record(actor=request.user, **data)
        return Response(MemberChangeSerializer(records, many=True, context=self.get_serializer_context()).data,
                        status=201)
