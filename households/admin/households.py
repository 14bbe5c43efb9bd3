"""The household's page: the household with its members and measures in one form, its exits and
returns shown, removal (清退) as an action; and the Excel template, import and export."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.admin import ScopedInline, with_reason

from .. import access, selectors, services
from ..models import (
    County,
    ExitRecord,
    Household,
    HouseholdIncome,
    Member,
    ReliefMeasure,
    ReturnRecord,
    Village,
)
from ..validators import helper_phone_clean, helper_phone_validator, validate_member_set
from .base import MaskedIdMixin, RecordAdmin, county_filter, masking_form, year_filter
from .changes import MemberChangesMixin
from .excel import WorkbookAdminMixin


class HouseholdForm(forms.ModelForm):
    county = forms.ModelChoiceField(
        County.objects.all(), required=False, label="县(市、区)", help_text="所选村必须属于该县"
    )
    # The current helper (帮扶责任人), no model fields: saved by services.household_helper_set, which
    # starts an assignment from today when they name another helper (save_related).
    helper_name = forms.CharField(label="帮扶责任人", max_length=50, required=False,
                                  help_text="更换帮扶责任人时，原帮扶关系于昨日终止并保留")
    helper_unit = forms.CharField(label="帮扶责任人单位", max_length=100, required=False)
    helper_phone = forms.CharField(label="帮扶责任人电话", max_length=20, required=False,
                                   help_text="手机号或带区号的固定电话，如 0598-1234567")

    class Meta:
        model = Household
        fields = "__all__"
        widgets = {"other_causes": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.village_id:
            self.fields["county"].initial = self.instance.village_id[:6]
        if self.instance.pk:
            for name, value in selectors.current_helper(self.instance).items():
                if name in self.fields:
                    self.fields[name].initial = value

    def clean_helper_phone(self):
        # The helpers' rule (validators, as services.household_helper_set applies it), asked here
        # too so that a mistyped phone is an error beside the field, the form kept as typed, not a
        # message on a page reloaded blank. A phone shown masked and left so is no change.
        phone = self.cleaned_data["helper_phone"]
        if "*" in phone and phone == self.fields["helper_phone"].initial:
            return phone
        phone = helper_phone_clean(phone)
        if phone:
            helper_phone_validator(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        try:
            services.household_check_links(
                village_code=cleaned["village"].pk if cleaned.get("village") else None,
                main_cause_code=cleaned["main_cause"].pk if cleaned.get("main_cause") else None,
                county=cleaned.get("county"),
                other_causes=cleaned.get("other_causes"),
            )
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                self.add_error(field, errors)
        return cleaned


class MemberFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.instance
            for form in self.forms
            if (form.instance.pk or form.has_changed()) and not self._should_delete_form(form)
        ]
        try:
            validate_member_set([m.relation for m in kept], [m.id_number for m in kept])
        except ValidationError as e:
            raise ValidationError([m for ms in e.message_dict.values() for m in ms]) from None


class MemberInline(MaskedIdMixin, admin.TabularInline):
    model = Member
    formset = MemberFormSet
    extra = 1
    fields = [
        "name", "id_number", "relation", "sex", "birth_date", "ethnicity", "health", "labor",
        "schooling", "disability_certificate", "draws_dibao", "draws_wubao",
    ]
    # Sex and birth date are read from the ID number; the clerk only types the number.
    readonly_fields = ["sex", "birth_date"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 10})}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "id_number":
            field.widget.attrs["size"] = 19
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = masking_form(formset.form, request)
        return formset

    def get_queryset(self, request):
        # The members present: one who has left (成员变动) stays on record and in the changes below.
        return super().get_queryset(request).filter(left_on__isnull=True)


class ReliefMeasureInline(admin.TabularInline):
    model = ReliefMeasure
    extra = 0
    fields = ["channel", "year", "date", "content", "amount", "term_months", "unit", "alleviation_model"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "channel":
            kwargs["queryset"] = access.channels_recordable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EventInline(admin.TabularInline):
    """Exits and returns are shown with the household and recorded on their own pages."""

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExitInline(EventInline):
    model = ExitRecord
    fields = readonly_fields = ["year", "persons", "income_per_capita", "verified_by"]


class ReturnInline(EventInline):
    model = ReturnRecord
    fields = readonly_fields = ["year", "persons", "reason", "verified_by"]


class IncomeForm(forms.ModelForm):
    """A year's income on the household's page: the sources (one left empty counts 0) or only the
    total. Its rules are the service's (income_record, income_change), called by save_related."""

    PARTS = ["wages", "business", "property", "transfers"]

    class Meta:
        model = HouseholdIncome
        fields = ["year", "wages", "business", "property", "transfers", "total"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["total"].required = False
        self.fields["total"].help_text = "填写各项收入时可留空（按各项之和）"

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(p) for p in self.PARTS]
        if any(v is not None for v in parts):
            filled = [v or 0 for v in parts]
            for name, value in zip(self.PARTS, filled):
                cleaned[name] = value
                setattr(self.instance, name, value)
            if cleaned.get("total") is None:
                cleaned["total"] = self.instance.total = sum(filled)
        elif cleaned.get("total") is None and "total" not in self.errors:
            self.add_error("total", "请填写各项收入，或只填合计")
        return cleaned


