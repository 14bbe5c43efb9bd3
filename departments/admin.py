"""The department lists in the admin: the lists the user reads (access.lists_visible_to), each
list's page (its date, uploader, rows kept and refused, the matching's job and findings), the upload
page and each kind's template. A list is never changed: a new one is uploaded."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from common.admin import ReadOnlyAdmin, refusal_messages
from common.excel import xlsx_response
from common.refusals import Refused
from households.admin.excel import job_page

from . import services
from .access import kinds_of, lists_visible_to
from .kinds import ListKind
from .models import DepartmentList
from .workbook import template


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="名单类别")
    list_date = forms.DateField(label="名单日期", initial=timezone.localdate, help_text="不能晚于今天")
    keep_valid = forms.BooleanField(label="只比对通过校验的行", required=False,
                                    help_text="有身份号码未通过校验的行时，保存并比对其余的行（否则整个名单不保存）")
    file = forms.FileField(label="名单（.xlsx）")

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds the user uploads; the service decides again.
        self.fields["kind"].choices = [(k, label) for k, label in ListKind.choices if k in kinds]


@admin.register(DepartmentList)
class DepartmentListAdmin(ReadOnlyAdmin):
    list_display = ["kind", "list_date", "uploaded_by", "uploaded_at", "rows", "refused_rows", "findings", "job_link"]
    list_filter = ["kind", "list_date"]
    list_select_related = ["uploaded_by"]
    fields = ["kind", "list_date", "uploaded_by", "uploaded_at", "file_name", "rows", "refused_rows", "problem_list",
              "job_link", "matched_at", "findings"]
    readonly_fields = fields
    change_list_template = "admin/departments/departmentlist/change_list.html"

    def get_queryset(self, request):
        return lists_visible_to(request.user).select_related("uploaded_by")

    @admin.display(description="比对任务")
    def job_link(self, obj):
        if obj.job_id is None:
            return "—"
        return format_html('<a href="{}">查看进度和结果</a>', reverse("admin:jobs_job_change", args=[obj.job_id]))

    @admin.display(description="未通过校验的行")
    def problem_list(self, obj):
        return "；".join(f"第{p['row']}行 {p['column']}“{p['value']}”：{p['reason']}" for p in obj.problems) or "—"

    def changelist_view(self, request, extra_context=None):
        extra = {"may_upload": bool(kinds_of(request.user)), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="departments_departmentlist_upload"),
            path("template/<str:kind>/", view(self.template_view), name="departments_departmentlist_template"),
            *super().get_urls(),
        ]

    def template_view(self, request, kind):
        if kind not in ListKind.values:
            raise Http404
        return xlsx_response(template(kind), f"{ListKind(kind).label}模板.xlsx")

    def upload_view(self, request):
        """The upload: the list kept, its matching started as a job, whose page shows the progress
        and the findings' counts; a refusal (with each refused row) shown on this page."""
        kinds = kinds_of(request.user)
        if not kinds:
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
        rows = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                department_list = services.department_list_upload(
                    actor=request.user, kind=form.cleaned_data["kind"], list_date=form.cleaned_data["list_date"],
                    name=upload.name, content=upload.read(), keep_valid=form.cleaned_data["keep_valid"])
            except services.ListRowsInvalid as e:
                messages.error(request, "；".join(e.message_dict["file"]))
                rows = e.message_dict["rows"]
            except (Refused, ValidationError) as e:
                messages.error(request, "；".join(refusal_messages(e)))
            else:
                messages.success(request, f"已保存{department_list}，共 {department_list.rows} 人，正在比对")
                return job_page(department_list.job)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "rows": rows,
                   "title": "上传部门名单", "templates": [(k, label) for k, label in ListKind.choices if k in kinds]}
        return TemplateResponse(request, "admin/departments/departmentlist/upload.html", context)
