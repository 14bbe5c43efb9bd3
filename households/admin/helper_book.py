"""The assignments workbook (帮扶关系表) on the list of assignments: the blank template, the export of
the current assignments the list shows, and the import as background jobs like the other workbooks'
(admin/books.py): the upload's preview, then the confirmed import, all or nothing (workbook/helpers.py,
then services.helper_assignments_import); each job's page lists every refused row."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from common.admin import refusal_messages
from common.excel import xlsx_response
from common.refusals import Refused

from ..models import HelperAssignment
from ..services.jobs import HELPER_IMPORT, helper_import_job_start
from ..workbook import helpers as helper_book
from .excel import confirmable_preview, job_page


class UploadForm(forms.Form):
    file = forms.FileField(label="帮扶关系表（.xlsx）")


class AssignmentBookAdminMixin:
    """On the assignments' ModelAdmin: its may_add() says who imports."""

    change_list_template = "admin/households/helperassignment/change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra = {"may_import": self.may_add(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        name = "households_helperassignment_workbook"
        return [
            path("workbook/template/", view(self.workbook_template_view), name=f"{name}_template"),
            path("workbook/export/", view(self.workbook_export_view), name=f"{name}_export"),
            path("workbook/import/", view(self.workbook_import_view), name=f"{name}_import"),
            path("workbook/confirm/", view(self.workbook_confirm_view), name=f"{name}_confirm"),
            *super().get_urls(),
        ]

    def workbook_template_view(self, request):
        return xlsx_response(helper_book.template(), f"{helper_book.TITLE}模板.xlsx")

    @method_decorator(require_POST)
    def workbook_export_view(self, request):
        """The current assignments the list shows with its filters and search, one row per
        household. A POST: following a link starts no export."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        shown = self.get_changelist_instance(request).get_queryset(request)
        assignments = HelperAssignment.objects.filter(pk__in=shown.values("pk"), ended_on__isnull=True)
        content = helper_book.export(assignments, actor=request.user, door="admin", filters=dict(request.GET.lists()))
        return xlsx_response(content, f"{helper_book.TITLE}.xlsx")

    def workbook_import_view(self, request):
        """The upload page; an upload becomes the preview's job, whose page lists the refused rows
        or, when nothing is refused, offers the button that confirms the import."""
        if not self.may_add(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = helper_import_job_start(actor=request.user, name=upload.name, content=upload.read(),
                                              dry_run=True)
            except (Refused, ValidationError) as e:
                messages.error(request, "；".join(refusal_messages(e)))
            else:
                return job_page(job)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form,
                   "title": f"导入{helper_book.TITLE}"}
        return TemplateResponse(request, "admin/households/helperassignment/import.html", context)

    @method_decorator(require_POST)
    def workbook_confirm_view(self, request):
        """The confirmation of a preview that refused nothing: the same workbook imported, as a job."""
        if not self.may_add(request):
            raise PermissionDenied
        preview = confirmable_preview(request, HELPER_IMPORT)
        if preview is None:
            messages.error(request, "没有可以确认的预览，请重新上传")
            return HttpResponseRedirect(reverse("admin:households_helperassignment_workbook_import"))
        with preview.upload.open("rb") as stored:
            content = stored.read()
        try:
            job = helper_import_job_start(actor=request.user, name=preview.upload_name, content=content,
                                          dry_run=False)
        except (Refused, ValidationError) as e:
            messages.error(request, "；".join(refusal_messages(e)))
            return job_page(preview)
        return job_page(job)
