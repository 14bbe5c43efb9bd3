"""What the projects' admin pages share (五项工程, plan 三.(一)): the units a county or a department sets
up (guarantee funds, workshops, pilots, education funds, training institutions and courses) and the
records of the people they served (loans, jobs, public-welfare posts, grants, trainings).

Who sees and changes what is projects/access.py's to say: a unit by its county
(project_counties_visible_to / _writable_by, for the project's channel), a record of a person by its
household (households_visible_to, may_record_project); the pages ask it what to list and offer.
Every save and delete goes through projects/services.py, the inlines' rows too, which decides again."""

from django.contrib import admin
from django.db.models import QuerySet

from common.admin import LabelledAutocomplete, ScopedAdmin, ScopedInline
from households import access as registry_access
from households.models import Household, Member, ReliefChannel, ReliefMeasure, Township, Village

from .. import access, services
from ..models import HouseholdLink


def save_record(actor, record):
    if isinstance(record, HouseholdLink):
        return services.link_save(actor=actor, record=record)
    return services.project_save(actor=actor, record=record)


def place_label(place) -> str:
    # Village and township names repeat across the city: each is shown under its parent.
    return f"{place.township.name} {place.name}" if isinstance(place, Village) else f"{place.county.name} {place.name}"


class ProjectAdmin(ScopedAdmin):
    """What every projects page shares: the drop-downs narrowed by choices_for(), a choice outside
    them refused on its field, and the inlines' rows saved through the services."""

    @property
    def channel(self) -> str | None:
        """The channel of the project's measures (None: the pilots)."""
        return self.model.channel

    def delete_model(self, request, obj):
        services.project_delete(actor=request.user, record=obj)

    def counties_visible(self, request) -> QuerySet:
        return access.project_counties_visible_to(request.user, self.channel)

    def counties_writable(self, request) -> QuerySet:
        return access.project_counties_writable_by(request.user, self.channel)

    def choices_for(self, name: str, request) -> QuerySet | None:
        """The records a foreign key `name` may point to, for this user; None leaves the field as it is."""
        counties = self.counties_writable(request)
        return {
            "county": lambda: counties,
            "township": lambda: Township.objects.filter(county__in=counties).select_related("county"),
            "village": lambda: Village.objects.filter(township__county__in=counties).select_related("township"),
        }.get(name, lambda: None)()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.choices_for(db_field.name, request)
        if choices is not None:
            kwargs["queryset"] = choices
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if choices is not None:
            field.error_messages["invalid_choice"] = f"所选{db_field.verbose_name}不存在，或不在您可以选择的范围内"
        if db_field.name in ("township", "village"):
            field.label_from_instance = place_label
        return field

    def save_formset(self, request, form, formset, change):
        records = formset.save(commit=False)
        for record in formset.deleted_objects:
            services.project_delete(actor=request.user, record=record)
        for record in records:
            save_record(request.user, record)


# ---------------------------------------------------------------- the units, scoped by county


class UnitAdmin(ProjectAdmin):
    """A project's unit (a fund, a workshop, a pilot, an education fund, a training institution or
    course): seen where its county is in project_counties_visible_to, changed, added and deleted
    where it is in project_counties_writable_by."""

    def save_model(self, request, obj, form, change):
        services.project_save(actor=request.user, record=obj)

    def visible(self, request, queryset):
        return access.in_project_counties(queryset, request.user, self.channel)

    def county_of(self, unit) -> str | None:
        # From the unit's own fields: a past version (the history pages) may name places since deleted.
        return unit.county_code

    def in_counties(self, counties, unit) -> bool:
        """Runs a query."""
        return counties.filter(pk=self.county_of(unit)).exists()

    def may_see(self, request, obj) -> bool:
        return self.in_counties(self.counties_visible(request), obj)

    def may_change(self, request, obj) -> bool:
        return self.in_counties(self.counties_writable(request), obj)

    def may_add(self, request) -> bool:
        return self.counties_writable(request).exists()


# ---------------------------------------------------------------- the records of people, scoped by household


