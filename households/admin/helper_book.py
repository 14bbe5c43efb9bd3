"""The assignments workbook (帮扶关系表) on the list of assignments: the blank template, the export of
the current assignments the list shows, and the upload page, which imports at once, all or nothing
(workbook/helpers.py, then services.helper_assignments_import), listing each refused row."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from common.admin import refusal_messages
from common.excel import xlsx_response
from common.refusals import Refused

from ..models import HelperAssignment
from ..workbook import helpers as helper_book


class UploadForm(forms.Form):
    file = forms.FileField(label="帮扶关系表（.xlsx）")
    dry_run = forms.BooleanField(label="只检查，不写入", required=False)


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
        """The upload page; the import is all or nothing, its refusals listed row by row."""
        if not self.may_add(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = helper_book.import_file(form.cleaned_data["file"].read(), actor=request.user,
                                                 dry_run=form.cleaned_data["dry_run"])
            except helper_book.WorkbookError as e:
                messages.error(request, str(e))
            except (Refused, ValidationError) as e:
                messages.error(request, "；".join(refusal_messages(e)))
            else:
                level = messages.ERROR if report.problems else messages.SUCCESS
                done = "检查通过，未写入" if form.cleaned_data["dry_run"] else "已导入"
                messages.add_message(request, level, report.summary() if report.problems
                                     else f"{done}：{report.summary()}")
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "report": report,
                   "title": f"导入{helper_book.TITLE}"}
        return TemplateResponse(request, "admin/households/helperassignment/import.html", context)
