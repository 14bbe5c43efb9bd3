"""Transfers (迁移) in the admin: the list of those out of or into the user's counties, a release on
the add page, accept and refuse as actions of the list; each handed to households/services/transfers.py,
which decides who may and every rule. A transfer is never changed or deleted: its history is the record."""

from django import forms
from django.contrib import admin

from common.admin import ScopedAdmin, each_selected, with_reason
from common.refusals import Refused

from .. import access, services
from ..models import Household, Transfer


class ReleaseForm(forms.ModelForm):
    class Meta:
        model = Transfer
        fields = ["household", "to_village", "reason", "settlement", "note"]

    def _post_clean(self):
        # The household's village is where it moves from: the model's own rules (not its own
        # village, a settlement only for 易地扶贫搬迁) then name their field on the form.
        household = self.cleaned_data.get("household")
        if household is not None:
            self.instance.from_village_id = household.village_id
        super()._post_clean()


class RefuseForm(forms.Form):
    refusal_reason = forms.CharField(label="拒收原因", max_length=200)


@admin.register(Transfer)
class TransferAdmin(ScopedAdmin):
    form = ReleaseForm
    list_display = ["household", "from_village", "from_county_name", "to_village", "to_county_name", "reason",
                    "state", "released_at", "decided_at"]
    list_filter = ["state", "reason"]
    search_fields = ["household__number", "settlement"]
    list_select_related = ["household", "from_village__township__county", "to_village__township__county"]
    autocomplete_fields = ["household", "to_village"]
    ordering = ["-released_at", "-id"]
    actions = ["accept_transfers", "refuse_transfers"]
    readonly = ["household", "from_village", "to_village", "reason", "settlement", "note", "state", "released_by",
                "released_at", "decided_by", "decided_at", "refusal_reason"]

    def visible(self, request, queryset):
        return queryset.filter(pk__in=access.transfers_visible_to(request.user))

    def may_see(self, request, obj) -> bool:
        return access.transfers_visible_to(request.user).filter(pk=obj.pk).exists()

    def may_change(self, request, obj) -> bool:
        return False  # decided by the actions, never edited

    def may_add(self, request) -> bool:
        return access.households_writable_by(request.user).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.readonly if obj else ReleaseForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly if obj else []

    def get_changeform_initial_data(self, request):
        return {"household": request.GET.get("household")}  # from the household's page

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "household":
            kwargs["queryset"] = self.households(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def households(self, request):
        return access.households_writable_by(request.user).exclude(status=Household.Status.REMOVED)

    def autocomplete_offer(self, request, field_name, queryset):
        """The household box offers the households the user may move."""
        return queryset.filter(pk__in=self.households(request)) if field_name == "household" else queryset

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="迁出县", ordering="from_village__township__county")
    def from_county_name(self, transfer):
        return transfer.from_village.township.county.name

    @admin.display(description="迁入县", ordering="to_village__township__county")
    def to_county_name(self, transfer):
        return transfer.to_village.township.county.name

    def save_model(self, request, obj, form, change):
        saved = services.transfer_release(actor=request.user, household=obj.household, to_village=obj.to_village,
                                          reason=obj.reason, settlement=obj.settlement, note=obj.note)
        obj.__dict__.update(saved.__dict__)  # the admin's message and redirect name the saved transfer

    def delete_model(self, request, obj):
        raise Refused("迁移记录不能删除")

    @admin.action(description="接收所选迁移（迁入县）")
    def accept_transfers(self, request, queryset):
        each_selected(self, request, queryset, lambda t: services.transfer_accept(actor=request.user, transfer=t),
                      done_text="接收", unit="户", label=lambda t: t.household)

    @admin.action(description="拒收所选迁移（迁入县，须填写原因）")
    def refuse_transfers(self, request, queryset):
        return with_reason(
            self, request, queryset.with_places(), form_class=RefuseForm, action="refuse_transfers", title="拒收迁移",
            step=lambda t, reason: services.transfer_refuse(actor=request.user, transfer=t, reason=reason),
            done_text="拒收", unit="户", label=lambda t: t.household,
            describe=lambda t: f"{t.household.number}：{t.from_village} → {t.to_village}（{t.get_reason_display()}）",
            note="拒收后，这些户仍留在迁出村，迁出县可以重新办理迁移。")
