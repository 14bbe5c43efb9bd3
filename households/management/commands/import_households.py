import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from common.progress import ProgressBar
from common.refusals import Refused
from households import workbook

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "导入建档立卡贫困户家庭成员表（.xlsx，每行一名成员，户信息每行重复，列见导入模板）。按户编号匹配贫困户、"
        "按公民身份号码匹配成员：新的新增，改过的更新（保留历史），没变的不动，表中未列出的成员保留。"
        "全有或全无：只要有一行被拒绝，什么都不写入，并列出每个被拒绝的行、列、值和原因。"
        "以 --user 指定的用户身份导入（其县的范围、历史中记其名）；不指定则以系统身份、全市范围。"
        "有行被拒绝或文件无法读取时退出码非零。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--user", help="以该用户的身份和范围导入")
        parser.add_argument("--report", help="把被拒绝的行（含原因列）写入这个 .xlsx 文件，改正后可重新导入")

    def handle(self, *args, file, dry_run, user, report, verbosity, **options):
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户 {user}")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e.strerror}") from None
        started = time.monotonic()
        try:
            sheet = workbook.read_workbook(data)
        except workbook.WorkbookError as e:
            raise CommandError(f"{path.name}：{e}") from None
        if verbosity:
            self.stdout.write(f"已读取 {len(sheet.rows)} 行（{time.monotonic() - started:.1f} 秒），检查中……")
        bar = ProgressBar(self.stdout) if verbosity and sys.stdout.isatty() else None
        try:
            result = workbook.import_sheet(sheet, actor=actor, dry_run=dry_run, reason=f"Excel导入：{path.name}",
                                          progress=bar)
        except Refused as e:
            raise CommandError(f"用户 {user}：{e}") from None
        finally:
            if bar:
                bar.end()
        problems = sheet.problems(result)
        if problems:
            for problem in problems[:SHOWN_PROBLEMS]:
                where = f"第 {problem.row} 行" if problem.row else "整个表格"
                column = f"【{problem.column}】" if problem.column else ""
                value = f"“{problem.value}”" if problem.value else ""
                self.stderr.write(f"{where}{column}{value}：{problem.reason}")
            if len(problems) > SHOWN_PROBLEMS:
                self.stderr.write(f"……共 {len(problems)} 个问题" + ("，详见 --report 文件" if report else "，用 --report 导出全部"))
            if report:
                Path(report).write_bytes(workbook.report_workbook(sheet, result))
                self.stderr.write(f"被拒绝的行已写入 {report}")
        changes = result.households["new"] + result.households["update"] + result.members["new"] + result.members["update"]
        if result.problems:
            outcome = "未写入任何记录"
        elif dry_run:
            outcome = "试运行，未写入"
        else:
            outcome = "已写入" if changes else "没有需要写入的变化"
        if verbosity or result.problems:
            self.stdout.write(f"{result.summary()}。{outcome}，用时 {time.monotonic() - started:.1f} 秒。")
        if result.problems:
            raise CommandError(f"{len(result.refused_rows) or 1} 行被拒绝，未写入任何记录", returncode=1)
