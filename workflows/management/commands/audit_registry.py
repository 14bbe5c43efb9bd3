import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from households.audit import CHECKS, counts_by_county, enabled_checks, run_audit
from households.models import County


class Command(BaseCommand):
    help = (
        "核查建档立卡数据：数据库约束看不到的疑似重复人员（同名同出生日期、身份号码只差一位、15位旧号码与18位号码并存），"
        "与身份号码不符的校验码、出生日期、性别，无户主或多名户主，因病、因残、因学却无相应成员，五保户有劳动力，"
        "低保户无低保成员，人均纯收入为零或过高，脱贫多年仍有帮扶措施，脱贫收入低于贫困线。"
        "每项检查可在设置 AUDIT_DISABLED_CHECKS 中关闭。每条问题附户的链接，并按县计数。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", help="只核查该县(市、区)（6位代码）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, county, json: bool, verbosity, **options):
        if county and not County.objects.filter(pk=county).exists():
            raise CommandError(f"未知的县(市、区)代码：{county}")
        findings = run_audit(county=county)
        counts = counts_by_county(findings)
        if json:
            self.stdout.write(_dumps({
                "checks": [{"code": c.code, "name": c.name} for c in enabled_checks()],
                "counts": counts,
                "findings": [f.as_dict() for f in findings],
            }))
            return
        names = dict(County.objects.values_list("code", "name"))
        if verbosity:
            for f in findings:
                member = f" 成员#{f.member}" if f.member else ""
                self.stdout.write(f"{f.county} {f.household_number}{member} [{CHECKS[f.check].name}] {f.detail}  {f.url}")
            self.stdout.write("")
        for row in counts:
            parts = "，".join(f"{CHECKS[code].name} {n}" for code, n in sorted(row["checks"].items()))
            self.stdout.write(f"{names.get(row['county'], row['county'])}（{row['county']}）：{row['total']} 条（{parts}）")
        self.stdout.write(f"共 {len(findings)} 条，检查 {len(enabled_checks())} 项。")


def _dumps(data) -> str:
    return jsonlib.dumps(data, ensure_ascii=False, indent=2)
