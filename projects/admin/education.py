"""4. 乡村教育助学工程 (三.(一).4) in the admin: education funds with their grants."""

from django.contrib import admin
from django.db.models import Count

from households.admin import county_filter
from households.models import Member

from ..models import EducationFund, StudentAid
from .base import LinkAdmin, LinkInline, UnitAdmin


class AidInline(LinkInline):
    model = StudentAid
    fields = ["member", "household_number", "year", "amount"]


@admin.register(EducationFund)
class EducationFundAdmin(UnitAdmin):
    list_display = ["name", "county", "township", "village", "founded_year", "government_funds", "donations",
                    "raised", "students"]
    list_filter = [county_filter("county_id"), "founded_year"]
    search_fields = ["name"]
    list_select_related = ["county", "township", "village"]
    inlines = [AidInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(students=Count("aids__member", distinct=True))

    @admin.display(description="筹集合计（元）")
    def raised(self, fund):
        return fund.raised

    @admin.display(description="资助学生", ordering="students")
    def students(self, fund):
        return fund.students


@admin.register(StudentAid)
class StudentAidAdmin(LinkAdmin):
    unit = "fund"
    list_display = ["member", "household_number", "fund", "year", "amount"]
    list_filter = [county_filter("fund__county_id"), "year"]
    search_fields = ["member__name", "=member__id_number", "member__household__number", "fund__name"]
    list_select_related = ["member__household", "fund"]
    fields = ["fund", "member", "year", "amount", "measure"]

    def autocomplete_offer(self, request, field_name, queryset):
        offered = super().autocomplete_offer(request, field_name, queryset)
        # The funds help students (三.(一).4(2)): the box offers those in school.
        return offered.exclude(schooling=Member.Schooling.NOT_IN_SCHOOL) if field_name == "member" else offered
