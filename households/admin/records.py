"""A household's records on their own pages: members (found and corrected here, added with their
household), measures (recorded by the clerk or the channel's department), exits and returns."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from common.admin import LabelledChoicesMixin

from .. import access, selectors, services
from ..models import ExitRecord, Member, ReliefMeasure, ReturnRecord
from .base import MaskedIdMixin, RecordAdmin, county_filter, masking_form


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
class MemberAdmin(MaskedIdMixin, LabelledChoicesMixin, RecordAdmin):
    """Members are added and removed with their household; here they are found and corrected. Other
    forms (the projects') pick them by name and household number, never by ID number."""

    form = MemberForm
    list_display = ["name", "shown_id_number", "household", "relation", "sex", "birth_date", "health", "labor",
                    "left_on"]
    list_filter = [county_filter("household__village__township__county_id"), "relation", "sex", "health", "labor"]
    search_fields = ["name", "=id_number", "household__number"]
    list_select_related = ["household"]
    # Presence changes only through a member change (成员变动), recorded from the household's page.
    readonly_fields = ["household", "joined_on", "left_on"]
    choice_related = ["household"]

    def save_model(self, request, obj, form, change):
        services.member_save(actor=request.user, member=obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="公民身份号码", ordering="id_number")
    def shown_id_number(self, member):
        return member.shown_id

    def choice_label(self, member):
        return f"{member.name}（{member.household.number}）"

    def get_queryset(self, request):
        # Shown in the query, so that the list never holds a whole number the user may not see.
        return super().get_queryset(request).annotate(shown_id=access.id_display_sql(request.user))

    def get_form(self, request, obj=None, **kwargs):
        return masking_form(super().get_form(request, obj, **kwargs), request)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version shows the whole ID number.
        if not access.may_see_full_id(request.user):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ReliefMeasure)
class ReliefMeasureAdmin(LabelledChoicesMixin, RecordAdmin):
    list_display = ["household", "channel", "year", "date", "content", "amount", "term_months", "unit",
                    "alleviation_model"]
    list_filter = [county_filter("household__village__township__county_id"), "channel", "channel__kind", "year",
                   "alleviation_model"]
    search_fields = ["household__number", "content", "unit"]
    list_select_related = ["household", "channel", "alleviation_model"]
    autocomplete_fields = ["household"]
    ordering = ["-year", "household_id"]
    choice_related = ["household"]

    def save_model(self, request, obj, form, change):
        services.measure_save(actor=request.user, measure=obj)

    def delete_model(self, request, obj):
        services.measure_delete(actor=request.user, measure=obj)

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


class EventAdmin(RecordAdmin):
    save_service = delete_service = None  # the service of this kind of record (exits, returns)
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

    def save_model(self, request, obj, form, change):
        type(self).save_service(actor=request.user, record=obj)

    def delete_model(self, request, obj):
        type(self).delete_service(actor=request.user, record=obj)


@admin.register(ExitRecord)
class ExitRecordAdmin(EventAdmin):
    save_service, delete_service = staticmethod(services.exit_save), staticmethod(services.exit_delete)
    list_display = ["household", "year", "persons", "income_per_capita", "verified_by"]


@admin.register(ReturnRecord)
class ReturnRecordAdmin(EventAdmin):
    save_service, delete_service = staticmethod(services.return_save), staticmethod(services.return_delete)
    list_display = ["household", "year", "persons", "reason", "verified_by"]
