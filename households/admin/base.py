"""What the registry's admin pages share: the county filter, ID numbers shown as access.py decides,
and the pages of a household's records, scoped by the household."""

from django.contrib import admin

from common.admin import ScopedAdmin, offered_for_source

from .. import access
from ..models import FIRST_YEAR, LAST_YEAR, County
from ..models.households import in_county
from ..validators import mask_id


def county_filter(path: str) -> type[admin.SimpleListFilter]:
    """A list filter by county for a model that reaches its county through `path`; through a village
    (…village__township__county), as the range of its village codes (in_county), not a join."""
    village = path.removesuffix("_id").removesuffix("village__township__county")
    through_village = village != path.removesuffix("_id")

    class CountyFilter(admin.SimpleListFilter):
        title = "县(市、区)"
        parameter_name = "county"

        def lookups(self, request, model_admin):
            return [(c.code, c.name) for c in County.objects.all()]

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            if through_village:
                return queryset.filter(in_county(self.value(), f"{village}village"))
            return queryset.filter(**{path: self.value()})

    return CountyFilter


def year_filter(field: str, title: str) -> type[admin.SimpleListFilter]:
    """A list filter by the registry's years (FIRST_YEAR–LAST_YEAR), offered without a query: the
    admin's own filter of a field asks the database for its distinct values, a scan of every row the
    user sees (a county's at ten million people: hundreds of milliseconds a page)."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return [(str(y), f"{y}年") for y in range(FIRST_YEAR, LAST_YEAR + 1)]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    YearFilter.title = title
    return YearFilter


def masking_form(form_class, request):
    """The member form for this user: without the permission to see whole ID numbers
    (access.id_display), an existing member's number is shown masked and kept as it is unless a
    new one is typed."""
    show = access.id_display(request.user)
    if show is not mask_id:
        return form_class

    class MaskedIdForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk:
                self.initial["id_number"] = show(self.instance.id_number)

        def clean_id_number(self):
            value = self.cleaned_data["id_number"]
            if self.instance.pk and value == show(self.instance.id_number):
                return self.instance.id_number
            return value

    return MaskedIdForm


class MaskedIdMixin:
    """A page a user may only view shows each field's stored value, past any masking form: there an
    ID number field (`id_fields`, each with a `masked_<field>` display) is swapped for its masked
    display, unless access.id_display shows this user whole numbers."""

    id_fields: tuple[str, ...] = ("id_number",)

    def masks_id(self, request, obj) -> bool:
        return access.id_display(request.user) is mask_id and not self.has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.masks_id(request, obj):
            return fields
        return list(dict.fromkeys(f"masked_{f}" if f in self.id_fields else f for f in fields))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not self.masks_id(request, obj):
            return fields
        # The field itself stays read-only too: a form built for this page must never carry it.
        return [*fields, *(f"masked_{f}" for f in self.id_fields)]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.masks_id(request, obj):
            return fieldsets
        return [(name, {**options, "fields": [f"masked_{f}" if f in self.id_fields else f for f in options["fields"]]})
                for name, options in fieldsets]

    @admin.display(description="公民身份号码")
    def masked_id_number(self, record):
        return mask_id(record.id_number)


class RecordAdmin(ScopedAdmin):
    """Records of households: a user sees those access.py lets them see, changes those it lets them
    change, and picks households only from those."""

    household_path = "household"  # how the record reaches its household ("" for a household)

    def households(self, request):
        """The households whose records of this page the user may make."""
        return access.households_writable_by(request.user)

    def visible(self, request, queryset):
        lookup = f"{self.household_path}__in" if self.household_path else "pk__in"
        return queryset.filter(**{lookup: access.households_visible_to(request.user)})

    def may_see(self, request, obj) -> bool:
        # By the household's id: a past version's household may since have been deleted.
        household_id = getattr(obj, f"{self.household_path}_id") if self.household_path else obj.pk
        return access.households_visible_to(request.user).filter(pk=household_id).exists()

    def may_change(self, request, obj) -> bool:
        household = getattr(obj, self.household_path) if self.household_path else obj
        return self.households(request).filter(pk=household.pk).exists()

    def may_add(self, request) -> bool:
        return self.households(request).exists()

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
