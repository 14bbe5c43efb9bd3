import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from common.progress import ProgressBar
from common.refusals import Refused
from departments.kinds import ListKind
from departments.services import ListRowsInvalid, department_list_upload, list_match
from households.audit import CHECKS, counts_by_county


class Command(BaseCommand):
    help = (
        "上传一份部门名单（" + "、".join(f"{k} {label}" for k, label in ListKind.choices) + "），按公民身份号码与建档立卡库比对，"
        "列出各县、各检查项发现的问题（问题本身见数据核查）。名单只保存为数据，不改动任何贫困户记录。身份号码未通过校验的行逐行列出，"
        "不加 --keep-valid 时整个名单不保存；名单日期不能晚于今天。以 --user 指定的用户身份上传（其角色须可上传该类名单），"
        "不指定则以系统身份。比对在前台进行并显示进度。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单 .xlsx")
        parser.add_argument("--kind", required=True, help="名单类别代码")
        parser.add_argument("--list-date", required=True, help="名单日期 YYYY-MM-DD")
        parser.add_argument("--keep-valid", action="store_true", help="只保存并比对通过校验的行")
        parser.add_argument("--user", help="以该用户的身份上传")

    def handle(self, *args, file, kind, list_date, keep_valid, user, verbosity, **options):
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户 {user}")
        try:
            on = datetime.date.fromisoformat(list_date)
        except ValueError:
            raise CommandError(f"名单日期“{list_date}”不是 YYYY-MM-DD 格式的日期") from None
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e.strerror}") from None
        try:
            department_list = department_list_upload(actor=actor, kind=kind, list_date=on, name=path.name,
                                                     content=content, keep_valid=keep_valid, match=False)
        except ListRowsInvalid as e:
            for row in e.message_dict["rows"]:
                self.stderr.write(row)
            raise CommandError("；".join(e.message_dict["file"])) from None
        except Refused as e:
            raise CommandError(e.message) from None
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        self.stdout.write(f"已保存{department_list}：{department_list.rows} 人"
                          + (f"，{department_list.refused_rows} 行未通过校验未保存" if department_list.refused_rows else ""))
        for problem in department_list.problems if verbosity > 1 else ():
            self.stdout.write(f"  第{problem['row']}行 {problem['column']}“{problem['value']}”：{problem['reason']}")
        bar = ProgressBar(self.stdout, unit="项") if verbosity else None
        findings = list_match(actor=actor, department_list=department_list, progress=bar)
        if bar:
            bar.end()
        for row in counts_by_county(findings):
            parts = "，".join(f"{CHECKS[code].name} {n}" for code, n in sorted(row["checks"].items()))
            self.stdout.write(f"{row['county']}：{row['total']} 条（{parts}）")
        self.stdout.write(f"比对完成：发现问题 {len(findings)} 条。")
