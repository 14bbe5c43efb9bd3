"""The clerks' admin. Forms validate with the models' clean() and the services' checks;
every save and delete is handed to households/services.py."""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left, Right
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from . import access, selectors, services, workbook
from .excel import xlsx_response
from .resources import HouseholdResource, RegistryXLSX
from .models import (
    AlleviationModel,
    County,
    ExitRecord,
    Household,
    Member,
    PovertyCause,
    ReliefChannel,
    ReliefMeasure,
    ReturnRecord,
    Township,
    UserRole,
    Village,
)
from .validators import mask_id, validate_member_set


def county_filter(path: str) -> type[admin.SimpleListFilter]:
    """A list filter by county for a model that reaches its county through `path`."""

    class CountyFilter(admin.SimpleListFilter):
        title = "县(市、区)"
        parameter_name = "county"

        def lookups(self, request, model_admin):
            return [(c.code, c.name) for c in County.objects.all()]

        def queryset(self, request, queryset):
            return queryset.filter(**{path: self.value()}) if self.value() else queryset

    return CountyFilter


class HistoryAdmin(SimpleHistoryAdmin):
    """simple_history's page of a past version saves the version posted to it (a revert) for anyone
    who may view the record; a revert is a change of the record as it stands, so it needs that."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        match = request.resolver_match
        if obj is None or match is None or not (match.url_name or "").endswith("_simple_history"):
            return fields
        if self.has_change_permission(request, obj):
            return fields
        # A past version shown to a reader: each field as it was, not a form of the choices the reader
        # may make (a reader may pick no household, so a picker would show none).
        opts = self.model._meta
        stored = [f.name for f in [*opts.fields, *opts.many_to_many] if f.editable and not f.auto_created]
        return [*fields, *(f for f in stored if f not in fields)]


def offered_for_source(admin_site, request, queryset):
    """An autocomplete box offers what the form it fills accepts: the admin of the form's model
    (the box's `model_name`) narrows the choices with `autocomplete_offer(request, field_name,
    queryset)` where it defines one. Runs no query."""
    try:
        source = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
    except (LookupError, ValueError):
        return queryset
    offer = getattr(admin_site._registry.get(source), "autocomplete_offer", None)
    return queryset if offer is None else offer(request, request.GET.get("field_name", ""), queryset)


class LabelledAutocompleteView(AutocompleteJsonView):
    """The site's autocomplete, each choice labelled by its admin's choice_label(): a member by
    name and household number, where the name alone says nothing."""

    def get_queryset(self):
        return super().get_queryset().select_related(*self.model_admin.choice_related)

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": self.model_admin.choice_label(obj)}


class LabelledAutocomplete(AutocompleteSelect):
    """An autocomplete box served by its model admin's LabelledAutocompleteView."""

    def get_url(self):
        opts = self.field.remote_field.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_autocomplete")


class LabelledChoicesMixin:
    """A model admin whose records other forms pick in a LabelledAutocomplete box."""

    choice_related: list[str] = []

    def choice_label(self, obj) -> str:
        raise NotImplementedError

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(LabelledAutocompleteView.as_view(admin_site=self.admin_site))
        return [path("autocomplete/", view, name=f"{opts.app_label}_{opts.model_name}_autocomplete"),
                *super().get_urls()]

    def labelled_field(self, form_field):
        """The form field of a foreign key to this model, labelling its chosen record the same way."""
        form_field.label_from_instance = self.choice_label
        return form_field


class ServiceAdmin(HistoryAdmin):
    """Saves and deletes through a service: `save_service(obj)` and `delete_service(obj)`."""

    save_service = None
    delete_service = None

    def save_model(self, request, obj, form, change):
        type(self).save_service(obj)

    def delete_model(self, request, obj):
        type(self).delete_service(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ScopedAdmin(ServiceAdmin):
    """Records of households: a user sees those households/access.py lets them see, changes
    those it lets them change, and picks households and villages only from those."""

    household_path = "household"  # how the record reaches its household ("" for a household)

    def households(self, request):
        return access.households_writable_by(request.user)

    def get_queryset(self, request):
        visible = access.households_visible_to(request.user)
        lookup = f"{self.household_path}__in" if self.household_path else "pk__in"
        return super().get_queryset(request).filter(**{lookup: visible})

    def may_change(self, request, obj) -> bool:
        household = getattr(obj, self.household_path) if self.household_path else obj
        return self.households(request).filter(pk=household.pk).exists()

    def may_see(self, request, obj) -> bool:
        # By the household's id: a past version's household may since have been deleted.
        household_id = getattr(obj, f"{self.household_path}_id") if self.household_path else obj.pk
        return access.households_visible_to(request.user).filter(pk=household_id).exists()

    def has_view_permission(self, request, obj=None):
        # The history pages look a record up past get_queryset() (in its past versions), then ask this.
        return super().has_view_permission(request, obj) and (obj is None or self.may_see(request, obj))

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.households(request).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.may_change(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.may_change(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "household":
            kwargs["queryset"] = self.households(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_fields(self, request):
        # Searching by a whole ID number is for those who may see it.
        fields = super().get_search_fields(request)
        return fields if access.may_see_full_id(request.user) else [f for f in fields if "id_number" not in f]

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return offered_for_source(self.admin_site, request, queryset), duplicates


def masking_form(form_class, request):
    """The member form for this user: without the permission to see whole ID numbers, an
    existing member's number is shown masked and kept as it is unless a new one is typed."""
    if access.may_see_full_id(request.user):
        return form_class

    class MaskedIdForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk:
                self.initial["id_number"] = mask_id(self.instance.id_number)

        def clean_id_number(self):
            value = self.cleaned_data["id_number"]
            if self.instance.pk and value == mask_id(self.instance.id_number):
                return self.instance.id_number
            return value

    return MaskedIdForm


class MaskedIdReadOnlyMixin:
    """A page the user may only view shows each field's stored value, past the masking form: there
    the ID number is swapped for its masked display, unless the user may see it whole."""

    def masks_id(self, request, obj) -> bool:
        return not access.may_see_full_id(request.user) and not self.has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.masks_id(request, obj):
            return fields
        return list(dict.fromkeys("masked_id_number" if f == "id_number" else f for f in fields))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "masked_id_number"] if self.masks_id(request, obj) else fields

    @admin.display(description="公民身份号码")
    def masked_id_number(self, member):
        return mask_id(member.id_number)


# ---------------------------------------------------------------- places and reference data


class PlaceAdmin(ServiceAdmin):
    save_service = staticmethod(lambda place: services.record_save(record=place))
    delete_service = staticmethod(lambda place: place.delete())
    search_fields = ["code", "name"]
    parent = None  # the field that places a township or a village in its county

    def get_readonly_fields(self, request, obj=None):
        # A code is an identity: a new code is a new place. It extends its parent's code, so the
        # parent stays too.
        fixed = ["code", *filter(None, [self.parent])] if obj else []
        return list(dict.fromkeys([*fixed, *super().get_readonly_fields(request, obj)]))

    def parents_writable(self, request):
        """The parents a new place may be given: those in the counties the user may register in."""
        raise NotImplementedError

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.parent:
            kwargs["queryset"] = self.parents_writable(request)
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

    def parents_writable(self, request):
        return access.counties_writable_by(request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "village":  # the village form's township box
            queryset = queryset.filter(county__in=access.counties_writable_by(request.user))
        return queryset, duplicates

    list_display = ["code", "name", "county", "is_city_key", "is_ethnic"]
    list_filter = [county_filter("county_id"), "is_city_key", "is_ethnic"]
    list_select_related = ["county"]


@admin.register(Village)
class VillageAdmin(PlaceAdmin):
    parent = "township"

    def parents_writable(self, request):
        return Township.objects.filter(county__in=access.counties_writable_by(request.user))

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "household":  # the household form's village box
            queryset = queryset.filter(township__county__in=access.counties_writable_by(request.user))
        return queryset, duplicates

    list_display = ["code", "name", "township", "county_name", "is_poor_village", "is_hollow"]
    list_filter = [county_filter("township__county_id"), "is_poor_village", "is_hollow"]
    list_select_related = ["township__county"]
    autocomplete_fields = ["township"]

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

    BUREAU_DEFINED = "bureau_defined"
    save_service = staticmethod(lambda model: services.record_save(record=model))
    delete_service = staticmethod(lambda model: model.delete())
    list_display = ["position", "name", "code"]
    list_display_links = ["name"]
    search_fields = ["name"]

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
            request.user.is_superuser or obj is None or obj.pk == self.BUREAU_DEFINED)


# ---------------------------------------------------------------- households


class HouseholdForm(forms.ModelForm):
    county = forms.ModelChoiceField(
        County.objects.all(), required=False, label="县(市、区)", help_text="所选村必须属于该县"
    )

    class Meta:
        model = Household
        fields = "__all__"
        widgets = {"other_causes": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.village_id:
            self.fields["county"].initial = self.instance.village_id[:6]

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


class MemberInline(MaskedIdReadOnlyMixin, admin.TabularInline):
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


class RemoveForm(forms.Form):
    reason = forms.CharField(label="清退原因", max_length=200)


@admin.register(Household)
class HouseholdAdmin(ImportMixin, ScopedAdmin):
    form = HouseholdForm
    # The import page of django-import-export (upload, dry run, preview, confirm), over the
    # registry's own workbook import; its admin log is left out, the history keeps every change.
    resource_classes = [HouseholdResource]
    formats = [RegistryXLSX]
    skip_admin_log = True
    import_template_name = "admin/households/household/import.html"
    import_export_change_list_template = "admin/households/household/change_list.html"
    delete_service = staticmethod(lambda household: services.household_delete(household=household))
    inlines = [MemberInline, ReliefMeasureInline, ExitInline, ReturnInline]
    list_display = [
        "number", "head_name", "county_name", "village", "category", "main_cause",
        "identified_year", "status", "member_count",
    ]
    list_filter = [
        county_filter("village__township__county_id"), "category", "main_cause", "status",
        "identified_year", "standard",
    ]
    search_fields = ["number", "members__name", "=members__id_number"]
    autocomplete_fields = ["village"]
    readonly_fields = ["status", "removed_reason"]
    ordering = ["village_id", "number"]
    actions = ["remove_households"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["number", "county", "village", "category", "standard", "identified_year"]}),
        ("致贫原因", {"fields": ["main_cause", "other_causes"]}),
        ("收入与状态", {"fields": ["income_per_capita", "status", "removed_reason"]}),
        ("联系与帮扶", {"fields": ["address", "phone", "helper_name", "helper_unit", "helper_phone"]}),
    ]

    household_path = ""

    def get_queryset(self, request):
        # Ordered for the autocomplete's pages too (the change list orders by itself).
        households = selectors.household_list().filter(pk__in=access.households_visible_to(request.user))
        return households.order_by(*self.ordering)

    def has_add_permission(self, request):
        # A clerk registers the first household of a county too.
        return ServiceAdmin.has_add_permission(self, request) and access.counties_writable_by(request.user).exists()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        counties = access.counties_writable_by(request.user)

        class ScopedHouseholdForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["county"].queryset = counties
                if "village" in self.fields:
                    self.fields["village"].queryset = Village.objects.filter(township__county__in=counties)

        return ScopedHouseholdForm

    @admin.display(description="户主", ordering="head_name")
    def head_name(self, household):
        return household.head_name

    @admin.display(description="县(市、区)", ordering="village__township__county")
    def county_name(self, household):
        return household.village.township.county.name

    @admin.display(description="人数", ordering="member_count")
    def member_count(self, household):
        return household.member_count

    def save_model(self, request, obj, form, change):
        # Saved in save_related with its members: the one-head rule needs the whole household.
        pass

    def save_related(self, request, form, formsets, change):
        by_model = {formset.model: formset for formset in formsets}
        members = by_model[Member]
        services.household_save(
            household=form.instance,
            members=members.save(commit=False),
            deleted_members=members.deleted_objects,
            other_causes=form.cleaned_data["other_causes"],
            county=form.cleaned_data.get("county"),
        )
        measures = by_model[ReliefMeasure]
        changed = measures.save(commit=False)
        for measure in measures.deleted_objects:
            services.measure_delete(measure=measure)
        for measure in changed:
            measure.household = form.instance
            services.measure_save(measure=measure)
        for formset in (by_model[ExitRecord], by_model[ReturnRecord]):
            formset.save(commit=False)  # read-only: saves nothing, but the change message reads its lists

    # ---- Excel: the template, the import (ImportMixin) and its refused-rows report, the export

    def get_urls(self):
        return [
            path("template/", self.admin_site.admin_view(self.template_view), name="households_household_template"),
            path("export/", self.admin_site.admin_view(self.export_view), name="households_household_export"),
            path("import-report/<str:key>/", self.admin_site.admin_view(self.import_report_view),
                 name="households_household_import_report"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return access.counties_writable_by(request.user).exists()

    def changelist_view(self, request, extra_context=None):
        extra = {"may_export": self.has_view_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def template_view(self, request):
        return xlsx_response(workbook.households_workbook([]), "建档立卡贫困户导入模板.xlsx")

    def export_view(self, request):
        """The households the list shows with its current filters and search, one row per member."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        households = self.get_changelist_instance(request).get_queryset(request)
        content = workbook.export_households(
            Household.objects.filter(pk__in=households.values("pk")), user=request.user, door="admin",
            filters=dict(request.GET.lists()),
        )
        return xlsx_response(content, "建档立卡贫困户.xlsx")

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, workbook.WorkbookError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None and hasattr(result, "report"):
            response.context_data["report"] = result.report
            if result.report.problems:
                key = workbook.report_store(workbook.report_workbook(result.sheet, result.report))
                request.session["import_reports"] = [*request.session.get("import_reports", [])[-9:], key]
                response.context_data["report_url"] = reverse("admin:households_household_import_report", args=[key])
        return response

    def import_report_view(self, request, key):
        # Only the user who ran the import may fetch its report: the key is kept in their session.
        if key not in request.session.get("import_reports", []):
            raise Http404
        try:
            report = workbook.report_open(key)
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(report, as_attachment=True, filename="导入被拒绝的行.xlsx")

    def process_result(self, result, request):
        report = result.report
        if report.problems:  # the registry changed between the preview and the confirmation
            messages.error(request, f"导入未完成，没有写入任何记录（{report.summary()}）。请重新上传查看原因。")
            return HttpResponseRedirect(reverse("admin:households_household_import"))
        messages.success(request, f"导入完成：{report.summary()}。")
        return HttpResponseRedirect(reverse("admin:households_household_changelist"))

    @admin.action(description="清退所选贫困户")
    def remove_households(self, request, queryset):
        form = RemoveForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            done = 0
            for household in queryset:
                try:
                    services.household_remove(household=household, reason=form.cleaned_data["reason"])
                    done += 1
                except ValidationError as e:
                    self.message_user(request, f"{household}：{'；'.join(e.messages)}", messages.ERROR)
            self.message_user(request, f"已清退 {done} 户。", messages.SUCCESS if done else messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "清退贫困户",
            "households": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/households/household/remove.html", context)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = "__all__"

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if self.instance.household_id and not self.errors:
            try:
                services.members_check(household=self.instance.household, changed=[self.instance])
            except ValidationError as e:
                self.add_error(None, [m for ms in e.message_dict.values() for m in ms])


@admin.register(Member)
class MemberAdmin(MaskedIdReadOnlyMixin, LabelledChoicesMixin, ScopedAdmin):
    """Members are added and removed with their household; here they are found and corrected. Other
    forms (the projects') pick them by name and household number, never by ID number."""

    form = MemberForm
    save_service = staticmethod(lambda member: services.member_save(member=member))
    list_display = ["name", "shown_id_number", "household", "relation", "sex", "birth_date", "health", "labor"]
    list_filter = [county_filter("household__village__township__county_id"), "relation", "sex", "health", "labor"]
    search_fields = ["name", "=id_number", "household__number"]
    list_select_related = ["household"]
    readonly_fields = ["household"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="公民身份号码", ordering="id_number")
    def shown_id_number(self, member):
        return member.shown_id

    choice_related = ["household"]

    def choice_label(self, member):
        return f"{member.name}（{member.household.number}）"

    def get_queryset(self, request):
        # Masked in the query, so that the list never holds a whole number the user may not see.
        shown = (
            F("id_number")
            if access.may_see_full_id(request.user)
            else Concat(Left("id_number", 6), Value("*" * 8), Right("id_number", 4))
        )
        return super().get_queryset(request).annotate(shown_id=shown)

    def get_form(self, request, obj=None, **kwargs):
        return masking_form(super().get_form(request, obj, **kwargs), request)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version shows the whole ID number.
        if not access.may_see_full_id(request.user):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ReliefMeasure)
class ReliefMeasureAdmin(LabelledChoicesMixin, ScopedAdmin):
    save_service = staticmethod(lambda measure: services.measure_save(measure=measure))
    delete_service = staticmethod(lambda measure: services.measure_delete(measure=measure))
    list_display = ["household", "channel", "year", "date", "content", "amount", "term_months", "unit",
                    "alleviation_model"]
    list_filter = [county_filter("household__village__township__county_id"), "channel", "channel__kind", "year",
                   "alleviation_model"]
    search_fields = ["household__number", "content", "unit"]
    list_select_related = ["household", "channel", "alleviation_model"]
    autocomplete_fields = ["household"]
    ordering = ["-year", "household_id"]
    choice_related = ["household"]

    def choice_label(self, measure):
        return f"{measure.household.number} {measure.year}年 {measure.content}"

    def households(self, request):
        return access.households_for_measures(request.user)

    def may_change(self, request, measure) -> bool:
        return access.may_record_measure(request.user, measure.household, measure.channel)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "channel":
            kwargs["queryset"] = access.channels_recordable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EventAdmin(ScopedAdmin):
    list_filter = [county_filter("household__village__township__county_id"), "year"]
    search_fields = ["household__number"]
    list_select_related = ["household"]
    autocomplete_fields = ["household"]
    ordering = ["-year", "household_id"]

    def get_readonly_fields(self, request, obj=None):
        # The persons are the service's snapshot; household and year fix the record's place in the history.
        fixed = ["household", "year", "persons"] if obj else ["persons"]
        return list(dict.fromkeys([*fixed, *super().get_readonly_fields(request, obj)]))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, the latest only
        return actions

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or selectors.event_is_latest(obj))


@admin.register(ExitRecord)
class ExitRecordAdmin(EventAdmin):
    save_service = staticmethod(lambda record: services.exit_save(record=record))
    delete_service = staticmethod(lambda record: services.exit_delete(record=record))
    list_display = ["household", "year", "persons", "income_per_capita", "verified_by"]


@admin.register(ReturnRecord)
class ReturnRecordAdmin(EventAdmin):
    save_service = staticmethod(lambda record: services.return_save(record=record))
    delete_service = staticmethod(lambda record: services.return_delete(record=record))
    list_display = ["household", "year", "persons", "reason", "verified_by"]


class UserRoleForm(forms.ModelForm):
    class Meta:
        model = UserRole
        fields = ["user", "role", "counties", "channels", "can_write"]
        widgets = {"counties": forms.CheckboxSelectMultiple, "channels": forms.CheckboxSelectMultiple}

    def clean(self):
        cleaned = super().clean()
        errors = services.role_check(
            role=cleaned.get("role"),
            counties=[c.pk for c in cleaned.get("counties") or []],
            channels=[c.pk for c in cleaned.get("channels") or []],
        )
        for field, error in errors.items():
            self.add_error(field, error)
        return cleaned


@admin.register(UserRole)
class UserRoleAdmin(HistoryAdmin):
    """Roles are granted here as by `manage.py grant_role`, through the same service."""

    form = UserRoleForm
    list_display = ["user", "role", "county_names", "channel_names", "can_write"]
    list_filter = ["role", "counties"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("counties", "channels")

    @admin.display(description="县(市、区)")
    def county_names(self, grant):
        return "、".join(c.name for c in grant.counties.all())

    @admin.display(description="帮扶渠道")
    def channel_names(self, grant):
        return "、".join(c.name for c in grant.channels.all())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        user = services.role_grant(
            username=data["user"].username, role=data["role"], can_write=data["can_write"],
            counties=[c.pk for c in data["counties"]], channels=[c.pk for c in data["channels"]],
        )
        # The admin goes on with the object it built; give it the saved one's identity.
        obj.pk, obj._state.adding = user.registry_role.pk, False

    def save_related(self, request, form, formsets, change):
        pass  # counties and channels were saved by the service
