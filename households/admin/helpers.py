"""Helpers (帮扶责任人), their assignments and visits in the admin: lists scoped by access.py's
*_visible_to, a helper's page listing the households it had (current first) and its visits, and the
assignments workbook on the assignments' list. Every save goes through households/services/helpers.py,
whose refusals are shown as messages with nothing saved; a helper's phone is shown as
access.helper_phone_display decides, in the lists, the forms and the read-only pages."""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from common.admin import ScopedAdmin

from .. import access, services
from ..models import Helper, HelperAssignment, HelperVisit
from .base import county_filter
from .helper_book import AssignmentBookAdminMixin


class PhoneMaskMixin:
    """Where the user is shown the phone masked (access.helper_phone_display), a page shows
    `shown_phone` instead of the field itself, read-only: a form never carries a masked phone
    back into a save. Each record the page shows carries its viewer and its phone as shown
    (`_viewer`, `_shown_phone`): the admin is one object for every request."""

    def phone_county(self, obj) -> str:
        raise NotImplementedError

    def phone_of(self, obj) -> str:
        raise NotImplementedError

    def _mark(self, obj, request, show) -> None:
        obj._viewer = request.user
        obj._shown_phone = show(self.phone_of(obj), self.phone_county(obj))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self._mark(obj, request, access.helper_phone_display(request.user))
        return obj

    def get_form(self, request, obj=None, **kwargs):
        # A past version (simple_history's page) is built here, past get_object().
        if obj is not None and not hasattr(obj, "_shown_phone"):
            self._mark(obj, request, access.helper_phone_display(request.user))
        return super().get_form(request, obj, **kwargs)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        show = access.helper_phone_display(request.user)  # one query for the whole page
        for obj in changelist.result_list:  # evaluated here, kept for the template
            self._mark(obj, request, show)
        return changelist

    def masks_phone(self, request, obj) -> bool:
        return obj is not None and bool(self.phone_of(obj)) and obj._shown_phone != self.phone_of(obj)

    @admin.display(description="联系电话")
    def shown_phone(self, obj):
        return obj._shown_phone


class HelperForm(forms.ModelForm):
    class Meta:
        model = Helper
        fields = ["county", "name", "unit", "post", "level", "phone"]

    def _post_clean(self):
        # Every rule is the service's: it keeps a phone as people write it (spaces, +86) before
        # checking it, and one helper per county, name and unit.
        pass


@admin.register(Helper)
class HelperAdmin(PhoneMaskMixin, ScopedAdmin):
    form = HelperForm
    list_display = ["name", "unit", "post", "level", "county", "shown_phone"]
    list_filter = [county_filter("county"), "level"]
    search_fields = ["name", "unit"]
    list_select_related = ["county"]
    ordering = ["county", "unit", "name"]

    def phone_county(self, helper):
        return helper.county_id

    def phone_of(self, helper):
        return helper.phone

    def visible(self, request, queryset):
        return queryset.filter(pk__in=access.helpers_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return access.helpers_visible_to(request.user).filter(pk=obj.pk).exists()

    def may_change(self, request, obj) -> bool:
        return access.counties_writable_by(request.user).filter(pk=obj.county_id).exists()

    def may_add(self, request) -> bool:
        return access.counties_writable_by(request.user).exists()

    def has_delete_permission(self, request, obj=None):
        return False  # a helper stays with the assignments that name it

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_fields(self, request, obj=None):
        fields = list(HelperForm.Meta.fields)
        if self.masks_phone(request, obj):
            fields[fields.index("phone")] = "shown_phone"
        return [*fields, "households_table", "visits_table"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "households_table", "visits_table"]
        if obj is not None:
            fields.append("county")  # a helper stays its county's (services.helper_update)
        if self.masks_phone(request, obj):
            fields.append("shown_phone")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county":
            kwargs["queryset"] = access.counties_writable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="帮扶的贫困户（当前的在前）")
    def households_table(self, helper):
        """Runs a query. The assignments of the households the user sees, current first."""
        assignments = (helper.assignments.filter(household__in=access.households_visible_to(helper._viewer))
                       .select_related("household")
                       .order_by(F("ended_on").desc(nulls_first=True), "-started_on"))
        rows = [(reverse("admin:households_household_change", args=[a.household_id]), a.household.number,
                 a.started_on, a.ended_on or "至今", a.reason) for a in assignments]
        if not rows:
            return "—"
        body = format_html_join("", "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><thead><tr><th>户编号</th><th>起始日期</th><th>终止日期</th><th>变更原因</th>"
                           "</tr></thead><tbody>{}</tbody></table>", body)

    @admin.display(description="帮扶走访")
    def visits_table(self, helper):
        """Runs a query. The helper's visits to the households the user sees, latest first."""
        visits = (access.helper_visits_visible_to(helper._viewer).filter(assignment__helper=helper)
                  .select_related("assignment__household").order_by("-visited_on", "-id"))
        rows = [(v.visited_on, v.assignment.household.number, v.get_kind_display(), v.found, v.done)
                for v in visits]
        if not rows:
            return "—"
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><thead><tr><th>走访日期</th><th>户编号</th><th>方式</th><th>了解的情况</th>"
                           "<th>帮扶措施</th></tr></thead><tbody>{}</tbody></table>", body)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in HelperForm.Meta.fields if name in form.cleaned_data}
        if change:
            stored = Helper.objects.get(pk=obj.pk)  # the record as it stands, the form's changes given apart
            changed = {name: data[name] for name in form.changed_data if name in data and name != "county"}
            saved = services.helper_update(actor=request.user, helper=stored, **changed)
        else:
            saved = services.helper_create(actor=request.user, **data)
        obj.__dict__.update(saved.__dict__)  # the admin's message and redirect name the saved helper


