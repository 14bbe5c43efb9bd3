import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.checks import ERROR, run_checks
from plans.models import PLAN_YEARS, AnnexRow
from plans.selectors import (
    FIGURES,
    FIGURES_LABELS,
    city_totals,
    cumulative_progress,
    quota_progress,
    with_close_figures,
)

STATUS = {"met": "已完成", "behind": "未完成", "not_yet_due": "未到期"}
SEVERITY = {"error": "错误", "note": "说明", "warning": "不足"}


class Command(BaseCommand):
    help = (
        "核对行动计划：列出计划自身的一致性检查（附件算术、正文与附件、分类与原因合计、脱贫途径）和各项工作记录的检查，"
        "以及按脱贫、返贫记录计算的各县各年减贫任务完成情况。仅当严重程度为“错误”的检查不通过时以 1 退出；"
        "“说明”与任务未完成是发现，不是错误。--figures close 时，已锁定（年度数据锁定）的县·年度列出锁定时保存的数据而非实时计算的数据；"
        "锁定后数据是否变动由检查“已锁定年度的数据与锁定时不符”核对。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, choices=PLAN_YEARS, help="只列该年度的完成情况")
        parser.add_argument("--county", help="只列该县(市、区)的完成情况（6位区划代码）")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="报告日期（默认今天），YYYY-MM-DD")
        parser.add_argument("--figures", choices=FIGURES, default="live",
                            help="live（默认）：由记录实时计算；close：已锁定的县·年度列出锁定时保存的数据")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, year, county, as_of, figures, json: bool, verbosity, **options):
        if county and not AnnexRow.objects.filter(county_id=county).exists():
            raise CommandError(f"--county {county}：不是附件中的县(市、区)代码")
        as_of = as_of or timezone.localdate()
        findings = run_checks(as_of=as_of)
        progress = quota_progress(year=year, county=county, as_of=as_of)
        every_year = progress if year is None else quota_progress(county=county, as_of=as_of)
        if figures == "close":
            progress, every_year = with_close_figures(progress, as_of=as_of), with_close_figures(every_year, as_of=as_of)
        report = {
            "as_of": as_of.isoformat(),
            "figures": figures,
            "consistency": [f.as_dict() for f in findings],
            "progress": [r.as_dict() for r in progress],
            "city": [r.as_dict() for r in city_totals(progress, as_of=as_of)],
            "cumulative": [r.as_dict() for r in cumulative_progress(every_year, as_of=as_of)],
        }
        if json:
            self.stdout.write(_json(report))
        else:
            self.print_report(report, verbosity)
        if any(f.severity == ERROR and not f.ok for f in findings):
            raise CommandError("计划数据有错误（见上表中严重程度为“错误”的检查）", returncode=1)

    def print_report(self, report, verbosity):
        self.stdout.write(f"一、计划一致性与工作记录检查（截至 {report['as_of']}）")
        for f in report["consistency"]:
            if f["ok"] and verbosity < 2:
                continue
            mark = "通过" if f["ok"] else "不符"
            self.stdout.write(f"  [{SEVERITY[f['severity']]}][{mark}] {f['name']}：应为 {f['expected']}，实为 {f['actual']}")
            for item in f["items"][:10]:
                self.stdout.write(f"      - {item}")
            if len(f["items"]) > 10:
                self.stdout.write(f"      …共 {len(f['items'])} 项")
        passed = sum(f["ok"] for f in report["consistency"])
        self.stdout.write(f"  共 {len(report['consistency'])} 项检查，{passed} 项通过（-v 2 列出全部）")
        shown = "已锁定的县·年度为锁定时保存的数据" if report["figures"] == "close" else "均由记录实时计算"
        self.stdout.write(f"二、减贫任务完成情况（人；{shown}）")
        self.stdout.write("  县(市、区)  年度  任务  脱贫  返贫  净减贫  完成率  状态  数据")
        for r in report["progress"] + report["city"] + report["cumulative"]:
            year = r["year"] or "2015-2018"
            percent = "-" if r["percent"] is None else f"{r['percent']}%"
            self.stdout.write(
                f"  {r['county_name']}  {year}  {r['quota']}  {r['exited']}  {r['returned']}  {r['net']}  {percent}  {STATUS[r['status']]}"
                f"  {FIGURES_LABELS[r['figures']]}"
            )


def _json(report) -> str:
    return json.dumps(report, ensure_ascii=False, default=str)
