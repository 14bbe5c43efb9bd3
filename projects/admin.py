"""The five projects in the admin (五项工程, plan 三.(一)): the units a county or a department sets up
(guarantee funds, workshops, pilots, education funds, training institutions and courses) and the
records of the people they served (loans, jobs, public-welfare posts, grants, trainings).

Who sees and changes what is households/access.py's to say: a unit by its county
(project_counties_visible_to / _writable_by, for the project's channel), a record of a person by its
household (households_visible_to, may_record_project). Every save and delete goes through
projects/services.py, the inlines' rows too."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from simple_history.template_utils import HistoricalRecordContextHelper

from households import access
from households.admin import LabelledAutocomplete, ServiceAdmin, county_filter
from households.models import Household, Member, ReliefChannel, ReliefMeasure, Township, Village

from . import services
from .models import (
    EDUCATION_CHANNEL,
    EMPLOYMENT_CHANNEL,
    LOAN_CHANNEL,
    TRAINING_CHANNEL,
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    HouseholdLink,
    Job,
    Pilot,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    TrainingInstitution,
    Workshop,
)
from .selectors import in_project_counties


def save_record(record):
    if isinstance(record, HouseholdLink):
        return services.link_save(record=record)
    return services.project_save(record=record)


def place_label(place) -> str:
    # Village and township names repeat across the city: each is shown under its parent.
    return f"{place.township.name} {place.name}" if isinstance(place, Village) else f"{place.county.name} {place.name}"


class ProjectAdmin(ServiceAdmin):
    """What every projects page shares: the drop-downs narrowed by choices_for(), a choice outside
    them refused on its field, and the inlines' rows saved through the services."""

    channel: str | None = None  # the channel of the project's measures (None: the pilots)
    delete_service = staticmethod(lambda record: services.project_delete(record=record))

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
            services.project_delete(record=record)
        for record in records:
            save_record(record)


# ---------------------------------------------------------------- the units, scoped by county


class UnitAdmin(ProjectAdmin):
    """A project's unit (a fund, a workshop, a pilot, an education fund, a training institution or
    course): seen where its county is in project_counties_visible_to, changed, added and deleted
    where it is in project_counties_writable_by."""

    save_service = staticmethod(lambda record: services.project_save(record=record))

    def get_queryset(self, request):
        return in_project_counties(super().get_queryset(request), request.user, self.channel)

    def county_of(self, unit) -> str | None:
        # From the unit's own fields: a past version (the history pages) may name places since deleted.
        return unit.county_code

    def in_counties(self, counties, unit) -> bool:
        """Runs a query."""
        return counties.filter(pk=self.county_of(unit)).exists()

    def has_view_permission(self, request, obj=None):
        # The history pages look a record up past get_queryset() (in its past versions), then ask this.
        return super().has_view_permission(request, obj) and (
            obj is None or self.in_counties(self.counties_visible(request), obj))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.counties_writable(request).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or self.in_counties(self.counties_writable(request), obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self.in_counties(self.counties_writable(request), obj))


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
    save_service = staticmethod(lambda record: services.link_save(record=record))

    def recordable(self, request) -> QuerySet[Household]:
        """The households whose records of this project the user may make: may_record_project's
        households, as a queryset to offer."""
        if not access.channels_recordable_by(request.user).filter(pk=self.channel).exists():
            return Household.objects.none()
        return access.households_for_measures(request.user)

    def get_queryset(self, request):
        visible = access.households_visible_to(request.user)
        return super().get_queryset(request).filter(**{f"{self.household_path}__in": visible})

    def household_id(self, record) -> int | None:
        """Runs a query. By ids: a past version's member may since have been deleted."""
        return Member.objects.filter(pk=record.member_id).values_list("household_id", flat=True).first()

    def household_of(self, record) -> Household:
        return record.member.household

    def may_see(self, request, record) -> bool:
        return access.households_visible_to(request.user).filter(pk=self.household_id(record)).exists()

    def may_change(self, request, record) -> bool:
        household = Household.objects.filter(pk=self.household_id(record)).first()
        return household is not None and access.may_record_project(request.user, household, self.channel)

    def has_view_permission(self, request, obj=None):
        # The history pages look a record up past get_queryset() (in its past versions), then ask this.
        return super().has_view_permission(request, obj) and (obj is None or self.may_see(request, obj))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.recordable(request).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.may_change(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.may_change(request, obj))

    def choices_for(self, name, request):
        if name == self.unit:
            units = self.model._meta.get_field(name).related_model.objects.all()
            return in_project_counties(units, request.user, self.channel)
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
        return fields if access.may_see_full_id(request.user) else [f for f in fields if "id_number" not in f]

    @admin.display(description="户编号")
    def household_number(self, record):
        return self.household_of(record).number


