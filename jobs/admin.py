"""Jobs in the admin: the list of one's own jobs (the city reviewer's and superusers': all), and each
job's page, which shows its progress moving (polling /api/v1/jobs/{id}/) until the file or the
report is there. Jobs are started by the pages that do the work (the households' import and export)."""

from django.contrib import admin
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_tasks_db.models import DBTaskResult

from common.admin import ReadOnlyAdmin

from .access import jobs_visible_to
from .kinds import KINDS
from .models import Job
from .services import job_refresh


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind_label", "username", "state", "progress", "summary"]
    list_filter = ["state", "kind"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return jobs_visible_to(request.user)

    # Every user who may start a job follows their own: no model permission is asked.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or jobs_visible_to(request.user).filter(pk=obj.pk).exists())

    @admin.display(description="类别")
    def kind_label(self, job):
        return job.kind_name

    @admin.display(description="进度")
    def progress(self, job):
        percent = job.percent
        return f"{percent}%" if percent is not None else (job.stage or "—")

    def get_urls(self):
        return [path("<uuid:object_id>/result/", self.admin_site.admin_view(self.result_view), name="jobs_job_result"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise Http404("没有这个任务，或不是您提交的任务")
        job = job_refresh(job)
        kind = KINDS.get(job.kind)
        context = {
            **self.admin_site.each_context(request), "title": job.kind_name, "job": job, "opts": self.opts,
            "outcome_template": kind.template if kind else "", "status_url": reverse("job-detail", args=[job.pk]),
            "result_url": reverse("admin:jobs_job_result", args=[job.pk]) if job.result else "",
        }
        return TemplateResponse(request, "admin/jobs/job/progress.html", {**context, **(extra_context or {})})

    def result_view(self, request, object_id):
        job = self.get_object(request, str(object_id))
        if job is None or not job.result:
            raise Http404("没有这个结果文件")
        return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name or "result.xlsx")


# The queue's own rows (django-tasks-db's) are the workers' bookkeeping; people follow their jobs.
admin.site.unregister(DBTaskResult)
