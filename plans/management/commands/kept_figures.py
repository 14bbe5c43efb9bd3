from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from common.batches import queries_unlogged
from plans.figure_selectors import figures_drift
from plans.services import figures_catch_up, figures_rebuild


class Command(BaseCommand):
    help = (
        "核对保存的各县各年数据（年底建档立卡贫困人口、收入与贫困线对比；首页总览读取它们）：先计入尚未计入的改动，"
        "再按登记库全部记录重算，列出不符之处，有不符时以 1 退出（check_plan 的检查“records.figures”同此）。"
        "--rebuild 按记录重新计算并写入全部数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="按记录重建全部数据")

    def handle(self, *args, rebuild: bool, verbosity, **options):
        with queries_unlogged():
            if rebuild:
                counted = figures_rebuild(actor=SYSTEM)
                if verbosity:
                    self.stdout.write(f"已按记录重建各县年度数据：{counted} 户")
            else:
                figures_catch_up()
            drifts = figures_drift()
        for drift in drifts:
            self.stdout.write(f"  不符：{drift.describe()}")
        if drifts:
            raise CommandError(f"保存的各县年度数据有 {len(drifts)} 处与记录不符；可用 --rebuild 重建", returncode=1)
        if verbosity:
            self.stdout.write("保存的各县年度数据与记录一致")
