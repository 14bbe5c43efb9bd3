"""The projects' API filters: by county, by unit, by household and member, by year."""

import django_filters

from households.api.filters import codes

from ..models import (
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    Job,
    Pilot,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    Workshop,
)


def ids(field: str) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(field_name=field)


class GuaranteeFundFilter(django_filters.FilterSet):
    class Meta:
        model = GuaranteeFund
        fields = ["county", "township", "founded_year"]


class LoanFilter(django_filters.FilterSet):
    county = codes("fund__county")
    fund = ids("fund")
    household = ids("measure__household")
    year = django_filters.NumberFilter(field_name="measure__year", label="措施年度")
    repaid = django_filters.BooleanFilter(field_name="repaid_on", lookup_expr="isnull", exclude=True, label="已还清")

    class Meta:
        model = GuaranteedLoan
        fields = ["county", "fund", "household", "year", "repaid"]


class WorkshopFilter(django_filters.FilterSet):
    county = codes("county")

    class Meta:
        model = Workshop
        fields = ["county", "township", "village", "founded_year", "outside_county", "alleviation_model"]


class LinkFilter(django_filters.FilterSet):
    household = ids("member__household")
    member = ids("member")


class JobFilter(LinkFilter):
    county = codes("workshop__county")
    workshop = ids("workshop")

    class Meta:
        model = Job
        fields = ["county", "workshop", "household", "member", "year"]


class PublicPostFilter(LinkFilter):
    county = codes("county")

    class Meta:
        model = PublicPost
        fields = ["county", "village", "kind", "household", "member", "year"]


class PilotFilter(django_filters.FilterSet):
    class Meta:
        model = Pilot
        fields = ["county", "village", "kind", "link_type", "alleviation_model", "year"]


class EducationFundFilter(django_filters.FilterSet):
    class Meta:
        model = EducationFund
        fields = ["county", "township", "village", "founded_year"]


class StudentAidFilter(LinkFilter):
    county = codes("fund__county")
    fund = ids("fund")

    class Meta:
        model = StudentAid
        fields = ["county", "fund", "household", "member", "year"]


class TrainingCourseFilter(django_filters.FilterSet):
    county = codes("institution__county")
    institution = ids("institution")

    class Meta:
        model = TrainingCourse
        fields = ["county", "institution", "year"]


class TrainingFilter(LinkFilter):
    county = codes("course__institution__county")
    institution = ids("course__institution")
    course = ids("course")
    year = django_filters.NumberFilter(field_name="course__year", label="培训班年度")

    class Meta:
        model = Training
        fields = ["county", "institution", "course", "year", "household", "member", "certified"]
