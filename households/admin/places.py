"""Places and reference data in the admin: a clerk adds townships and villages in its counties, the
city reviewer sets the flags the plan counts and names the eighth model (services/places.py)."""

from django.contrib import admin

from common.admin import HistoryAdmin, ServiceAdmin, offered_for_source

from .. import access, services
from ..models import (
    AlleviationModel,
    County,
    PovertyCause,
    ReliefChannel,
    Township,
    Village,
)
from .base import county_filter


class PlaceAdmin(ServiceAdmin):
    search_fields = ["code", "name"]
    parent = None  # the field that places a township or a village in its county

    def save_model(self, request, obj, form, change):
        services.place_save(actor=request.user, place=obj)

    def delete_model(self, request, obj):
        services.place_delete(actor=request.user, place=obj)

    def get_readonly_fields(self, request, obj=None):
        # A code is an identity: a new code is a new place. It extends its parent's code, so the
        # parent stays too.
        fixed = ["code", *filter(None, [self.parent])] if obj else []
        return list(dict.fromkeys([*fixed, *super().get_readonly_fields(request, obj)]))

    def parents_offered(self, request):
        """The parents a new place may be given: those in the counties the user may register in."""
        raise NotImplementedError

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.parent:
            kwargs["queryset"] = self.parents_offered(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return offered_for_source(self.admin_site, request, queryset), duplicates


@admin.register(County)
class CountyAdmin(PlaceAdmin):
    list_display = ["code", "name", "is_provincial_key"]
    list_filter = ["is_provincial_key"]


@admin.register(Township)
class TownshipAdmin(PlaceAdmin):
    parent = "county"
    list_display = ["code", "name", "county", "is_city_key", "is_ethnic"]
    list_filter = [county_filter("county_id"), "is_city_key", "is_ethnic"]
    list_select_related = ["county"]

    def parents_offered(self, request):
        return access.counties_writable_by(request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "village":  # the village form's township box
            queryset = queryset.filter(county__in=access.counties_writable_by(request.user))
        return queryset, duplicates


@admin.register(Village)
class VillageAdmin(PlaceAdmin):
    parent = "township"
    list_display = ["code", "name", "township", "county_name", "is_poor_village", "is_hollow"]
    list_filter = [county_filter("township__county_id"), "is_poor_village", "is_hollow"]
    list_select_related = ["township__county"]
    autocomplete_fields = ["township"]

    def parents_offered(self, request):
        return Township.objects.filter(county__in=access.counties_writable_by(request.user))

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "household":  # the household form's village box
            queryset = queryset.filter(township__county__in=access.counties_writable_by(request.user))
        return queryset, duplicates

    @admin.display(description="县(市、区)", ordering="township__county")
    def county_name(self, village):
        return village.township.county.name


@admin.register(ReliefChannel)
class ReliefChannelAdmin(HistoryAdmin):
    list_display = ["code", "name", "kind", "department", "position"]
    list_filter = ["kind"]


@admin.register(PovertyCause)
class PovertyCauseAdmin(HistoryAdmin):
    list_display = ["code", "name", "channel", "position"]
    list_select_related = ["channel"]


@admin.register(AlleviationModel)
class AlleviationModelAdmin(ServiceAdmin):
    """The eight models (八种模式, 四.3): the plan names seven, fixed by fixtures/; the eighth is the
    bureau's to name (the city reviewer). Only a superuser adds or deletes one."""

    list_display = ["position", "name", "code"]
    list_display_links = ["name"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        services.alleviation_model_save(actor=request.user, model=obj)

    def delete_model(self, request, obj):
        services.alleviation_model_delete(actor=request.user, model=obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            fixed = ["code"] if obj else []
        else:
            fixed = ["code", "position"]  # the reviewer renames the eighth, nothing else
        return list(dict.fromkeys([*fixed, *super().get_readonly_fields(request, obj)]))

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            request.user.is_superuser or obj is None or obj.pk == services.BUREAU_DEFINED)
