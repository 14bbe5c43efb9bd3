"""5. 就业技能培训工程 (三.(一).5) in the admin: institutions, courses and trainings."""

from django.contrib import admin
from django.db.models import Count

from common.admin import ScopedInline
from households.admin import county_filter

from ..models import Training, TrainingCourse, TrainingInstitution
from .base import LinkAdmin, LinkInline, UnitAdmin


class CourseInline(ScopedInline):
    """The courses on their institution's page: the institution's county scopes them."""

    model = TrainingCourse
    extra = 0
    show_change_link = True
    fields = ["name", "year", "started_on", "ended_on"]


@admin.register(TrainingInstitution)
class TrainingInstitutionAdmin(UnitAdmin):
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
