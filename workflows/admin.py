"""The workflows in the admin: every case with its steps, objections and home visit, read-only
(steps are taken through the services, from the API), and the in-tray as a filter of the list:
whom each open case waits on, with counts. An applicant's ID number is shown as
households.access.id_display shows it to the reader, as everywhere."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from households import access
from households.admin import MaskedIdMixin
from households.validators import mask_id

from . import selectors
from .access import cases_visible_to
from .models import Case, Objection, Step, Verification


class WaitsOnFilter(admin.SimpleListFilter):
    title = "等待（待办）"
    parameter_name = "waits_on"

    def lookups(self, request, model_admin):
        # Runs the in-tray's queries once: the counts stand in the filter's labels.
        self.tasks, counts = selectors.in_tray(user=request.user)
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


@admin.register(Case)
class CaseAdmin(MaskedIdMixin, ReadOnlyAdmin):
    list_display = ["id", "kind", "who", "village", "year", "state", "opened_at"]
    list_filter = [WaitsOnFilter, "kind", "state", "year"]
    list_select_related = ["village", "household"]
    search_fields = ["household__number", "applicant_name"]
    inlines = [StepInline, VerificationInline]
    readonly_fields = [f.name for f in Case._meta.fields]
    id_fields = ("applicant_id_number",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=cases_visible_to(request.user))

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
