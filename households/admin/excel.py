"""The 建档立卡 workbook on the households' list: the blank template, the import (django-import-export's
upload page, then a background job: the preview, the confirmation, the import itself) and the
export of what the list shows (a background job). Each job's page (jobs/admin.py) shows its progress
until the report or the file is there."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ImportMixin

from common.admin import refusal_messages
from common.excel import xlsx_response
from common.refusals import Refused
from jobs.access import jobs_visible_to
from jobs.models import JobState

from .. import workbook
from ..models import Household
from ..resources import HouseholdResource, RegistryXLSX
from ..services.jobs import IMPORT, export_job_start, import_job_start


def job_page(job) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[job.pk]))


def confirmable_preview(request, kind: str, **params):
    """Runs a query. The preview the confirmation posts (`job`): a finished dry run of `kind` (and
    these parameters) that the user may see and that refused nothing; None otherwise."""
    preview = jobs_visible_to(request.user).filter(
        pk=request.POST.get("job"), kind=kind, state=JobState.DONE, **{f"params__{k}": v for k, v in params.items()}
    ).first()
    if preview is None or not preview.outcome.get("dry_run") or preview.outcome.get("problem_count"):
        return None
    return preview


class WorkbookAdminMixin(ImportMixin):
    # The upload page of django-import-export; what it uploads goes to the registry's own import
    # service, as a job. Its admin log is left out: the history keeps every change.
    resource_classes = [HouseholdResource]
    formats = [RegistryXLSX]
    skip_admin_log = True
    import_template_name = "admin/households/household/import.html"
    import_export_change_list_template = "admin/households/household/change_list.html"

    def get_urls(self):
        return [
            path("template/", self.admin_site.admin_view(self.template_view), name="households_household_template"),
            path("export/", self.admin_site.admin_view(self.export_view), name="households_household_export"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return self.may_add(request)

    def changelist_view(self, request, extra_context=None):
        extra = {"may_export": self.has_view_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def template_view(self, request):
        return xlsx_response(workbook.households_workbook([]), "建档立卡贫困户导入模板.xlsx")

    @method_decorator(require_POST)
    def export_view(self, request):
        """The households the list shows with its current filters and search (the query string the
        list's button posts to), one row per member: a job, whose page offers the file once it is
        written. A POST: following a link (a crawler, a browser's prefetch) starts no work."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        households = self.get_changelist_instance(request).get_queryset(request)
        job = export_job_start(actor=request.user, households=Household.objects.filter(pk__in=households.values("pk")),
                               door="admin", filters=dict(request.GET.lists()))
        return job_page(job)

    def import_action(self, request, **kwargs):
        """The upload page; an upload becomes the preview's job (a dry run), whose page shows the
        report and, when nothing is refused, the button that confirms the import."""
        if request.method != "POST" or not self.has_import_permission(request):
            return super().import_action(request, **kwargs)
        form = self.create_import_form(request)
        if not form.is_valid():
            return super().import_action(request, **kwargs)
        upload = form.cleaned_data["import_file"]
        try:
            job = import_job_start(actor=request.user, name=upload.name, content=upload.read(), dry_run=True,
                                   reason=f"Excel导入：{upload.name}")
        except (Refused, ValidationError) as e:
            messages.error(request, "；".join(refusal_messages(e)))
            return HttpResponseRedirect(reverse("admin:households_household_import"))
        return job_page(job)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmation of a preview that refused nothing: the same workbook imported, as a job."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        preview = confirmable_preview(request, IMPORT)
        if preview is None:
            messages.error(request, "没有可以确认的预览，请重新上传")
            return HttpResponseRedirect(reverse("admin:households_household_import"))
        with preview.upload.open("rb") as stored:
            content = stored.read()
        try:
            job = import_job_start(actor=request.user, name=preview.upload_name, content=content, dry_run=False,
                                   reason=preview.params.get("reason", ""))
        except (Refused, ValidationError) as e:
            messages.error(request, "；".join(refusal_messages(e)))
            return job_page(preview)
        return job_page(job)
