"""Warnings of a return to poverty in the admin (docs/return-risks.md): the warnings, read-only, as
the user sees their households; the clerk's follow-ups added through workflows/risk_services.py,
never changed (another is added)."""

from django import forms
from django.contrib import admin

from common.admin import ReadOnlyAdmin, ScopedAdmin
from households import access
from households.admin.base import county_filter
from households.models import HelperVisit, ReliefMeasure

from . import risk_services
from .risk_models import ReturnRisk, RiskFollowUp, RiskState
from .risk_selectors import risks_visible_to


class FollowUpInline(admin.TabularInline):
    model = RiskFollowUp
    extra = 0
    can_delete = False
    fields = ["kind", "measure", "visit", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever sees the warning (ReturnRiskAdmin.get_queryset) sees what was done about it


@admin.register(ReturnRisk)
class ReturnRiskAdmin(ReadOnlyAdmin):
    list_display = ["household", "county", "state", "reason_list", "raised_on", "refreshed_on", "return_record"]
    list_filter = ["state", county_filter("household__village__township__county"), "low_income", "income_drop",
                   "health", "lost_labourer"]
    search_fields = ["household__number"]
    list_select_related = ["household__village__township__county", "return_record"]
    readonly_fields = ["household", "state", "reason_details", "raised_on", "refreshed_on", "closed_on",
                       "return_record"]
    fields = readonly_fields
    inlines = [FollowUpInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=risks_visible_to(request.user).values("pk"))

    @admin.display(description="县(市、区)", ordering="household__village__township__county")
    def county(self, risk):
        return risk.household.village.township.county.name

    @admin.display(description="风险原因")
    def reason_list(self, risk):
        return "、".join(risk.reason_labels())

    @admin.display(description="风险说明")
    def reason_details(self, risk):
        return "；".join(risk.details.get(code, "") for code in risk.reasons)


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = RiskFollowUp
        fields = ["risk", "kind", "measure", "visit", "note"]


@admin.register(RiskFollowUp)
class RiskFollowUpAdmin(ScopedAdmin):
    form = FollowUpForm
    list_display = ["risk", "kind", "note", "recorded_by", "recorded_at"]
    list_filter = ["kind", county_filter("risk__household__village__township__county")]
    search_fields = ["risk__household__number"]
    list_select_related = ["risk__household", "recorded_by"]
    ordering = ["-recorded_at", "-id"]

    def visible(self, request, queryset):
        return queryset.filter(risk__in=risks_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return risks_visible_to(request.user).filter(pk=obj.risk_id).exists()

    def may_change(self, request, obj) -> bool:
        return False  # a follow-up stands as recorded: another is added

    def may_add(self, request) -> bool:
        return access.households_writable_by(request.user).exists()

    def get_readonly_fields(self, request, obj=None):
        return ["risk", "kind", "measure", "visit", "note", "recorded_by", "recorded_at"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The choices a clerk may make; the service decides again (the household, the dates).
        writable = access.households_writable_by(request.user)
        if db_field.name == "risk":
            kwargs["queryset"] = (ReturnRisk.objects.filter(state=RiskState.OPEN, household__in=writable)
                                  .select_related("household").order_by("household__number"))
        elif db_field.name == "measure":
            kwargs["queryset"] = (ReliefMeasure.objects.filter(household__in=writable,
                                                               household__return_risks__state=RiskState.OPEN)
                                  .select_related("household").distinct())
        elif db_field.name == "visit":
            kwargs["queryset"] = (HelperVisit.objects.filter(assignment__household__in=writable,
                                                             assignment__household__return_risks__state=RiskState.OPEN)
                                  .select_related("assignment__household", "assignment__helper").distinct())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in FollowUpForm.Meta.fields}
        saved = risk_services.risk_follow_up(actor=request.user, **{**data, "note": data["note"] or ""})
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request, obj):
        raise NotImplementedError("a follow-up is never deleted")
