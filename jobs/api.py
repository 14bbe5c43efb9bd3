"""Jobs through the REST API: a job's state and progress (/api/v1/jobs/{id}/), and its file
(/result/). Each user reads their own jobs (the city reviewer and superusers: all); another's job
is a 404."""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .access import jobs_visible_to
from .models import Job
from .services import job_refresh


class BackgroundJobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="已处理")
    total = serializers.IntegerField(allow_null=True, help_text="总数（未知时为空）")
    stage = serializers.CharField(help_text="当前阶段")
    percent = serializers.IntegerField(allow_null=True, help_text="完成百分比（未知时为空）")


class BackgroundJobSerializer(serializers.ModelSerializer):
    kind_name = serializers.CharField(read_only=True, help_text="类别名称")
    progress = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField(help_text="结果文件的下载地址；没有文件时为空")
    url = serializers.SerializerMethodField(help_text="本任务的地址")

    class Meta:
        model = Job
        fields = ["id", "url", "kind", "kind_name", "state", "username", "upload_name", "created_at", "started_at",
                  "finished_at", "progress", "summary", "outcome", "error", "result", "result_name"]

    @extend_schema_field(BackgroundJobProgressSerializer)
    def get_progress(self, job) -> dict:
        return {"done": job.done, "total": job.total, "stage": job.stage, "percent": job.percent}

    def get_result(self, job) -> str | None:
        if not job.result:
            return None
        return self._absolute(reverse("job-result", args=[job.pk]))

    def get_url(self, job) -> str:
        return self._absolute(reverse("job-detail", args=[job.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema(tags=["后台任务"], description=(
    "后台任务（大文件的导入、导出等）：状态（queued 排队中、running 进行中、done 已完成、failed 失败）、进度、结果与错误。"
    "只能查看自己提交的任务（市农业局审核员和管理员可查看全部）；他人的任务为 404。"))
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BackgroundJobSerializer
    lookup_value_regex = "[0-9a-f-]{36}"
    filterset_fields = ["kind", "state"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return jobs_visible_to(self.request.user).order_by("-created_at")

    def get_object(self):
        return job_refresh(super().get_object())

    @extend_schema(summary="下载结果文件", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, pagination_class=None, filter_backends=[])
    def result(self, request, pk=None):
        job = self.get_object()
        if not job.result:
            raise Http404("该任务没有结果文件")
        return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name or "result.xlsx")


def job_accepted(request, job) -> Response:
    """202: the work goes on in the background; the job's URL says how it goes."""
    data = BackgroundJobSerializer(job, context={"request": request}).data
    return Response(data, status=202, headers={"Location": data["url"]})
