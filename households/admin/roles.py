"""Roles in the admin (用户角色): granted as by `manage.py grant_role`, through the same service."""

from django import forms
from django.contrib import admin

from common.admin import ServiceAdmin

from .. import services
from ..models import UserRole


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
class UserRoleAdmin(ServiceAdmin):
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
            actor=request.user, username=data["user"].username, role=data["role"], can_write=data["can_write"],
            counties=[c.pk for c in data["counties"]], channels=[c.pk for c in data["channels"]],
        )
        # The admin goes on with the object it built; give it the saved one's identity.
        obj.pk, obj._state.adding = user.registry_role.pk, False

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, grant=obj)

    def save_related(self, request, form, formsets, change):
        pass  # counties and channels were saved by the service
