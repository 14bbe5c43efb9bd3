"""The workflows in the admin: every case with its steps, objections and home visit, read-only
(steps are taken through the services, from the API), the warnings of a return with their
follow-ups, and the in-tray as a filter of the list:
whom each open case waits on, with counts. An applicant's ID number is shown as
households.access.id_display shows it to the reader, as everywhere."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from common.admin import ReadOnlyAdmin, ScopedAdmin, with_reason
from households import access
from households.admin import MaskedIdMixin
from households.admin.base import county_filter
from households.models import HelperVisit, ReliefMeasure
from households.validators import mask_id

from . import notices, risk_services, selectors
from .access import cases_visible_to, postings_visible_to
from .models import NOTICES, Case, NoticePosting, Objection, State, Step, Verification
from .risk_models import ReturnRisk, RiskFollowUp, RiskState
from .risk_selectors import risks_visible_to


class WaitsOnFilter(admin.SimpleListFilter):
    title = "等待（待办）"
    parameter_name = "waits_on"

    def lookups(self, request, model_admin):
        # Runs the in-tray's queries once: the counts stand in the filter's labels.
        self.tasks, counts = selectors.in_tray(user=request.user, visits=False)  # cases only: the list is of cases
        return [(key, f"{selectors.WAITS_ON_LABELS[key]}（{n}）") for key, n in counts.items()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(pk__in=[t.case.pk for t in self.tasks if t.waits_on == self.value()])


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # whoever sees the case (CaseAdmin.get_queryset) sees its parts


class StepInline(ReadOnlyInline):
    model = Step
    fields = ["state", "level", "on", "by_name", "note", "notice_start", "notice_end", "at"]
    readonly_fields = fields


class VerificationInline(ReadOnlyInline):
    model = Verification
    fields = ["income_per_capita", "line_amount", "food", "clothing", "education", "medical", "housing",
              "override_reason", "overridden_by_name", "overridden_at"]
    readonly_fields = fields


class PostForm(forms.Form):
    posted_on = forms.DateField(label="张贴日期", initial=timezone.localdate,
                                help_text="所列各户的公示期自此日起算；不能晚于今天，也不能早于该环节的办理日期")


@dataclass(frozen=True)
class NoticeList:
    """The list of one village for one kind and notice step, named by one selected case of it."""

    pk: int
    kind: str
    step: str
    village: object

    def __str__(self):
        return f"{self.village}：{Case.Kind(self.kind).label}“{State(self.step).label}”名单"


@admin.register(Case)
class CaseAdmin(MaskedIdMixin, ReadOnlyAdmin):
    actions = ["post_notice_lists"]
    list_display = ["id", "kind", "who", "village", "year", "state", "opened_at"]
    list_filter = [WaitsOnFilter, "kind", "state", "year"]
    list_select_related = ["village", "household"]
    search_fields = ["household__number", "applicant_name"]
    inlines = [StepInline, VerificationInline]
    readonly_fields = [f.name for f in Case._meta.fields]
    id_fields = ("applicant_id_number",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=cases_visible_to(request.user))

    @admin.action(description="张贴所选流程所在村的公示名单（公示期自张贴日起算）")
    def post_notice_lists(self, request, queryset):
        lists = {}
        for case in queryset.filter(state__in=NOTICES).select_related("village").order_by("id"):
            lists.setdefault((case.kind, case.state, case.village_id), NoticeList(case.pk, case.kind, case.state,
                                                                                  case.village))
        if not lists:
            self.message_user(request, "所选流程都不在公示环节（村公示、乡镇公示、县公告）", messages.WARNING)
            return None
        return with_reason(
            self, request, list(lists.values()), form_class=PostForm, action="post_notice_lists",
            title="张贴公示名单", done_text="张贴", unit="份名单",
            step=lambda notice, on: notices.notice_post(actor=request.user, kind=notice.kind, step=notice.step,
                                                        village=notice.village.pk, on=on),
            note="每份名单列出该村处于该公示环节、尚未张贴的全部流程（不限于所选），其公示期自张贴日起算。")

    @admin.display(description="户编号或申请人")
    def who(self, case):
        return case.who

    @admin.display(description="申请人公民身份号码")
    def masked_applicant_id_number(self, case):
        return mask_id(case.applicant_id_number) if case.applicant_id_number else ""


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["step", "raised_on", "raised_by", "outcome", "decided_on"]
    list_filter = ["outcome"]
    list_select_related = ["step__case__household"]
    readonly_fields = [f.name for f in Objection._meta.fields]

    def get_queryset(self, request):
        visible = access.counties_visible_to(request.user)
        return super().get_queryset(request).filter(step__case__village__township__county__in=visible)


@admin.register(NoticePosting)
class NoticePostingAdmin(ReadOnlyAdmin):
    list_display = ["posted_on", "place", "kind", "step", "posted_by_name", "listed"]
    list_filter = ["kind", "step"]
    list_select_related = ["village", "township", "county"]
    readonly_fields = ["kind", "step", "village", "township", "county", "posted_on", "posted_by_name", "posted_at",
                       "cases"]
    exclude = ["posted_by"]

    def get_queryset(self, request):
        return postings_visible_to(request.user).select_related("village", "township", "county").prefetch_related(
            "cases__household")

    @admin.display(description="地点")
    def place(self, posting):
        return posting.place

    @admin.display(description="所列户数")
    def listed(self, posting):
        return len(posting.cases.all())


# ---------------------------------------------------------------- warnings of a return (docs/return-risks.md)
# The warnings, read-only, as the user sees their households; the clerk's follow-ups added through
# workflows/risk_services.py, never changed (another is added).


class FollowUpInline(ReadOnlyInline):
    """Whoever sees the warning (ReturnRiskAdmin.get_queryset) sees what was done about it."""

    model = RiskFollowUp
    fields = ["kind", "measure", "visit", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields


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
