"""The plan in the admin: its own numbers read-only (changed only through fixtures/), the city's
records written through plans/services.py."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone

from common.admin import ReadOnlyAdmin, ServiceAdmin
from households.admin import county_filter

from . import exports, services
from .models import (
    AnnexRow,
    Envoy,
    PlanTarget,
    PovertyLine,
    Settlement,
    SupportStandard,
    TownshipPairing,
    VillageIncome,
)


@admin.register(AnnexRow)
class AnnexRowAdmin(ReadOnlyAdmin):
    list_display = [
        "label", "registered", "exited_2014", "remaining_2014", "quota_2015", "quota_2016", "quota_2017", "quota_2018",
    ]
    list_select_related = ["county"]
    change_list_template = "admin/plans/annexrow/change_list.html"

    def get_urls(self):
        return [
            path("export-progress/", self.admin_site.admin_view(self.export_progress), name="plans_annexrow_progress"),
            path("export-consistency/", self.admin_site.admin_view(self.export_consistency),
                 name="plans_annexrow_consistency"),
            *super().get_urls(),
        ]

    def export_progress(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return exports.progress_response(request, door="admin", filters={})

    def export_consistency(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return exports.consistency_response(request, door="admin", filters={}, as_of=timezone.localdate())


@admin.register(PlanTarget)
class PlanTargetAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "section", "households", "persons", "amount", "year"]
    search_fields = ["code", "name"]


class RecordAdmin(ServiceAdmin):
    def save_model(self, request, obj, form, change):
        services.plan_record_save(actor=request.user, record=obj)

    def delete_model(self, request, obj):
        services.plan_record_delete(actor=request.user, record=obj)


@admin.register(VillageIncome)
class VillageIncomeAdmin(RecordAdmin):
    list_display = ["village", "year", "own_income"]
    list_filter = [county_filter("village__township__county_id"), "year", "village__is_hollow"]
    search_fields = ["village__code", "village__name"]
    list_select_related = ["village"]
    autocomplete_fields = ["village"]


@admin.register(TownshipPairing)
class TownshipPairingAdmin(RecordAdmin):
    list_display = ["strong_town", "key_township", "since"]
    list_select_related = ["strong_town", "key_township"]
    autocomplete_fields = ["strong_town", "key_township"]


@admin.register(Envoy)
class EnvoyAdmin(RecordAdmin):
    list_display = ["name", "unit", "township", "year"]
    list_filter = ["year"]
    list_select_related = ["township"]
    autocomplete_fields = ["township"]


@admin.register(Settlement)
class SettlementAdmin(RecordAdmin):
    list_display = ["name", "township", "year", "households"]
    list_filter = [county_filter("township__county_id"), "year"]
    list_select_related = ["township"]
    autocomplete_fields = ["township"]


@admin.register(SupportStandard)
class SupportStandardAdmin(RecordAdmin):
    list_display = ["county", "year", "standard", "rural_consumption_prev_year"]
    list_filter = ["county", "year"]
    list_select_related = ["county"]


@admin.register(PovertyLine)
class PovertyLineAdmin(RecordAdmin):
    list_display = ["standard", "year", "amount", "source"]
    list_filter = ["standard"]


from . import close_admin  # noqa: E402, F401  (the year-end close's pages register themselves)
