"""The admin's bases: pages that save through a service, pages scoped to what their app lets a user
see and change, read-only pages, and autocomplete boxes labelled by their model admin."""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from .refusals import Refused


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


class ServiceAdmin(HistoryAdmin):
    """A page that saves and deletes through its app's services (each subclass's save_model() and
    delete_model() call them with the request's user as the actor). The forms narrow their choices
    to what the user may pick; the service decides again, and what it refuses (a refusal, or a rule
    broken since the form was read) is shown as a message, with nothing saved."""

    def save_model(self, request, obj, form, change):
        raise NotImplementedError(f"{type(self).__name__} saves through a service")

    def delete_model(self, request, obj):
        raise NotImplementedError(f"{type(self).__name__} deletes through a service")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all of the selected, or none
            for obj in queryset:
                self.delete_model(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._answering_refusals(request, super().changeform_view, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._answering_refusals(request, super().delete_view, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._answering_refusals(request, super().changelist_view, extra_context)

    def _answering_refusals(self, request, view, *args):
        # The view runs in a transaction (the admin's own): what the service refused rolls back whole.
        try:
            return view(request, *args)
        except (Refused, ValidationError) as e:
            messages.error(request, "未保存：" + "；".join(refusal_messages(e)))
            return HttpResponseRedirect(request.get_full_path())


def refusal_messages(error: Refused | ValidationError) -> list[str]:
    if isinstance(error, Refused):
        return [error.message]
    return error.messages


def each_selected(model_admin, request, queryset, step, *, done_text: str, unit: str, label=str) -> None:
    """An action's step (a service call) for each selected record: each refusal shown beside the
    record (`label(record)`), then how many were done ("已{done_text} N {unit}。")."""
    done = 0
    for record in queryset:
        try:
            step(record)
            done += 1
        except (Refused, ValidationError) as e:
            model_admin.message_user(request, f"{label(record)}：{'；'.join(refusal_messages(e))}", messages.ERROR)
    model_admin.message_user(request, f"已{done_text} {done} {unit}。", messages.SUCCESS if done else messages.WARNING)


def with_reason(model_admin, request, queryset, *, form_class, action: str, title: str, step, done_text: str,
                unit: str, describe=str, label=str, note: str = ""):
    """An action that asks why first: a page listing the selected records (`describe(record)`) with
    `form_class` (one field, the reason), then `step(record, reason)` for each (each_selected)."""
    (field,) = form_class.base_fields
    form = form_class(request.POST if field in request.POST else None)
    if form.is_valid():
        reason = form.cleaned_data[field]
        each_selected(model_admin, request, queryset, lambda record: step(record, reason), done_text=done_text,
                      unit=unit, label=label)
        return None
    context = {**model_admin.admin_site.each_context(request), "title": title, "form": form, "note": note,
               "opts": model_admin.model._meta, "action": action, "submit": f"确认{done_text}",
               "records": [(record.pk, describe(record)) for record in queryset],
               "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
    return TemplateResponse(request, "admin/with_reason.html", context)


class ScopedAdmin(ServiceAdmin):
    """A page whose records a user sees and changes as its app decides (its access.py): `visible()`
    narrows the list, `may_see()`, `may_change()` and `may_add()` answer for the buttons and pages.
    The history pages look a record up past get_queryset() (in its past versions), then ask
    has_view_permission(): hence `may_see()` per record."""

    def visible(self, request, queryset):
        raise NotImplementedError

    def may_see(self, request, obj) -> bool:
        raise NotImplementedError

    def may_change(self, request, obj) -> bool:
        raise NotImplementedError

    def may_add(self, request) -> bool:
        raise NotImplementedError

    def get_queryset(self, request):
        return self.visible(request, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or self.may_see(request, obj))

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.may_add(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.may_change(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.may_change(request, obj))


class ScopedInline(admin.TabularInline):
    """Rows on their parent's page, written where the user may change the parent (and, for a
    subclass, whatever more `may_write()` asks)."""

    def may_write(self, request, obj) -> bool:
        return obj is None or self.admin_site.get_model_admin(self.parent_model).has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self.may_write(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_write(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- labelled autocomplete boxes


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
