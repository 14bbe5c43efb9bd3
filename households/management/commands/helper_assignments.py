from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from common.refusals import Refused
from households import access
from households.models import County, HelperAssignment
from households.workbook import helpers as helper_book

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "帮扶关系表（.xlsx，每户一行：户编号、帮扶责任人、帮扶单位、联系电话、起始日期）。"
        "import：按县、姓名和单位找到或新增帮扶责任人，与该户当前帮扶责任人不同时自起始日期（空白为今天）起新建帮扶关系，"
        "原帮扶关系在前一天终止；全有或全无，只要有一行被拒绝就什么都不写入，并列出每个被拒绝的行、列、值和原因，退出码非零。"
        "export：导出当前帮扶关系（可原样导入），联系电话按 --user 的权限脱敏，记入导出记录；--template 只写空白模板。"
        "以 --user 指定的用户身份和范围办理；不指定则以系统身份、全市范围。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True, metavar="{import,export}")
        imports = sub.add_parser("import", help="导入帮扶关系表")
        imports.add_argument("file", help="要导入的 .xlsx 文件")
        imports.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        imports.add_argument("--user", help="以该用户的身份和范围导入")
        exports = sub.add_parser("export", help="导出当前帮扶关系")
        exports.add_argument("file", help="要写入的 .xlsx 文件")
        exports.add_argument("--county", action="append", default=[], help="只导出这个县(市、区)（区划代码，可重复）")
        exports.add_argument("--template", action="store_true", help="只写空白导入模板")
        exports.add_argument("--user", help="以该用户的范围和权限导出")

    def handle(self, *args, command, file, user, verbosity, **options):
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户 {user}")
        if command == "import":
            self.do_import(file, actor=actor, dry_run=options["dry_run"], verbosity=verbosity)
        else:
            self.do_export(file, actor=actor, counties=options["county"], template=options["template"],
                           verbosity=verbosity)

    def do_import(self, file, *, actor, dry_run, verbosity):
        try:
            data = Path(file).read_bytes()
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e.strerror}") from None
        try:
            report = helper_book.import_file(data, actor=actor, dry_run=dry_run)
        except helper_book.WorkbookError as e:
            raise CommandError(f"{Path(file).name}：{e}") from None
        except Refused as e:
            raise CommandError(str(e)) from None
        for problem in report.problems[:SHOWN_PROBLEMS]:
            where = f"第 {problem.row} 行" if problem.row else "整个表格"
            column = f"【{problem.column}】" if problem.column else ""
            value = f"“{problem.value}”" if problem.value else ""
            self.stderr.write(f"{where}{column}{value}：{problem.reason}")
        if len(report.problems) > SHOWN_PROBLEMS:
            self.stderr.write(f"……共 {len(report.problems)} 个问题")
        if report.problems:
            raise CommandError(f"{report.summary()}，未写入任何记录", returncode=1)
        if verbosity:
            outcome = "试运行，未写入" if dry_run else "已写入"
            self.stdout.write(f"{report.summary()}。{outcome}。")

    def do_export(self, file, *, actor, counties, template, verbosity):
        if template:
            self._write(file, helper_book.template())
            if verbosity:
                self.stdout.write(f"已写入空白模板 {file}")
            return
        unknown = set(counties) - set(County.objects.filter(code__in=counties).values_list("code", flat=True))
        if unknown:
            raise CommandError("未知的县(市、区)代码：" + "、".join(sorted(unknown)))
        assignments = access.helper_assignments_visible_to(actor).filter(ended_on__isnull=True)
        if counties:
            assignments = assignments.filter(household__village__township__county_id__in=counties)
        assignments = HelperAssignment.objects.filter(pk__in=assignments.values("pk"))
        content = helper_book.export(assignments, actor=actor, door="command", filters={"county": counties})
        self._write(file, content)
        if verbosity:
            self.stdout.write(f"已导出 {assignments.count()} 户的帮扶关系到 {file}")

    def _write(self, file, content):
        try:
            Path(file).write_bytes(content)
        except OSError as e:
            raise CommandError(f"无法写入 {file}：{e.strerror}") from None
