"""The year-end close in the admin (issue 19): the county-years that have taken a step, read-only,
their figures as stored, and the steps as actions of the list; the explanations of findings, written
through plans/closes.py. Registered from plans/admin.py (these records live in the registry, but
their services are the plan's)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from common.admin import ScopedAdmin, each_selected, refusal_messages, with_reason
from households.access import counties_visible_to, sees_whole_city, user_role
from households.admin import county_filter
from households.models import County, FindingExplanation, Role, YearClose

from . import closes as services
from .access import may_explain_findings
from .exports import close_response


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class VisibleCounty:
    """Read by whoever sees the county's pages (counties_visible_to)."""

    def visible(self, request, queryset):
        return queryset.filter(county__in=counties_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return counties_visible_to(request.user).filter(pk=obj.county_id).exists()


@admin.register(YearClose)
class YearCloseAdmin(VisibleCounty, ScopedAdmin):
    list_display = ["county", "year", "state", "submitted_by", "submitted_at", "accepted_by", "accepted_at",
                    "acted_by", "acted_at", "reason", "figures_sha256"]
    list_filter = ["state", "year", county_filter("county_id")]
    list_select_related = ["county", "submitted_by", "accepted_by", "acted_by"]
    actions = ["submit_closes", "accept_closes", "send_back_closes", "reopen_closes", "export_figures"]
    fields = ["county", "year", "state", "submitted_by", "submitted_at", "accepted_by", "accepted_at", "acted_by",
              "acted_at", "reason", "figures_sha256", "figures_shown"]
    readonly_fields = fields

    def may_change(self, request, obj) -> bool:
        return False  # a county-year moves by its steps (the actions), never by editing

    def may_add(self, request) -> bool:
        return False  # a row is made by the first submission

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="锁定时的数据（规范JSON）")
    def figures_shown(self, close):
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', close.figures) if close.figures else "—"

    def _steps(self, request, queryset, service, done_text):
        each_selected(self, request, queryset.select_related("county"),
                      lambda c: service(actor=request.user, county=c.county, year=c.year),
                      done_text=done_text, unit="个年度")

    def _with_reason(self, request, queryset, action, service, done_text):
        return with_reason(
            self, request, queryset.select_related("county"), form_class=ReasonForm, action=action,
            title=f"{done_text}年度数据", done_text=done_text, unit="个年度",
            step=lambda c, reason: service(actor=request.user, county=c.county, year=c.year, reason=reason),
            describe=lambda c: f"{c}：{c.get_state_display()}")

    @admin.action(description="提交所选年度（本县录入员）")
    def submit_closes(self, request, queryset):
        self._steps(request, queryset, services.close_submit, "提交")

    @admin.action(description="锁定所选年度（审核员）")
    def accept_closes(self, request, queryset):
        self._steps(request, queryset, services.close_accept, "锁定")

    @admin.action(description="导出所选年度最近一次锁定时的数据（Excel，选一个年度）")
    def export_figures(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选一个年度导出", messages.WARNING)
            return None
        try:
            return close_response(request, queryset.select_related("county").get(), door="admin")
        except ValidationError as e:
            self.message_user(request, "；".join(refusal_messages(e)), messages.ERROR)
            return None

    @admin.action(description="退回所选年度（审核员，须填写原因）")
    def send_back_closes(self, request, queryset):
        return self._with_reason(request, queryset, "send_back_closes", services.close_send_back, "退回")

    @admin.action(description="重新打开所选年度（审核员，须填写原因）")
    def reopen_closes(self, request, queryset):
        return self._with_reason(request, queryset, "reopen_closes", services.close_reopen, "重新打开")


@admin.register(FindingExplanation)
class FindingExplanationAdmin(VisibleCounty, ScopedAdmin):
    list_display = ["check_code", "county", "year", "target", "household", "reason", "explained_by", "explained_at"]
    list_filter = ["year", county_filter("county_id"), "check_code"]
    search_fields = ["check_code", "target", "reason", "household__number"]
    list_select_related = ["county", "household", "explained_by"]
    fields = ["check_code", "county", "year", "target", "reason"]

    def may_change(self, request, obj) -> bool:
        return may_explain_findings(request.user, obj.county_id)

    def may_add(self, request) -> bool:
        role = user_role(request.user)
        return sees_whole_city(request.user) or (role is not None and role.role == Role.COUNTY_CLERK)

    def get_readonly_fields(self, request, obj=None):
        # What the explanation points to is fixed once made; its reason may be rewritten.
        return ["check_code", "county", "year", "target", "household", "explained_by", "explained_at"] if obj else []

    def get_fields(self, request, obj=None):
        return [*self.fields, "household", "explained_by", "explained_at"] if obj else self.fields

    def get_changeform_initial_data(self, request):
        # From the data-quality page's 说明… link: the finding the explanation is for.
        return {k: request.GET[k] for k in ("check_code", "county", "year", "target") if request.GET.get(k)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county":
            codes = [c.code for c in counties_visible_to(request.user) if may_explain_findings(request.user, c.code)]
            kwargs["queryset"] = County.objects.filter(pk__in=codes)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = services.finding_explain(actor=request.user, check_code=obj.check_code, county=obj.county,
                                         year=obj.year, target=obj.target, reason=obj.reason)
        obj.__dict__.update(saved.__dict__)  # the admin's message and redirect name the saved explanation

    def delete_model(self, request, obj):
        services.finding_explanation_delete(actor=request.user, explanation=obj)