class LinkAdmin(ProjectAdmin):
    """A record of a person a project served (a loan, a job, a post, a grant, a training): seen where
    its household is in households_visible_to, changed where may_record_project allows it. The
    person is picked among the members of the households the user may record the project's measures
    for, by name and household number."""

    unit = ""  # the foreign key to the project's unit
    household_path = "member__household"
    person_field = "member"  # the field naming the person; the household number is shown after it
    measure_required = False

    def save_model(self, request, obj, form, change):
        services.link_save(actor=request.user, record=obj)

    def recordable(self, request) -> QuerySet[Household]:
        return access.households_recordable(request.user, self.channel)

    def visible(self, request, queryset):
        return queryset.filter(**{f"{self.household_path}__in": registry_access.households_visible_to(request.user)})

    def household_id(self, record) -> int | None:
        """Runs a query. By ids: a past version's member may since have been deleted."""
        return Member.objects.filter(pk=record.member_id).values_list("household_id", flat=True).first()

    def household_of(self, record) -> Household:
        return record.member.household

    def may_see(self, request, record) -> bool:
        return registry_access.households_visible_to(request.user).filter(pk=self.household_id(record)).exists()

    def may_change(self, request, record) -> bool:
        household = Household.objects.filter(pk=self.household_id(record)).first()
        return household is not None and access.may_record_project(request.user, household, self.channel)

    def may_add(self, request) -> bool:
        return self.recordable(request).exists()

    def choices_for(self, name, request):
        if name == self.unit:
            units = self.model._meta.get_field(name).related_model.objects.all()
            return access.in_project_counties(units, request.user, self.channel)
        # With the household: the chosen record is labelled with its number.
        if name == "member":
            return Member.objects.filter(household__in=self.recordable(request)).select_related("household")
        if name == "measure":
            return (ReliefMeasure.objects.filter(channel_id=self.channel, household__in=self.recordable(request))
                    .select_related("household"))
        return super().choices_for(name, request)

    def autocomplete_offer(self, request, field_name, queryset):
        """The boxes of households.admin.LabelledAutocomplete: members still on the register and the
        measures of the project's channel, of the households the user may record for."""
        if field_name == "member":
            return queryset.filter(household__in=self.recordable(request), active=True)
        if field_name == "measure":
            return self.offered_measures(request, queryset)
        return queryset

    def offered_measures(self, request, queryset):
        return (queryset.filter(channel_id=self.channel, household__in=self.recordable(request))
                .exclude(household__status=Household.Status.REMOVED))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("member", "measure"):
            kwargs["widget"] = LabelledAutocomplete(db_field, self.admin_site)
        if db_field.name == "measure" and not self.measure_required:
            channel = ReliefChannel.objects.get(pk=self.channel).name
            kwargs["required"] = False
            kwargs["help_text"] = f"留空则为该成员所在的户自动登记一条“{channel}”帮扶措施（年度与内容取自本记录）"
        elif db_field.name == "measure":
            kwargs["help_text"] = "该户的金融扶持小额贷款措施，贷款金额与期限以措施为准；尚未登记的，点右侧“+”先登记措施"
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("member", "measure"):
            self.admin_site.get_model_admin(db_field.related_model).labelled_field(field)
        return field

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets

        def shown(fields):
            return [g for f in fields for g in ([f, "household_number"] if f == self.person_field else [f])]

        return [(name, {**options, "fields": shown(options["fields"])}) for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["household_number"] if obj else [])]

    def get_search_fields(self, request):
        # Searching by a whole ID number is for those who may see it.
        fields = super().get_search_fields(request)
        return fields if registry_access.may_see_full_id(request.user) else [f for f in fields if "id_number" not in f]

    @admin.display(description="户编号")
    def household_number(self, record):
        return self.household_of(record).number


class LinkInline(ScopedInline):
    """The records of people on their unit's page (the jobs of a workshop, the trainees of a course):
    scoped and saved as on their own page (LinkAdmin, ProjectAdmin.save_formset). A row is shown
    to whoever sees its household; the rows are editable where the user may change the unit and
    record the project's measures."""

    extra = 0
    show_change_link = True
    readonly_fields = ["household_number"]

    def link_admin(self) -> LinkAdmin:
        return self.admin_site.get_model_admin(self.model)

    def get_queryset(self, request):
        admin_ = self.link_admin()
        visible = registry_access.households_visible_to(request.user)
        # The unit too: each row is headed by the record's name, which names its unit.
        return (super().get_queryset(request).filter(**{f"{admin_.household_path}__in": visible})
                .select_related(admin_.household_path, *filter(None, [admin_.unit])))

    def may_write(self, request, obj) -> bool:
        """Runs queries."""
        return super().may_write(request, obj) and self.link_admin().recordable(request).exists()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self.link_admin().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="户编号")
    def household_number(self, record):
        return self.link_admin().household_of(record).number if record.pk else ""
