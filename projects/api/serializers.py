"""The projects' API serializers: the shape of a unit and of a record of a person. A write may name
only what its author sees (the members and measures of the households they see, the units of the
counties whose projects they read): anything else "does not exist", a 400 naming the field. Who may
write where is projects/services.py's."""

from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from households import access as registry_access
from households.models import Household, Member, ReliefMeasure

from ..access import in_project_counties
from ..models import (
    LOAN_CHANNEL,
    TRAINING_CHANNEL,
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    Job,
    Pilot,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    TrainingInstitution,
    Workshop,
)


class ScopedSerializer(serializers.ModelSerializer):
    """A write may name only what its author sees: the members and measures of the households they
    see, the units (and villages) of the counties whose projects of `channel` they read. Anything else
    "does not exist": a 400 naming the field, before any rule is asked."""

    channel: str | None = None
    units: tuple[str, ...] = ()  # the fields naming a unit, or a post's village

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or request.method in SAFE_METHODS:
            return fields  # a read, or the schema
        user = request.user
        for name in self.units:
            fields[name].queryset = in_project_counties(fields[name].queryset, user, self.channel)
        if not {"member", "measure", "households"} & set(fields):
            return fields
        households = registry_access.households_visible_to(user)
        for name, model in (("member", Member), ("measure", ReliefMeasure)):
            if name in fields:
                fields[name].queryset = model.objects.filter(household__in=households)
        if "households" in fields:
            fields["households"].child_relation.queryset = households
        return fields


class GuaranteeFundSerializer(ScopedSerializer):
    loan_count = serializers.IntegerField(read_only=True, help_text="担保贷款笔数")
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                           help_text="在保余额（元）：未还清贷款的金额之和")
    households_served = serializers.IntegerField(read_only=True, help_text="服务贫困户数")

    class Meta:
        model = GuaranteeFund
        fields = ["id", "name", "county", "township", "capital", "partner_bank", "founded_year", "loan_count",
                  "outstanding", "households_served"]
        validators = []  # one name a county: the model's clean() says so, naming the name


class LinkSerializer(ScopedSerializer):
    """A record of a member: who (name and household number, never the ID number) and the measure
    it carries out, made by the service when none is given."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    household = serializers.IntegerField(source="member.household_id", read_only=True)
    household_number = serializers.CharField(source="member.household.number", read_only=True)
    county = serializers.CharField(source="county_code", read_only=True, help_text="项目所在县(市、区)代码")

    @property
    def channel(self):
        return self.Meta.model.channel

    class Meta:
        extra_kwargs = {"measure": {"required": False, "help_text": "该户本渠道的帮扶措施；不填则自动登记一条"}}
        validators = []  # once a year (a course): the model's clean() says so, naming the member


class GuaranteedLoanSerializer(ScopedSerializer):
    """A guaranteed loan: its household, amount and term are its measure's (二.(一).6)."""

    channel, units = LOAN_CHANNEL, ("fund",)
    household = serializers.IntegerField(source="measure.household_id", read_only=True)
    household_number = serializers.CharField(source="measure.household.number", read_only=True)
    amount = serializers.DecimalField(source="measure.amount", max_digits=12, decimal_places=2, read_only=True,
                                      help_text="贷款金额（元），取自措施")
    term_months = serializers.IntegerField(source="measure.term_months", read_only=True,
                                           help_text="贷款期限（月），取自措施")
    county = serializers.CharField(source="fund.county_id", read_only=True)

    class Meta:
        model = GuaranteedLoan
        fields = ["id", "fund", "county", "measure", "household", "household_number", "amount", "term_months", "bank",
                  "interest_subsidy", "issued_on", "repaid_on"]


class WorkshopSerializer(ScopedSerializer):
    class Meta:
        model = Workshop
        fields = ["id", "name", "county", "township", "village", "enterprise", "outside_county", "founded_year",
                  "alleviation_model"]


class JobSerializer(LinkSerializer):
    units = ("workshop",)

    class Meta(LinkSerializer.Meta):
        model = Job
        fields = ["id", "workshop", "county", "member", "member_name", "household", "household_number", "measure",
                  "year", "monthly_wage"]


class PublicPostSerializer(LinkSerializer):
    units = ("village",)

    class Meta(LinkSerializer.Meta):
        model = PublicPost
        fields = ["id", "kind", "title", "county", "village", "member", "member_name", "household", "household_number",
                  "measure", "year", "monthly_pay"]


class PilotHouseholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "number"]


class PilotSerializer(serializers.ModelSerializer):
    """A pilot as read: the households it brings along that the reader may see, and how many it
    brings along in all."""

    households = PilotHouseholdSerializer(source="visible_households", many=True, read_only=True,
                                          help_text="帮带贫困户（仅列出调用者可查看的户）")
    household_count = serializers.IntegerField(read_only=True, help_text="帮带贫困户总数")

    class Meta:
        model = Pilot
        fields = ["id", "kind", "name", "county", "village", "link_type", "alleviation_model", "year", "households",
                  "household_count"]


class PilotInputSerializer(ScopedSerializer):
    households = serializers.PrimaryKeyRelatedField(
        queryset=Household.objects.none(), many=True, required=False, help_text="帮带贫困户的 id；不填则不变"
    )

    class Meta:
        model = Pilot
        fields = ["kind", "name", "county", "village", "link_type", "alleviation_model", "year", "households"]
        validators = []  # a village once: the model's clean() says so, naming the village


class EducationFundSerializer(ScopedSerializer):
    raised = serializers.DecimalField(max_digits=15, decimal_places=2, read_only=True, help_text="筹集合计（元）")

    class Meta:
        model = EducationFund
        fields = ["id", "name", "county", "township", "village", "founded_year", "government_funds", "donations",
                  "raised"]
        validators = []


class StudentAidSerializer(LinkSerializer):
    units = ("fund",)

    class Meta(LinkSerializer.Meta):
        model = StudentAid
        fields = ["id", "fund", "county", "member", "member_name", "household", "household_number", "measure", "year",
                  "amount"]


class TrainingInstitutionSerializer(ScopedSerializer):
    class Meta:
        model = TrainingInstitution
        fields = ["id", "name", "county", "agreement_signed_on"]
        validators = []


class TrainingCourseSerializer(ScopedSerializer):
    channel, units = TRAINING_CHANNEL, ("institution",)
    county = serializers.CharField(source="institution.county_id", read_only=True)

    class Meta:
        model = TrainingCourse
        fields = ["id", "institution", "county", "name", "year", "started_on", "ended_on"]


class TrainingSerializer(LinkSerializer):
    units = ("course",)

    class Meta(LinkSerializer.Meta):
        model = Training
        fields = ["id", "course", "county", "member", "member_name", "household", "household_number", "measure",
                  "fee_waived", "board_waived", "certification_waived", "guidance_given", "job_referred",
                  "loan_subsidy_given", "certified"]
