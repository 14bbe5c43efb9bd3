"""3. 精准扶贫试点示范工程 (三.(一).3) in the admin: the pilots the city chooses."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from simple_history.template_utils import HistoricalRecordContextHelper

from households import access as registry_access
from households.admin import county_filter
from households.models import Household

from .. import services
from ..models import Pilot
from .base import UnitAdmin


class SeenHouseholdsHelper(HistoricalRecordContextHelper):
    """A pilot's history lists each change of its households: only those the user sees."""

    def __init__(self, model, historical_record, *, user):
        super().__init__(model, historical_record)
        self.user = user

    def prepare_delta_change_value(self, change, value):
        """Runs a query for a change of the households."""
        shown = super().prepare_delta_change_value(change, value)
        if change.field != "households":
            return shown
        seen = set(registry_access.households_visible_to(self.user).filter(pk__in=[h.pk for h in shown])
                   .values_list("pk", flat=True))
        return [h for h in shown if h.pk in seen]


class PilotForm(forms.ModelForm):
    class Meta:
        model = Pilot
        fields = "__all__"

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if self.errors:
            return
        households = self.cleaned_data.get("households")
        try:
            services.pilot_check(pilot=self.instance, households=None if households is None else list(households))
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


@admin.register(Pilot)
class PilotAdmin(UnitAdmin):
    """Chosen by the city (三.(一).3): only those who see every county write one, so whoever edits a
    pilot's households sees them all; a reader is shown only the households they see."""

    form = PilotForm
    list_display = ["__str__", "kind", "county", "village", "link_type", "alleviation_model", "year",
                    "households_seen"]
    list_filter = ["kind", county_filter("county_id"), "year", "link_type", "alleviation_model"]
    search_fields = ["name", "village__name"]
    list_select_related = ["county", "village", "alleviation_model"]
    autocomplete_fields = ["households"]
    fields = ["kind", "name", "county", "village", "link_type", "alleviation_model", "year", "households"]

    def get_queryset(self, request):
        visible = registry_access.households_visible_to(request.user)
        return super().get_queryset(request).annotate(
            households_seen=Count("households", filter=Q(households__in=visible)))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "households":
            kwargs["queryset"] = registry_access.households_visible_to(request.user)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "households":
            field.error_messages["invalid_choice"] = "所选贫困户不存在，或不在您可以选择的范围内"
        return field

    def autocomplete_offer(self, request, field_name, queryset):
        if field_name != "households":
            return queryset
        if not self.counties_writable(request).exists():
            return queryset.none()  # whoever may not choose a pilot picks no household for one
        return queryset.exclude(status=Household.Status.REMOVED)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fields
        # A read-only page would list every household the pilot brings along, seen or not: it shows
        # those this user sees, looked up here, where the user is known (a query).
        obj.households_shown = list(obj.households.filter(pk__in=registry_access.households_visible_to(request.user)))
        return ["households_list" if f == "households" else f for f in fields]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None or self.has_change_permission(request, obj) else [*fields, "households_list"]

    @admin.display(description="帮带贫困户（户）", ordering="households_seen")
    def households_seen(self, pilot):
        return pilot.households_seen

    @admin.display(description="帮带贫困户")
    def households_list(self, pilot):
        return "、".join(h.number for h in getattr(pilot, "households_shown", [])) or "-"

    def get_historical_record_context_helper(self, request, historical_record):
        return SeenHouseholdsHelper(self.model, historical_record, user=request.user)

    def save_model(self, request, obj, form, change):
        # The households go through the service with the pilot (save_related saves no M2M of its own).
        households = form.cleaned_data.get("households") if "households" in form.fields else None
        services.pilot_save(actor=request.user, pilot=obj, households=households)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)