class LinkInline(admin.TabularInline):
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
        visible = access.households_visible_to(request.user)
        # The unit too: each row is headed by the record's name, which names its unit.
        return (super().get_queryset(request).filter(**{f"{admin_.household_path}__in": visible})
                .select_related(admin_.household_path, *filter(None, [admin_.unit])))

    def may_write(self, request, obj) -> bool:
        """Runs queries."""
        parent = self.admin_site.get_model_admin(self.parent_model)
        may_change_unit = obj is None or parent.has_change_permission(request, obj)
        return may_change_unit and self.link_admin().recordable(request).exists()

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self.may_write(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_write(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self.link_admin().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="户编号")
    def household_number(self, record):
        return self.link_admin().household_of(record).number if record.pk else ""


# ---------------------------------------------------------------- 1. 乡村扶贫担保工程


class LoanInline(LinkInline):
    model = GuaranteedLoan
    fields = ["measure", "household_number", "bank", "interest_subsidy", "issued_on", "repaid_on"]


@admin.register(GuaranteeFund)
class GuaranteeFundAdmin(UnitAdmin):
    channel = LOAN_CHANNEL
    list_display = ["name", "county", "township", "capital", "partner_bank", "founded_year", "loan_count",
                    "outstanding", "households_served"]
    list_filter = [county_filter("county_id"), "founded_year"]
    search_fields = ["name", "partner_bank"]
    list_select_related = ["county", "township"]
    inlines = [LoanInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_guarantees()

    @admin.display(description="担保贷款笔数", ordering="loan_count")
    def loan_count(self, fund):
        return fund.loan_count

    @admin.display(description="在保余额（元）", ordering="outstanding")
    def outstanding(self, fund):
        return fund.outstanding

    @admin.display(description="服务贫困户", ordering="households_served")
    def households_served(self, fund):
        return fund.households_served


@admin.register(GuaranteedLoan)
class GuaranteedLoanAdmin(LinkAdmin):
    channel = LOAN_CHANNEL
    unit = "fund"
    household_path = "measure__household"
    person_field = "measure"
    measure_required = True
    list_display = ["household_number", "fund", "amount", "term_months", "interest_subsidy", "issued_on",
                    "repaid_on"]
    list_filter = [county_filter("fund__county_id"), "measure__year", "repaid_on"]
    search_fields = ["measure__household__number", "fund__name", "bank"]
    list_select_related = ["measure__household", "fund"]
    fields = ["measure", "fund", "bank", "interest_subsidy", "issued_on", "repaid_on"]

    def household_id(self, loan):
        return ReliefMeasure.objects.filter(pk=loan.measure_id).values_list("household_id", flat=True).first()

    def household_of(self, loan):
        return loan.measure.household

    def choices_for(self, name, request):
        choices = super().choices_for(name, request)
        # A loan's measure states its amount and term: a small loan (小额贷款) has a term.
        return choices.filter(term_months__isnull=False) if name == "measure" else choices

    def offered_measures(self, request, queryset):
        # One loan to a measure: those that carry one already are not offered.
        return super().offered_measures(request, queryset).filter(term_months__isnull=False,
                                                                  guaranteed_loan__isnull=True)

    @admin.display(description="贷款金额（元）", ordering="measure__amount")
    def amount(self, loan):
        return loan.measure.amount

    @admin.display(description="期限（月）", ordering="measure__term_months")
    def term_months(self, loan):
        return loan.measure.term_months


# ---------------------------------------------------------------- 2. 家门口扶贫就业工程


class JobInline(LinkInline):
    model = Job
    fields = ["member", "household_number", "year", "monthly_wage"]


@admin.register(Workshop)
class WorkshopAdmin(UnitAdmin):
    channel = EMPLOYMENT_CHANNEL
    list_display = ["name", "county", "township", "village", "enterprise", "outside_county", "founded_year",
                    "alleviation_model", "workers"]
    list_filter = [county_filter("county_id"), "founded_year", "outside_county", "alleviation_model"]
    search_fields = ["name", "enterprise"]
    list_select_related = ["county", "township", "village", "alleviation_model"]
    inlines = [JobInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(workers=Count("jobs__member", distinct=True))

    @admin.display(description="务工贫困人员", ordering="workers")
    def workers(self, workshop):
        return workshop.workers


@admin.register(Job)
class JobAdmin(LinkAdmin):
    channel = EMPLOYMENT_CHANNEL
    unit = "workshop"
    list_display = ["member", "household_number", "workshop", "year", "monthly_wage"]
    list_filter = [county_filter("workshop__county_id"), "year"]
    search_fields = ["member__name", "=member__id_number", "member__household__number", "workshop__name"]
    list_select_related = ["member__household", "workshop"]
    fields = ["workshop", "member", "year", "monthly_wage", "measure"]


@admin.register(PublicPost)
class PublicPostAdmin(LinkAdmin):
    channel = EMPLOYMENT_CHANNEL
    list_display = ["member", "household_number", "kind", "title", "village", "year", "monthly_pay"]
    list_filter = [county_filter("county_id"), "year", "kind"]
    search_fields = ["member__name", "=member__id_number", "member__household__number", "title", "village__name"]
    list_select_related = ["member__household", "village"]
    fields = ["kind", "title", "village", "member", "year", "monthly_pay", "measure"]


# ---------------------------------------------------------------- 3. 精准扶贫试点示范工程


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
        seen = set(access.households_visible_to(self.user).filter(pk__in=[h.pk for h in shown])
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
        visible = access.households_visible_to(request.user)
        return super().get_queryset(request).annotate(
            households_seen=Count("households", filter=Q(households__in=visible)))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "households":
            kwargs["queryset"] = access.households_visible_to(request.user)
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
        obj.households_shown = list(obj.households.filter(pk__in=access.households_visible_to(request.user)))
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
        services.pilot_save(pilot=obj, households=households)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)


# ---------------------------------------------------------------- 4. 乡村教育助学工程


class AidInline(LinkInline):
    model = StudentAid
    fields = ["member", "household_number", "year", "amount"]


@admin.register(EducationFund)
class EducationFundAdmin(UnitAdmin):
    channel = EDUCATION_CHANNEL
    list_display = ["name", "county", "township", "village", "founded_year", "government_funds", "donations",
                    "raised", "students"]
    list_filter = [county_filter("county_id"), "founded_year"]
    search_fields = ["name"]
    list_select_related = ["county", "township", "village"]
    inlines = [AidInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(students=Count("aids__member", distinct=True))

    @admin.display(description="筹集合计（元）")
    def raised(self, fund):
        return fund.raised

    @admin.display(description="资助学生", ordering="students")
    def students(self, fund):
        return fund.students


@admin.register(StudentAid)
class StudentAidAdmin(LinkAdmin):
    channel = EDUCATION_CHANNEL
    unit = "fund"
    list_display = ["member", "household_number", "fund", "year", "amount"]
    list_filter = [county_filter("fund__county_id"), "year"]
    search_fields = ["member__name", "=member__id_number", "member__household__number", "fund__name"]
    list_select_related = ["member__household", "fund"]
    fields = ["fund", "member", "year", "amount", "measure"]

    def autocomplete_offer(self, request, field_name, queryset):
        offered = super().autocomplete_offer(request, field_name, queryset)
        # The funds help students (三.(一).4(2)): the box offers those in school.
        return offered.exclude(schooling=Member.Schooling.NOT_IN_SCHOOL) if field_name == "member" else offered


# ---------------------------------------------------------------- 5. 就业技能培训工程


class CourseInline(admin.TabularInline):
    """The courses on their institution's page: the institution's county scopes them."""

    model = TrainingCourse
    extra = 0
    show_change_link = True
    fields = ["name", "year", "started_on", "ended_on"]

    def may_write(self, request, obj) -> bool:
        return obj is None or self.admin_site.get_model_admin(self.parent_model).has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self.may_write(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_write(request, obj)


@admin.register(TrainingInstitution)
class TrainingInstitutionAdmin(UnitAdmin):
    channel = TRAINING_CHANNEL
    list_display = ["name", "county", "agreement_signed_on", "course_count"]
    list_filter = [county_filter("county_id"), "agreement_signed_on"]
    search_fields = ["name"]
    list_select_related = ["county"]
    inlines = [CourseInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(course_count=Count("courses"))

    @admin.display(description="培训班", ordering="course_count")
    def course_count(self, institution):
        return institution.course_count


class TrainingInline(LinkInline):
    model = Training
    fields = ["member", "household_number", "fee_waived", "board_waived", "certification_waived",
              "guidance_given", "job_referred", "loan_subsidy_given", "certified"]


@admin.register(TrainingCourse)
class TrainingCourseAdmin(UnitAdmin):
    channel = TRAINING_CHANNEL
    list_display = ["name", "institution", "county", "year", "started_on", "ended_on", "trainees"]
    list_filter = [county_filter("institution__county_id"), "year"]
    search_fields = ["name", "institution__name"]
    list_select_related = ["institution__county"]
    inlines = [TrainingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(trainees=Count("trainings"))

    def county_of(self, course):
        return TrainingInstitution.objects.filter(pk=course.institution_id).values_list("county_id", flat=True).first()

    def choices_for(self, name, request):
        if name == "institution":
            return TrainingInstitution.objects.filter(county__in=self.counties_writable(request))
        return super().choices_for(name, request)

    @admin.display(description="县(市、区)", ordering="institution__county")
    def county(self, course):
        return course.institution.county

    @admin.display(description="学员", ordering="trainees")
    def trainees(self, course):
        return course.trainees


@admin.register(Training)
class TrainingAdmin(LinkAdmin):
    channel = TRAINING_CHANNEL
    unit = "course"
    list_display = ["member", "household_number", "course", "institution", "fee_waived", "board_waived",
                    "certification_waived", "certified"]
    list_filter = [county_filter("course__institution__county_id"), "course__year", "certified"]
    search_fields = ["member__name", "=member__id_number", "member__household__number", "course__name"]
    list_select_related = ["member__household", "course__institution"]
    fieldsets = [
        (None, {"fields": ["course", "member", "measure"]}),
        ("三减免", {"fields": ["fee_waived", "board_waived", "certification_waived"]}),
        ("三优先", {"fields": ["guidance_given", "job_referred", "loan_subsidy_given"]}),
        ("结业", {"fields": ["certified"]}),
    ]

    def choices_for(self, name, request):
        choices = super().choices_for(name, request)
        return choices.select_related("institution") if name == "course" else choices

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "course":
            field.label_from_instance = lambda course: f"{course.institution} {course.year} {course.name}"
        return field

    @admin.display(description="培训机构", ordering="course__institution")
    def institution(self, training):
        return training.course.institution
