from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from households.services import event_totals_rebuild
from households.total_selectors import totals_drift


class Command(BaseCommand):
    help = (
        "核对保存的各县各年脱贫返贫合计（户数、人数；减贫任务完成情况、首页总览与年度数据锁定读取它们）："
        "按脱贫、返贫记录重算，列出不符之处，有不符时以 1 退出（check_plan 的检查“records.totals”同此）。"
        "--rebuild 按记录重新计算并写入全部合计（绕过服务写入记录之后使用），写入期间登记脱贫返贫的操作等待其完成。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="按记录重建全部合计")

    def handle(self, *args, rebuild: bool, verbosity, **options):
        if rebuild:
            done = event_totals_rebuild(actor=SYSTEM)
            if verbosity:
                self.stdout.write(f"已按记录重建脱贫返贫合计：新增 {done['added']} 行，更正 {done['changed']} 行，"
                                  f"删除 {done['deleted']} 行")
        drifts = totals_drift()
        for drift in drifts:
            self.stdout.write(f"  不符：{drift.describe()}")
        if drifts:
            raise CommandError(f"保存的脱贫返贫合计有 {len(drifts)} 处与记录不符；可用 --rebuild 重建", returncode=1)
        if verbosity:
            self.stdout.write("保存的脱贫返贫合计与记录一致")