# ---------------------------------------------------------------- assignments


class AssignmentStartForm(forms.ModelForm):
    class Meta:
        model = HelperAssignment
        fields = ["household", "helper", "started_on", "reason"]

    def _post_clean(self):
        pass  # every rule is the service's (overlap, the day, another county's helper), with its field


class AssignmentChangeForm(forms.ModelForm):
    class Meta:
        model = HelperAssignment
        fields = ["started_on", "ended_on", "reason"]

    def _post_clean(self):
        pass


class CurrentFilter(admin.SimpleListFilter):
    title = "当前帮扶关系"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "当前"), ("no", "已终止")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_on__isnull=self.value() == "yes")
        return queryset


@admin.register(HelperAssignment)
class HelperAssignmentAdmin(AssignmentBookAdminMixin, PhoneMaskMixin, ScopedAdmin):
    list_display = ["household", "helper", "helper_unit", "shown_phone", "started_on", "ended_on", "reason"]
    list_filter = [CurrentFilter, county_filter("household__village__township__county")]
    search_fields = ["household__number", "helper__name", "helper__unit"]
    list_select_related = ["household", "helper"]
    ordering = ["household__number", "-started_on"]
    autocomplete_fields = ["household"]

    def phone_county(self, assignment):
        return assignment.household.county_code

    def phone_of(self, assignment):
        return assignment.helper.phone

    @admin.display(description="帮扶单位", ordering="helper__unit")
    def helper_unit(self, assignment):
        return assignment.helper.unit

    def visible(self, request, queryset):
        return queryset.filter(pk__in=access.helper_assignments_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return access.helper_assignments_visible_to(request.user).filter(pk=obj.pk).exists()

    def may_change(self, request, obj) -> bool:
        return access.households_writable_by(request.user).filter(pk=obj.household_id).exists()

    def may_add(self, request) -> bool:
        return access.households_writable_by(request.user).exists()

    def has_delete_permission(self, request, obj=None):
        return False  # an assignment is ended, its dates kept

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = AssignmentChangeForm if obj else AssignmentStartForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return AssignmentStartForm.Meta.fields
        return ["household", "helper", "shown_phone", *AssignmentChangeForm.Meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["household", "helper", "shown_phone"] if obj else [])]

    def get_changeform_initial_data(self, request):
        return {"household": request.GET.get("household"), "helper": request.GET.get("helper")}

    def households(self, request):
        return access.households_writable_by(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "household":
            kwargs["queryset"] = self.households(request)
        elif db_field.name == "helper":
            # The helpers the user sees (its counties', and those already helping its households): a
            # list is scoped like every other. Another county's new helper is given through the API.
            kwargs["queryset"] = access.helpers_visible_to(request.user).order_by("county", "unit", "name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def autocomplete_offer(self, request, field_name, queryset):
        """The household box offers the households the user may give a helper."""
        return queryset.filter(pk__in=self.households(request)) if field_name == "household" else queryset

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            stored = HelperAssignment.objects.get(pk=obj.pk)
            changed = {name: data[name] for name in form.changed_data if name in AssignmentChangeForm.Meta.fields}
            saved = services.assignment_update(actor=request.user, assignment=stored, **changed)
        else:
            saved = services.assignment_start(actor=request.user, household=data["household"], helper=data["helper"],
                                              started_on=data["started_on"], reason=data.get("reason", ""))
        obj.__dict__.update(saved.__dict__)


# ---------------------------------------------------------------- visits


class VisitForm(forms.ModelForm):
    class Meta:
        model = HelperVisit
        fields = ["assignment", "visited_on", "kind", "found", "done", "follow_up"]

    def _post_clean(self):
        pass  # the visit's day against its assignment and today: the service's rule, with its field


@admin.register(HelperVisit)
class HelperVisitAdmin(ScopedAdmin):
    form = VisitForm
    list_display = ["visited_on", "household_number", "helper_name", "kind", "found"]
    list_filter = ["kind", county_filter("assignment__household__village__township__county")]
    search_fields = ["assignment__household__number", "assignment__helper__name"]
    list_select_related = ["assignment__household", "assignment__helper"]
    date_hierarchy = "visited_on"
    ordering = ["-visited_on", "-id"]

    @admin.display(description="户编号", ordering="assignment__household__number")
    def household_number(self, visit):
        return visit.assignment.household.number

    @admin.display(description="帮扶责任人", ordering="assignment__helper__name")
    def helper_name(self, visit):
        return visit.assignment.helper.name

    def visible(self, request, queryset):
        return queryset.filter(pk__in=access.helper_visits_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return access.helper_visits_visible_to(request.user).filter(pk=obj.pk).exists()

    def may_change(self, request, obj) -> bool:
        return access.households_writable_by(request.user).filter(pk=obj.assignment.household_id).exists()

    def may_add(self, request) -> bool:
        return access.households_writable_by(request.user).exists()

    def get_fields(self, request, obj=None):
        fields = list(VisitForm.Meta.fields)
        return [*fields, "recorded_by"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["assignment", "recorded_by"] if obj else [])]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignment":
            kwargs["queryset"] = (HelperAssignment.objects
                                  .filter(household__in=access.households_writable_by(request.user))
                                  .select_related("household", "helper").order_by("household__number", "-started_on"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in VisitForm.Meta.fields if name in form.cleaned_data}
        if change:
            stored = HelperVisit.objects.get(pk=obj.pk)
            changed = {name: data[name] for name in form.changed_data if name in data and name != "assignment"}
            saved = services.visit_update(actor=request.user, visit=stored, **changed)
        else:
            saved = services.visit_record(actor=request.user, **data)
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request, obj):
        services.visit_delete(actor=request.user, visit=obj)
