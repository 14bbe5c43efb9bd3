from django.conf import settings
from django.core.management.base import BaseCommand

from jobs.services import jobs_clean


class Command(BaseCommand):
    help = (
        "清理后台任务：把心跳超时（后台进程已停止）的任务标记为失败，并删除提交已超过保留期的已结束任务及其文件"
        f"（默认 {settings.JOB_RETENTION_DAYS} 天，JOB_RETENTION_DAYS）。应定期运行（如每小时一次）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="保留天数（默认 JOB_RETENTION_DAYS）")

    def handle(self, *args, days, verbosity, **options):
        counts = jobs_clean(days=days)
        if verbosity:
            self.stdout.write(f"标记失败 {counts['expired']} 个心跳超时的任务，删除 {counts['deleted']} 个过期任务。")
