import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from common.actors import SYSTEM
from households.models import County
from jobs.services import job_start
from workflows.risk_jobs import RISKS, summary_of
from workflows.risk_services import return_risks_refresh


class Command(BaseCommand):
    help = (
        "核算返贫风险（docs/return-risks.md）：已脱贫户最近一年人均纯收入低于当年贫困线或高出不足 "
        "RETURN_RISK_INCOME_MARGIN，或较上年下降超过 RETURN_RISK_INCOME_DROP；近十二个月内有成员新患长期慢性病、"
        "大病或残疾；近十二个月内唯一的劳动力死亡或迁出。仍被规则命中的户保留其预警并更新原因，新命中的户新建预警，"
        "不再命中的预警解除；已排除风险的户，没有新的原因不再预警。默认直接核算；--job 交给后台任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", help="只核算该县(市、区)（6位代码）")
        parser.add_argument("--on", help="核算日期 YYYY-MM-DD（默认今天）：近十二个月从该日往前算")
        parser.add_argument("--job", action="store_true", help="作为后台任务提交，由 worker 运行")

    def handle(self, *args, county, on, job: bool, verbosity, **options):
        if county and not County.objects.filter(pk=county).exists():
            raise CommandError(f"未知的县(市、区)代码：{county}")
        try:
            day = datetime.date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError(f"核算日期应为 YYYY-MM-DD：{on}") from None
        if job:
            started = job_start(actor=SYSTEM, kind=RISKS, params={"county": county, "on": on})
            self.stdout.write(f"已提交后台任务 {started.pk}（{started.get_state_display()}）")
            return
        try:
            counts = return_risks_refresh(actor=SYSTEM, county=county, on=day,
                                          progress=self._progress if verbosity > 1 else None)
        except (PermissionDenied, ValidationError) as e:
            raise CommandError(str(e)) from None
        self.stdout.write(summary_of(counts))

    def _progress(self, done, total, stage):
        self.stdout.write(f"[{done}/{total}] {stage}")
