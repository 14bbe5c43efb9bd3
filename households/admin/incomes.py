"""Yearly incomes (年度收入) in the admin: the list of those the user sees, and the income workbook.
A year's income is recorded and corrected on its household's page (IncomeInline) or by the
workbook, each through households/services/incomes.py."""

from django.contrib import admin

from common.admin import ScopedAdmin

from .. import access
from ..models import HouseholdIncome
from .base import county_filter
from .books import RecordBookAdminMixin


@admin.register(HouseholdIncome)
class HouseholdIncomeAdmin(RecordBookAdminMixin, ScopedAdmin):
    record_book = "householdincome"
    list_display = ["household", "year", "wages", "business", "property", "transfers", "total", "persons",
                    "per_capita"]
    list_filter = ["year", county_filter("household__village__township__county")]
    search_fields = ["household__number"]
    list_select_related = ["household"]
    ordering = ["household__number", "year"]
    fields = ["household", "year", "wages", "business", "property", "transfers", "total", "persons", "per_capita",
              "recorded_by"]
    readonly_fields = fields

    def visible(self, request, queryset):
        return queryset.filter(household__in=access.households_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return access.households_visible_to(request.user).filter(pk=obj.household_id).exists()

    def may_change(self, request, obj) -> bool:
        return False  # on the household's page, where its exit and home visits follow

    def has_change_permission(self, request, obj=None):
        return False  # read here, the list's title too ("选择…来查看")

    def may_add(self, request) -> bool:
        return False  # on the household's page, or by the workbook

    def may_import(self, request) -> bool:
        return access.households_writable_by(request.user).exists()
