import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from common.actors import SYSTEM
from demo import registry as demo
from households.models import Household, Township, Village
from households.services import registry_bulk_create
from plans.models import VillageIncome
from projects.models import Pilot


class Command(BaseCommand):
    help = (
        "生成一个与三明市相似的演示登记库（合成数据，非真实人员）：12 个县(市、区)的乡镇和村、按附件比例分布的贫困户和成员"
        "（含 2014 年已脱贫者）、计划比例的类别与致贫原因、有效的身份号码、帮扶措施，以及接近各县任务数的 2014–2018 年"
        "脱贫记录（部分县未完成）和少量返贫；各县的五项工程（担保基金与担保贷款、就业扶贫车间与务工、公益性岗位、教育助学基金与资助、"
        "培训机构、培训班与学员，每条到人的记录都有对应渠道的帮扶措施），以及全市计划范围内的试点示范村（20–30 个）和试点经济组织"
        "（10–20 个）；建档立卡贫困村 2014–2018 年的村集体自有收入（空壳村 2014 年为零，多数到 2018 年达 5 万元，少数未达）。同一 --seed 结果相同。故意的数据质量问题：约 0.5% 的脱贫记录人均收入低于当年贫困线。"
        f" 默认全市 {demo.CITY_PERSONS} 人。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=demo.CITY_PERSONS, help="成员总数（含 2014 年已脱贫者）")
        parser.add_argument("--seed", type=int, default=2015, help="随机种子")
        parser.add_argument("--if-empty", action="store_true", help="登记库已有贫困户时跳过（不报错）")

    def handle(self, *args, persons, seed, if_empty, verbosity, **options):
        if persons < 1:
            raise CommandError("--persons 必须是正整数")
        if Household.objects.exists():
            if if_empty:
                if verbosity:
                    self.stdout.write("登记库已有数据，未生成演示数据。")
                return
            raise CommandError("登记库已有贫困户；演示数据只生成到空的登记库中（或用 --if-empty 跳过）")
        started = time.monotonic()
        registry = demo.build(persons=persons, seed=seed)
        if verbosity:
            self.stdout.write(f"已生成 {len(registry.households)} 户、{len(registry.members)} 人，写入中……")
        try:
            with transaction.atomic():
                for places, model in ((registry.townships, Township), (registry.villages, Village)):
                    for place in places:
                        place.full_clean(validate_unique=False)
                    bulk_create_with_history(places, model, batch_size=2000)
                counts = registry_bulk_create(
                    actor=SYSTEM, households=registry.households, members=registry.members, other_causes=registry.other_causes,
                    measures=registry.measures, exits=registry.exits, returns=registry.returns,
                )
                counts.update(self.write_projects(registry))
                bulk_create_with_history(registry.incomes, VillageIncome, batch_size=2000)
        except ValidationError as e:
            raise CommandError("演示数据未通过检查，未写入：" + "；".join(e.messages[:5])) from None
        if verbosity:
            self.stdout.write(
                f"演示登记库：{len(registry.townships)} 个乡镇、{len(registry.villages)} 个村、{counts['household']} 户、"
                f"{counts['member']} 人、{counts['reliefmeasure']} 条帮扶措施、{counts['exitrecord']} 条脱贫记录、"
                f"{counts['returnrecord']} 条返贫记录；五项工程：{counts['guaranteedloan']} 笔担保贷款、"
                f"{counts['job']} 人次车间务工、{counts['publicpost']} 个公益性岗位、{counts['pilot']} 个试点示范、"
                f"{counts['studentaid']} 人次助学资助、{counts['training']} 人次技能培训，用时 {time.monotonic() - started:.1f} 秒。"
            )

    @staticmethod
    def write_projects(registry) -> dict[str, int]:
        """The five projects' records (demo/projects.py draws them to the rules of their clean(),
        which tests/households/test_demo.py runs on each), in bulk with their history, after the
        households, members and measures they point to; then the households the pilots bring along."""
        counts = {}
        for model, records in registry.projects.items():
            bulk_create_with_history(records, model, batch_size=2000)
            counts[model._meta.model_name] = len(records)
        Through = Pilot.households.through
        Through.objects.bulk_create([Through(pilot_id=p.pk, household_id=h.pk) for p, h in registry.pilot_households],
                                    batch_size=2000)
        return counts
