"""The workflows' API serializers: the cases as they are answered (ID numbers as
households.access.id_display shows them), each step's input, and the queries the lists read."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from households import access, audit
from households.models import Household, Labor, PovertyCause, Village
from plans.models import PLAN_YEARS

from .. import selectors, services
from ..models import Case, Kind, Objection, Outcome, State, Step, Verification

YEARS = {"min_value": 2014, "max_value": 2020}
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}

# ---------------------------------------------------------------- output


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "raised_on", "raised_by", "content", "outcome", "decision", "decided_on"]


class StepSerializer(serializers.ModelSerializer):
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta:
        model = Step
        fields = ["state", "level", "on", "by_name", "note", "notice_start", "notice_end", "objections"]


class VerificationSerializer(serializers.ModelSerializer):
    line_unknown = serializers.BooleanField(help_text="该年度该标准的贫困线未登记：标记，不拒绝")
    problems = serializers.DictField(child=serializers.CharField(), help_text="低于贫困线或两不愁三保障未达标")
    passed = serializers.BooleanField(help_text="通过，或经审核员放行")

    class Meta:
        model = Verification
        fields = ["income_per_capita", "line_amount", "line_unknown", "food", "clothing", "education", "medical",
                  "housing", "problems", "passed", "override_reason", "overridden_by_name", "overridden_at"]


class CaseSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_code", read_only=True)
    next_state = serializers.ChoiceField(State.choices, allow_null=True, read_only=True,
                                         help_text="下一环节；已办结或终止为 null")
    household_number = serializers.CharField(source="household.number", allow_null=True, default=None, read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    verification = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "kind", "state", "next_state", "county", "village", "household", "household_number", "year",
                  "applicant_name", "applicant_id_number", "applicant_labor", "category", "main_cause", "standard",
                  "income_per_capita", "reason", "opened_at", "steps", "verification"]

    @extend_schema_field(VerificationSerializer(allow_null=True))
    def get_verification(self, case) -> dict | None:
        verification = getattr(case, "verification", None) if case.kind == Kind.EXIT else None
        return VerificationSerializer(verification).data if verification else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if data["applicant_id_number"] and request is not None:
            data["applicant_id_number"] = access.id_display(request.user)(data["applicant_id_number"])
        return data


class TaskSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case_id", allow_null=True, help_text="流程 id；帮扶走访为 null")
    household = serializers.IntegerField(source="household_id", allow_null=True,
                                         help_text="帮扶走访的贫困户 id；流程为 null")
    kind = serializers.ChoiceField(list(selectors.KINDS.items()),
                                   help_text="identification 识别、exit 退出；visit 帮扶走访（超期未走访的户）")
    state = serializers.ChoiceField(State.choices, allow_null=True, help_text="当前环节；帮扶走访为 null")
    next_state = serializers.ChoiceField(State.choices, allow_null=True, help_text="下一环节；帮扶走访为 null")
    county = serializers.CharField()
    village = serializers.CharField(source="place.code")
    who = serializers.CharField(help_text="户编号或申请人")
    waits_on = serializers.ChoiceField(list(selectors.WAITS_ON_LABELS), help_text="village 村、township 乡镇、county 县、reviewer 审核员；notice 公示期中")
    ready = serializers.BooleanField(help_text="可以办理（公示期已满）")
    task = serializers.CharField()
    since = serializers.DateField(help_text="上一环节的日期；帮扶走访为最近走访日期（从未走访为现帮扶起始日期）")


@extend_schema_serializer(many=False)  # the list action answers one object: the counts and the tasks
class InTraySerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="按等待对象计数")
    results = TaskSerializer(many=True)


class PendingExitSerializer(serializers.Serializer):
    county = serializers.CharField()
    county_name = serializers.CharField()
    year = serializers.IntegerField()
    households = serializers.IntegerField(help_text="待批准退出的户数")
    persons = serializers.IntegerField(help_text="这些户现有人数")


class AuditExplanationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    reason = serializers.CharField()
    explained_by = serializers.CharField(allow_null=True)
    explained_at = serializers.DateTimeField()


class AuditFindingSerializer(serializers.Serializer):
    check = serializers.ChoiceField(list(audit.CHECKS))
    name = serializers.CharField(help_text="检查项")
    county = serializers.CharField()
    household = serializers.IntegerField()
    household_number = serializers.CharField()
    member = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()
    url = serializers.CharField(help_text="该户页面")
    year = serializers.IntegerField(allow_null=True, help_text="所查出记录的年度；空表示不分年度（计入每个未锁定的年度）")
    target = serializers.CharField(help_text="所指记录（说明核查问题时用）：household:<户id> 或 member:<成员id>")
    explanation = AuditExplanationSerializer(allow_null=True, help_text="该问题的说明（有年度的问题为该年度的，不分年度的为最近一次的）；未说明为 null")


class CountyCountSerializer(serializers.Serializer):
    county = serializers.CharField()
    total = serializers.IntegerField()
    explained = serializers.IntegerField(help_text="其中已说明的问题数（另行计数，仍在合计之内）")
    checks = serializers.DictField(child=serializers.IntegerField())


# ---------------------------------------------------------------- input


class OnSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="办理日期，默认今天；不能晚于今天")


class IdentificationInput(OnSerializer):
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all())
    applicant_name = serializers.CharField(max_length=50)
    applicant_id_number = serializers.CharField(max_length=18)
    applicant_labor = serializers.ChoiceField(Labor.choices)
    category = serializers.ChoiceField(Household.Category.choices)
    main_cause = serializers.PrimaryKeyRelatedField(queryset=PovertyCause.objects.all())
    year = serializers.IntegerField(**YEARS)
    standard = serializers.ChoiceField(Household.Standard.choices, default=Household.Standard.NATIONAL)
    income_per_capita = serializers.DecimalField(**MONEY)
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class HouseholdInput(OnSerializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none())
    year = serializers.IntegerField(**YEARS)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # the schema generator builds it without a request
            self.fields["household"].queryset = access.households_visible_to(user)


class ReturnInput(HouseholdInput):
    reason = serializers.CharField(max_length=200)


class ExitInput(HouseholdInput):
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class AdvanceInput(OnSerializer):
    to = serializers.ChoiceField([s for s in State.values if s not in services.OWN_SERVICE and s != State.REJECTED],
                                 help_text="下一环节（评议、审核、审定、签字、公示、公告）")
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class VerifyInput(OnSerializer):
    income_per_capita = serializers.DecimalField(**MONEY)
    food = serializers.BooleanField()
    clothing = serializers.BooleanField()
    education = serializers.BooleanField()
    medical = serializers.BooleanField()
    housing = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class OverrideInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class RegisterInput(OnSerializer):
    number = serializers.CharField(max_length=64, help_text="户编号")


class RejectInput(OnSerializer):
    reason = serializers.CharField(max_length=200)


class ObjectionInput(serializers.Serializer):
    content = serializers.CharField(max_length=500)
    raised_by = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    raised_on = serializers.DateField(required=False, help_text="提出日期，默认今天")


class DecideInput(serializers.Serializer):
    outcome = serializers.ChoiceField([Outcome.UPHELD, Outcome.DISMISSED])
    decision = serializers.CharField(max_length=200)
    decided_on = serializers.DateField(required=False, help_text="处理日期，默认今天")


class CaseQuery(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices, required=False)
    state = serializers.ChoiceField(State.choices, required=False)
    county = serializers.RegexField(r"^\d{6}$", required=False)
    year = serializers.IntegerField(required=False, **YEARS)
    open = serializers.BooleanField(required=False, default=None, allow_null=True)


class InTrayQuery(serializers.Serializer):
    kind = serializers.ChoiceField(list(selectors.KINDS.items()), required=False,
                                   help_text="identification、exit，或 visit（帮扶走访）")
    county = serializers.RegexField(r"^\d{6}$", required=False)
    waits_on = serializers.ChoiceField(list(selectors.WAITS_ON_LABELS), required=False)


class PendingQuery(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}$", required=False)
    year = serializers.ChoiceField(PLAN_YEARS, required=False)


class AuditQuery(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}$", required=False)
    check = serializers.ChoiceField(list(audit.CHECKS), required=False)
