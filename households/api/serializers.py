"""The registry's API serializers: the shape of what goes in and out. Rules and scope are the
services' (households/services/), ID numbers are shown as access.id_display decides."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import access, selectors
from ..models import (
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
    """ID numbers are personal data: shown as access.id_display shows them to the caller."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            data["id_number"] = access.id_display(request.user)(data["id_number"])
        return data


class NestedMemberSerializer(MaskedIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        extra_kwargs = {"sex": {"required": False}, "birth_date": {"required": False}}


class MemberSerializer(NestedMemberSerializer):
    """A member on its own: with its presence (成员变动), since a member who has left stays listed here."""

    class Meta(NestedMemberSerializer.Meta):
        fields = ["household", *MEMBER_FIELDS, "joined_on", "left_on"]
        read_only_fields = ["joined_on", "left_on"]
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


@extend_schema_field(OpenApiTypes.STR)
class CurrentHelperField(serializers.Field):
    """Out: the household's current helper's name, unit or phone (帮扶责任人; the phone as
    access.helper_phone_display shows it for the household's county), "" without one. In: what
    services.household_helper_set is given (the view calls it)."""

    def __init__(self, part: str, *, max_length: int, **kwargs):
        self.part, self.max_length = part, max_length
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, household):
        value = selectors.current_helper(household)[f"helper_{self.part}"]
        request = self.context.get("request")
        if self.part == "phone" and request is not None:
            if "helper_phone_display" not in self.context:  # a query: once per response
                self.context["helper_phone_display"] = access.helper_phone_display(request.user)
            value = self.context["helper_phone_display"](value, household.county_code)
        return value

    def to_internal_value(self, data):
        if data is None:
            data = ""
        if not isinstance(data, str | int):
            raise serializers.ValidationError("请填写文字")
        data = str(data).strip()
        if len(data) > self.max_length:
            raise serializers.ValidationError(f"不能超过{self.max_length}个字")
        return {f"helper_{self.part}": data}


class HouseholdSerializer(serializers.ModelSerializer):
    county = CountyField()
    members = NestedMemberSerializer(many=True)
    helper_name = CurrentHelperField("name", max_length=50, label="帮扶责任人",
                                     help_text="现任帮扶责任人姓名；写入时登记自当日起的帮扶关系（空白表示不变）")
    helper_unit = CurrentHelperField("unit", max_length=100, label="帮扶责任人单位")
    helper_phone = CurrentHelperField("phone", max_length=20, label="帮扶责任人电话",
                                      help_text="手机号或带区号的固定电话；按权限脱敏")

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
    model = serializers.CharField(
        help_text="household, member, reliefmeasure, exitrecord, returnrecord, transfer, memberchange, householdincome, "
                  "helperassignment")
    object_id = serializers.CharField()
    type = serializers.ChoiceField(["created", "changed", "deleted"])
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


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


class HelperCountsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    skip = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    written = serializers.BooleanField(help_text="是否已写入")
    rows = serializers.IntegerField(help_text="数据行数（不含空行）")
    households = ImportCountsSerializer(help_text="贫困户：新增、更新、不变")
    members = ImportCountsSerializer(help_text="家庭成员：新增、更新、不变")
    helpers = HelperCountsSerializer(help_text="帮扶关系：新登记的现任帮扶责任人、未变")
    refused_rows = serializers.ListField(child=serializers.IntegerField())
    problems = ImportProblemSerializer(many=True)
    ignored_headers = serializers.ListField(child=serializers.CharField(), help_text="无法识别而忽略的列")
