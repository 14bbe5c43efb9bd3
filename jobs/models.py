"""A job: long work (an import, an export, a check over the whole registry) that runs in the
background while its user follows it: who started it, the kind and its parameters or file, where it
is (done of total, in a stage), how it ended (outcome, result file, error)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE = [JobState.QUEUED, JobState.RUNNING]


class Job(models.Model):
    State = JobState

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类别"), max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("发起人"))
    # Kept as text too: the job outlives the account; blank for the system (a command).
    username = models.CharField(_("发起人用户名"), max_length=150, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    upload = models.FileField(_("上传的文件"), upload_to="jobs/in/", blank=True)
    upload_name = models.CharField(_("上传的文件名"), max_length=255, blank=True)
    # What makes two jobs the same work (the kind and the uploaded file's digest): one such job at
    # a time, so a workbook sent twice while the first runs is refused, never applied twice.
    fingerprint = models.CharField(_("内容摘要"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    done = models.PositiveBigIntegerField(_("已处理"), default=0)
    total = models.PositiveBigIntegerField(_("总数"), null=True, blank=True)
    stage = models.CharField(_("阶段"), max_length=60, blank=True)
    summary = models.CharField(_("结果摘要"), max_length=500, blank=True)
    outcome = models.JSONField(_("结果"), default=dict, blank=True)
    result = models.FileField(_("结果文件"), upload_to="jobs/out/", blank=True)
    result_name = models.CharField(_("结果文件名"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        permissions = [("view_all_jobs", _("查看所有人的后台任务"))]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="job_state_valid"),
            models.UniqueConstraint(fields=["kind", "fingerprint"], condition=Q(state__in=ACTIVE) & ~Q(fingerprint=""),
                                    name="job_once_while_active"),
        ]

    def __str__(self):
        return f"{self.kind_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def kind_name(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.name if kind else self.kind

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int | None:
        if self.state == JobState.DONE:
            return 100
        if not self.total:
            return None
        return min(99, int(self.done * 100 / self.total))
