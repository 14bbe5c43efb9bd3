import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from common.progress import ProgressBar
from common.replica import call_reading_replica
from households import access, workbook
from households.models import County


class Command(BaseCommand):
    help = (
        "导出贫困户及其家庭成员为 .xlsx（与导入相同的表样，导出的文件可原样导入）；--template 只导出空白模板"
        "（冻结表头、下拉列表、代码表）。以 --user 指定的用户的范围导出（身份号码按其权限脱敏）；不指定则以系统身份导出全市、"
        "身份号码完整。每次导出都记入导出记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="要写入的 .xlsx 文件")
        parser.add_argument("--county", action="append", default=[], help="只导出这个县(市、区)（区划代码，可重复）")
        parser.add_argument("--template", action="store_true", help="只写空白导入模板")
        parser.add_argument("--user", help="以该用户的范围和权限导出")

    def handle(self, *args, file, county, template, user, verbosity, **options):
        if template:
            content = workbook.households_workbook([])
            self._write(file, content)
            if verbosity:
                self.stdout.write(f"已写入空白模板 {file}")
            return
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户 {user}")
        households = access.households_visible_to(actor)
        unknown = set(county) - set(County.objects.filter(code__in=county).values_list("code", flat=True))
        if unknown:
            raise CommandError("未知的县(市、区)代码：" + "、".join(sorted(unknown)))
        if county:
            households = households.filter(village__township__county_id__in=county)
        bar = ProgressBar(self.stdout) if verbosity and sys.stdout.isatty() else None
        # On the replica, when one is configured and has replayed every write made before this began.
        content = call_reading_replica(workbook.export_households, households, actor=actor, door="command",
                                       filters={"county": county}, progress=bar)
        if bar:
            bar.end()
        self._write(file, content)
        if verbosity:
            self.stdout.write(f"已导出 {households.count()} 户到 {file}")

    def _write(self, file, content):
        try:
            Path(file).write_bytes(content)
        except OSError as e:
            raise CommandError(f"无法写入 {file}：{e.strerror}") from None