class IncomeInline(ScopedInline):
    """The household's incomes by year; a clerk records or corrects one here (年度收入)."""

    model = HouseholdIncome
    form = IncomeForm
    extra = 0
    fields = ["year", "wages", "business", "property", "transfers", "total", "persons", "per_capita", "recorded_by"]
    readonly_fields = ["persons", "per_capita", "recorded_by"]
    verbose_name_plural = "年度收入（按年度）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by").order_by("year")


class RemoveForm(forms.Form):
    reason = forms.CharField(label="清退原因", max_length=200)


@admin.register(Household)
class HouseholdAdmin(MemberChangesMixin, WorkbookAdminMixin, RecordAdmin):
    form = HouseholdForm
    inlines = [MemberInline, ReliefMeasureInline, ExitInline, ReturnInline, IncomeInline]
    list_display = [
        "number", "head_name", "county_name", "village", "category", "main_cause",
        "identified_year", "status", "member_count",
    ]
    list_filter = [
        county_filter("village__township__county_id"), "category", "main_cause", "status",
        year_filter("identified_year", "识别年份"), "standard",
    ]
    show_full_result_count = False  # a clerk's list is the county's: one count of it, not two
    search_fields = ["number", "members__name", "=members__id_number"]
    autocomplete_fields = ["village"]
    readonly_fields = ["status", "removed_reason", "member_changes_table", "helpers_shown"]
    ordering = ["village_id", "number"]
    actions = ["remove_households"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["number", "county", "village", "category", "standard", "identified_year"]}),
        ("致贫原因", {"fields": ["main_cause", "other_causes"]}),
        ("收入与状态", {"fields": ["income_per_capita", "status", "removed_reason"]}),
        ("联系与帮扶", {"fields": ["address", "phone", "helper_name", "helper_unit", "helper_phone", "helpers_shown"]}),
        ("成员变动", {"fields": ["member_changes_table"]}),
    ]

    household_path = ""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # An existing household's village changes only by a transfer (迁移, the page's 办理迁移): shown,
        # not offered, and its county with it; its transfers are listed below.
        first, *rest = fieldsets
        fields = ["county_name" if f == "county" else f for f in first[1]["fields"]]
        return [(first[0], {**first[1], "fields": fields}), *rest, ("迁移", {"fields": ["transfers_shown"]})]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Once registered, the village changes by a transfer, and the figure is the latest year's
        # income record's (the incomes below).
        return [*fields, "county_name", "village", "transfers_shown", "income_per_capita"] if obj else fields

    @admin.display(description="迁移记录")
    def transfers_shown(self, household):
        """Runs a query. Every move of the household, oldest first."""
        rows = [(timezone.localdate(t.released_at), t.from_village, t.to_village, t.get_reason_display(), t.settlement or "",
                 t.get_state_display(), t.refusal_reason or "") for t in selectors.household_transfers(household)]
        if not rows:
            return "无"
        head = format_html("<tr>{}</tr>", format_html_join("", "<th>{}</th>", (
            (h,) for h in ("迁出日期", "迁出村", "迁入村", "原因", "安置小区", "状态", "拒收原因"))))
        body = format_html_join("", "<tr>{}</tr>", (
            (format_html_join("", "<td>{}</td>", ((v,) for v in row)),) for row in rows))
        return format_html("<table>{}{}</table>", head, body)

    def get_object(self, request, object_id, from_field=None):
        household = super().get_object(request, object_id, from_field)
        if household is not None:
            # The phone as this user may see it (access.helper_phone_display), for the read-only
            # page and the form alike; the helpers it had, for helpers_shown.
            selectors.current_helper(household)
            household.helper_phone = access.helper_phone_display(request.user)(household.helper_phone,
                                                                               household.county_code)
            household.helpers_had = selectors.household_helpers(household)
        return household

    @admin.display(description="帮扶责任人")
    def helper_name(self, household):
        return selectors.current_helper(household)["helper_name"] or "—"

    @admin.display(description="帮扶责任人单位")
    def helper_unit(self, household):
        return selectors.current_helper(household)["helper_unit"] or "—"

    @admin.display(description="帮扶责任人电话")
    def helper_phone(self, household):
        return getattr(household, "helper_phone", "") or "—"  # as get_object() masked it

    @admin.display(description="历任帮扶责任人")
    def helpers_shown(self, household):
        """The helpers the household had, in order, with their dates (read by get_object())."""
        rows = [(a.helper.name, a.helper.unit, a.started_on, a.ended_on or "至今", a.reason)
                for a in getattr(household, "helpers_had", [])]
        if not rows:
            return "无"
        head = format_html("<tr>{}</tr>", format_html_join("", "<th>{}</th>", (
            (h,) for h in ("帮扶责任人", "帮扶单位", "起始日期", "终止日期", "变更原因"))))
        body = format_html_join("", "<tr>{}</tr>", (
            (format_html_join("", "<td>{}</td>", ((v,) for v in row)),) for row in rows))
        return format_html("<table>{}{}</table>", head, body)

    def get_queryset(self, request):
        # Ordered for the autocomplete's pages too (the change list orders by itself).
        households = selectors.household_list(access.households_visible_to(request.user))
        return households.order_by(*self.ordering)

    def may_add(self, request) -> bool:
        # A clerk registers the first household of a county too.
        return access.counties_writable_by(request.user).exists()

    def get_inlines(self, request, obj):
        # A new household's income is the figure it is registered with (its identification year's).
        return self.inlines if obj is not None else [i for i in self.inlines if i is not IncomeInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        counties = access.counties_writable_by(request.user)
        show_phone = access.helper_phone_display(request.user)

        class ScopedHouseholdForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["county"].queryset = counties
                if "village" in self.fields:
                    self.fields["village"].queryset = Village.objects.filter(township__county__in=counties)
                # The helper's phone as the user may see it, on a past version's page too (built
                # past get_object()); shown masked and left as it is, it is kept (save_related).
                phone = self.fields["helper_phone"].initial
                if phone and self.instance.village_id:
                    self.fields["helper_phone"].initial = show_phone(phone, self.instance.county_code)

        return ScopedHouseholdForm

    @admin.display(description="户主", ordering="head_name")
    def head_name(self, household):
        return household.head_name

    @admin.display(description="县(市、区)", ordering="village__township__county")
    def county_name(self, household):
        return household.village.township.county.name  # the list's rows come with their places

    @admin.display(description="人数", ordering="member_count")
    def member_count(self, household):
        return household.member_count

    def save_model(self, request, obj, form, change):
        pass  # saved in save_related with its members: the one-head rule needs the whole household

    def delete_model(self, request, obj):
        services.household_delete(actor=request.user, household=obj)

    def save_related(self, request, form, formsets, change):
        by_model = {formset.model: formset for formset in formsets}
        members = by_model[Member]
        services.household_save(
            actor=request.user,
            household=form.instance,
            members=members.save(commit=False),
            deleted_members=members.deleted_objects,
            other_causes=form.cleaned_data["other_causes"],
            county=form.cleaned_data.get("county"),
        )
        self._save_helper(request, form)
        measures = by_model[ReliefMeasure]
        changed = measures.save(commit=False)
        for measure in measures.deleted_objects:
            services.measure_delete(actor=request.user, measure=measure)
        for measure in changed:
            measure.household = form.instance
            services.measure_save(actor=request.user, measure=measure)
        incomes = by_model.get(HouseholdIncome)
        if incomes is not None:
            self._save_incomes(request, form.instance, incomes)
        for formset in (by_model[ExitRecord], by_model[ReturnRecord]):
            formset.save(commit=False)  # read-only: saves nothing, but the change message reads its lists

    def _save_helper(self, request, form):
        if "helper_name" not in form.cleaned_data:  # a read-only page: no helper fields
            return
        household, phone = form.instance, form.cleaned_data.get("helper_phone", "")
        if phone and phone == form.fields["helper_phone"].initial and "*" in phone:
            phone = ""  # shown masked and left as it was: the helper keeps the phone it has
        services.household_helper_set(actor=request.user, household=household, name=form.cleaned_data["helper_name"],
                                      unit=form.cleaned_data.get("helper_unit", ""), phone=phone)

    def _save_incomes(self, request, household, formset):
        changed = formset.save(commit=False)
        for income in formset.deleted_objects:
            services.income_delete(actor=request.user, income=income)
        for income in changed:
            figures = {f: getattr(income, f) for f in [*IncomeForm.PARTS, "total"]}
            if income.pk is None:
                services.income_record(actor=request.user, household=household, year=income.year, **figures)
            else:
                services.income_change(actor=request.user, income=income, **figures)

    @admin.action(description="清退所选贫困户")
    def remove_households(self, request, queryset):
        return with_reason(
            self, request, queryset, form_class=RemoveForm, action="remove_households", title="清退贫困户",
            step=lambda household, reason: services.household_remove(actor=request.user, household=household,
                                                                    reason=reason),
            done_text="清退", unit="户", describe=lambda h: f"{h.number}（{h.village}）",
            note="清退后，这些户不再计入贫困户，其成员可以登记到其他户；已有的帮扶、脱贫和返贫记录保留。")
