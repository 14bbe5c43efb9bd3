"""2. 家门口扶贫就业工程 (三.(一).2) in the admin: workshops with their jobs, public-welfare posts."""

from django.contrib import admin
from django.db.models import Count

from households.admin import county_filter

from ..models import Job, PublicPost, Workshop
from .base import LinkAdmin, LinkInline, UnitAdmin


class JobInline(LinkInline):
    model = Job
    fields = ["member", "household_number", "year", "monthly_wage"]


@admin.register(Workshop)
class WorkshopAdmin(UnitAdmin):
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
    unit = "workshop"
    list_display = ["member", "household_number", "workshop", "year", "monthly_wage"]
    list_filter = [county_filter("workshop__county_id"), "year"]
    search_fields = ["member__name", "=member__id_number", "member__household__number", "workshop__name"]
    list_select_related = ["member__household", "workshop"]
    fields = ["workshop", "member", "year", "monthly_wage", "measure"]


@admin.register(PublicPost)
class PublicPostAdmin(LinkAdmin):
    list_display = ["member", "household_number", "kind", "title", "village", "year", "monthly_pay"]
    list_filter = [county_filter("county_id"), "year", "kind"]
    search_fields = ["member__name", "=member__id_number", "member__household__number", "title", "village__name"]
    list_select_related = ["member__household", "village"]
    fields = ["kind", "title", "village", "member", "year", "monthly_pay", "measure"]
