"""A workbook of records on its model's list (workbook/records.py): the blank template, the upload
page, and the import as background jobs, a preview first, then the confirmed import. Each job's page
(jobs/admin.py) shows its progress until the report is there."""

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

from ..services.jobs import RECORDS_IMPORT, records_import_job_start
from ..workbook import records
from .excel import confirmable_preview, job_page


class UploadForm(forms.Form):
    file = forms.FileField(label="工作簿（.xlsx）")


class RecordBookAdminMixin:
    """On a ModelAdmin: `record_book` names the book (its code, the model's name)."""

    record_book: str
    change_list_template = "admin/households/record_book_change_list.html"

    def may_import(self, request) -> bool:
        return self.has_add_permission(request)

    @property
    def book(self) -> records.RecordBook:
        return records.BOOKS[self.record_book]

    def get_urls(self):
        name = f"households_{self.record_book}_book"
        view = self.admin_site.admin_view
        return [
            path("workbook/template/", view(self.book_template_view), name=f"{name}_template"),
            path("workbook/import/", view(self.book_import_view), name=f"{name}_import"),
            path("workbook/confirm/", view(self.book_confirm_view), name=f"{name}_confirm"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"book": self.book, "may_import": self.may_import(request),
                 "book_urls": f"admin:households_{self.record_book}_book", **(extra_context or {})}
        return super().changelist_view(request, extra)

    def book_template_view(self, request):
        return xlsx_response(records.template(self.book), f"{self.book.title}模板.xlsx")

    def book_import_view(self, request):
        """The upload page; an upload becomes the preview's job, whose page shows the report and,
        when nothing is refused, the button that confirms the import."""
        if not self.may_import(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = records_import_job_start(actor=request.user, book=self.record_book, name=upload.name,
                                               content=upload.read(), dry_run=True)
            except (Refused, ValidationError) as e:
                messages.error(request, "；".join(refusal_messages(e)))
            else:
                return job_page(job)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "book": self.book,
                   "title": f"导入{self.book.title}", "template_url": f"admin:households_{self.record_book}_book_template"}
        return TemplateResponse(request, "admin/households/record_book_import.html", context)

    @method_decorator(require_POST)
    def book_confirm_view(self, request):
        """The confirmation of a preview that refused nothing: the same workbook imported, as a job."""
        if not self.may_import(request):
            raise PermissionDenied
        preview = confirmable_preview(request, RECORDS_IMPORT, book=self.record_book)
        again = reverse(f"admin:households_{self.record_book}_book_import")
        if preview is None:
            messages.error(request, "没有可以确认的预览，请重新上传")
            return HttpResponseRedirect(again)
        with preview.upload.open("rb") as stored:
            content = stored.read()
        try:
            job = records_import_job_start(actor=request.user, book=self.record_book, name=preview.upload_name,
                                           content=content, dry_run=False)
        except (Refused, ValidationError) as e:
            messages.error(request, "；".join(refusal_messages(e)))
            return job_page(preview)
        return job_page(job)
