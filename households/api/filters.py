"""The registry's API filters: by the codes of the places above each record, and by its own codes."""

import django_filters
from django.db.models import Q

from ..models import (
    ExitRecord,
    Household,
    Member,
    ReliefMeasure,
    ReturnRecord,
    Township,
    Village,
)


def codes(field):
    return django_filters.CharFilter(field_name=field)


class HouseholdFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(method="filter_county", label="县(市、区)代码")
    township = codes("village__township")
    village = codes("village")
    cause = django_filters.CharFilter(method="filter_cause", label="致贫原因（主要或其他）")
    identified_year = django_filters.NumberFilter()
    exit_year = django_filters.NumberFilter(field_name="exits__year", distinct=True)

    class Meta:
        model = Household
        fields = ["county", "township", "village", "category", "cause", "status", "identified_year", "exit_year"]

    def filter_county(self, queryset, name, value):
        return queryset.for_county(value)  # a range of village codes, not a join to the places

    def filter_cause(self, queryset, name, value):
        return queryset.filter(Q(main_cause=value) | Q(other_causes=value)).distinct()


class MemberFilter(django_filters.FilterSet):
    county = codes("household__village__township__county")
    village = codes("household__village")

    class Meta:
        model = Member
        fields = ["household", "county", "village", "relation", "sex", "health", "labor"]


class RecordFilter(django_filters.FilterSet):
    county = codes("household__village__township__county")
    village = codes("household__village")


class MeasureFilter(RecordFilter):
    class Meta:
        model = ReliefMeasure
        fields = ["household", "county", "village", "channel", "year", "alleviation_model"]


class ExitFilter(RecordFilter):
    class Meta:
        model = ExitRecord
        fields = ["household", "county", "village", "year"]


class ReturnFilter(RecordFilter):
    class Meta:
        model = ReturnRecord
        fields = ["household", "county", "village", "year"]


class TownshipFilter(django_filters.FilterSet):
    class Meta:
        model = Township
        fields = ["county", "is_city_key", "is_ethnic"]


class VillageFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="township__county", label="县(市、区)代码")

    class Meta:
        model = Village
        fields = ["county", "township", "is_poor_village", "is_hollow"]
