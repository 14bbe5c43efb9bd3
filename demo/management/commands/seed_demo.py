import datetime
import gc
import sys
import time
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from common.actors import SYSTEM
from common.batches import gc_paused, queries_unlogged
from common.progress import ProgressBar
from demo import registry as demo
from demo.closes import close_demo_years
from demo.helpers import add_helpers, seeded
from demo.stream import BATCH_PERSONS, Stream
from households.models import Household, MemberChange, Township, Transfer, Village
from households.models.incomes import PARTS
from households.services import (
    income_record,
    member_change_record,
    registry_bulk_create,
    transfer_accept,
    transfer_refuse,
    transfer_release,
)
from plans.models import Settlement, VillageIncome
from plans.services import figures_rebuild
from projects.models import Pilot
from workflows.risk_services import return_risks_refresh


class Command(BaseCommand):
    help = (
        "生成一个与三明市相似的演示登记库（合成数据，非真实人员）：12 个县(市、区)的乡镇和村、按附件比例分布的贫困户和成员"
        "（含 2014 年已脱贫者）、计划比例的类别与致贫原因、有效的身份号码、帮扶措施，以及接近各县任务数的 2014–2018 年"
        "脱贫记录（部分县未完成）和少量返贫；各县的五项工程（担保基金与担保贷款、就业扶贫车间与务工、公益性岗位、教育助学基金与资助、"
        "培训机构、培训班与学员，每条到人的记录都有对应渠道的帮扶措施），以及全市计划范围内的试点示范村（20–30 个）和试点经济组织"
        "（10–20 个）；建档立卡贫困村 2014–2018 年的村集体自有收入（空壳村 2014 年为零，多数到 2018 年达 5 万元，少数未达）；2014–2018 年各户的年度收入（分工资性、生产经营性、财产性、转移性，脱贫前多在贫困线以下，脱贫当年与脱贫记录的人均纯收入一致，之后上升）、2015–2018 年的成员变动（出生、死亡、婚入婚出、迁出、分户等各类）、每县的集中安置小区和居住条件恶劣户的易地扶贫搬迁（多为县内，少数跨县：已接收、待接收、已拒收）。2015–2017 年度各县已提交并锁定（2018 年度未提交；永安市 2017 年度已提交待审核、泰宁县 2017 年度被退回、建宁县 2016 年度锁定后重新打开），锁定前说明了各年度的核查问题。在册和返贫户的帮扶责任人（各县各单位的干部，多数每人约5户，少数超过户数上限；约5%的户无帮扶责任人，约12%更换过帮扶责任人）及其走访（多数在最近 HELPER_VISIT_DAYS 天内，部分超期或从未走访；日期从生成之日倒推）。按县、县内按村分批生成并写入（COPY），任何规模内存有界；跨县的记录（试点带动的农户、跨县搬迁）在各县之后写入。同一 --seed 和规模（及 --batch-persons）结果相同（帮扶走访等日期在同一天生成时相同）。故意的数据质量问题：约 0.5% 的脱贫记录人均收入低于当年贫困线。"
        f" 默认全市 {demo.CITY_PERSONS} 人。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=demo.CITY_PERSONS, help="成员总数（含 2014 年已脱贫者）")
        parser.add_argument("--seed", type=int, default=2015, help="随机种子")
        parser.add_argument("--if-empty", action="store_true", help="登记库已有贫困户时跳过（不报错）")
        parser.add_argument("--without-closes", action="store_true",
                            help="不办理年度数据锁定（每个县年度核查两次，在百万人规模下要很久；性能测试用）")
        parser.add_argument("--batch-persons", type=int, default=BATCH_PERSONS,
                            help="每批生成并写入的最多人数（按村分批；越大越快，内存也越多）")

    def handle(self, *args, persons, seed, if_empty, without_closes, batch_persons, verbosity, **options):
        if persons < 1:
            raise CommandError("--persons 必须是正整数")
        if batch_persons < 1:
            raise CommandError("--batch-persons 必须是正整数")
        if Household.objects.exists():
            if if_empty:
                if verbosity:
                    self.stdout.write("登记库已有数据，未生成演示数据。")
                return
            raise CommandError("登记库已有贫困户；演示数据只生成到空的登记库中（或用 --if-empty 跳过）")
        started = time.monotonic()
        stream = Stream(persons=persons, seed=seed, batch_persons=batch_persons)
        if not (stream.annex and stream.lines and stream.counts):  # the demo is drawn from the plan's figures
            raise CommandError("参考数据（规划附表、计划数字、贫困线）未加载：先运行 manage.py load_reference_data")
        bar = ProgressBar(self.stdout, unit="人") if verbosity and sys.stdout.isatty() else None
        if verbosity:
            self.stdout.write(f"按县分批生成并写入 {stream.total} 人……")
        try:
            with transaction.atomic(), gc_paused(), queries_unlogged():
                if connection.vendor == "postgresql":
                    # Each foreign key checked as its rows are written, not all at the commit: at ten
                    # million people the queue of deferred checks would hold the server's memory.
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        # No household marked for the overview's figures (plans/models.py) as it is
                        # written: they are counted whole at the end.
                        cursor.execute("SET LOCAL fupin.figures_unmarked = 'on'")
                places = stream.places()
                counts = self.write_places(places)
                for _code, batch in stream.batches():
                    counts.update(self.write_batch(batch))
                    del batch
                    gc.collect()  # a batch's records gone before the next is drawn
                    if bar:
                        bar(stream.done, stream.total, stage="贫困户和成员（按县、分批）")
                # What spans counties, once the counties it joins are written.
                across = stream.across()
                counts.update(self.write_projects(across))
                counts.update(self.write_changes(across))
                del across
                # The helpers of the households active once the changes are made (splits included).
                if bar:
                    bar.end()
                    bar.unit = "户"
                counts.update(add_helpers(seeded(seed), today=timezone.localdate(),
                                          progress=bar and (lambda done, total: bar(done, total, stage="帮扶责任人"))))
                if bar:
                    bar.end()
                if not without_closes:
                    if verbosity:
                        self.stdout.write("年度数据锁定：核查各县 2015–2017 年度并办理提交、锁定……")
                    counts.update(close_demo_years())
                counts["figures"] = figures_rebuild(actor=SYSTEM)
                # The warnings of a return as the bureau's page shows them after its first 重新核算.
                # County by county: the rules read every income of the exited households.
                counts["risks"] = sum(return_risks_refresh(actor=SYSTEM, county=code)["raised"]
                                      for code in sorted({v.code[:6] for v in places.villages}))
        except ValidationError as e:
            raise CommandError("演示数据未通过检查，未写入：" + "；".join(e.messages[:5])) from None
        finally:
            if bar:
                bar.end()
        if verbosity:
            self.stdout.write(
                f"演示登记库：{len(places.townships)} 个乡镇、{len(places.villages)} 个村、{counts['household']} 户、"
                f"{counts['member']} 人、{counts['reliefmeasure']} 条帮扶措施、{counts['exitrecord']} 条脱贫记录、"
                f"{counts['returnrecord']} 条返贫记录；五项工程：{counts['guaranteedloan']} 笔担保贷款、"
                f"{counts['job']} 人次车间务工、{counts['publicpost']} 个公益性岗位、{counts['pilot']} 个试点示范、"
                f"{counts['studentaid']} 人次助学资助、{counts['training']} 人次技能培训；{counts['householdincome']} 条年度收入、"
                f"{counts['memberchange']} 条成员变动（{counts['births']} 出生、{counts['deaths']} 死亡、{counts['marriages']} 婚入婚出、"
                f"{counts['splits']} 户分户）、{counts['settlement']} 个集中安置小区、{counts['transfer']} 次易地扶贫搬迁"
                f"（{counts['transfer_pending']} 次跨县待接收、{counts['transfer_refused']} 次被拒收），"
                f"{counts['helper']} 名帮扶责任人（{counts['helperassignment']} 条帮扶关系，其中 {counts['replaced']} 条已终止；"
                f"{counts['over_ceiling']} 人超过户数上限，{counts['gaps']} 户无帮扶责任人）、{counts['helpervisit']} 次帮扶走访，"
                f"{counts['accepted']} 个县年度已锁定（说明核查问题 {counts['explanation']} 条），"
                f"{counts['risks']} 户返贫风险预警，"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )

    @staticmethod
    def write_places(places) -> Counter:
        """The city's townships, villages, settlement communities and the poor villages' own incomes."""
        for group, model in ((places.townships, Township), (places.villages, Village)):
            for place in group:
                place.full_clean(validate_unique=False)
            bulk_create_with_history(group, model, batch_size=2000)
        bulk_create_with_history(places.settlements, Settlement, batch_size=2000)
        bulk_create_with_history(places.incomes, VillageIncome, batch_size=2000)
        return Counter(settlement=len(places.settlements))

    @classmethod
    def write_batch(cls, batch) -> Counter:
        """A batch of a county: its households with everything of theirs through the bulk path (by
        COPY), its projects, then its changes and moves through their services."""
        counts = registry_bulk_create(
            actor=SYSTEM, households=batch.households, members=batch.members, other_causes=batch.other_causes,
            measures=batch.measures, exits=batch.exits, returns=batch.returns, incomes=batch.household_incomes,
        )
        counts.update(cls.write_projects(batch))
        counts.update(cls.write_changes(batch))
        return counts

    @staticmethod
    def write_changes(registry) -> Counter:
        """The registry through 2015–2018, once it is written: the member changes and the relocations
        through their services, one call each (a few hundred at the city's size). Not in bulk: each
        change moves people in and out with the checks of the household's set (its head, one person
        in one active household), removes a household left empty, and a split makes a household;
        the services are those rules, and their cost here is a few seconds. The services date a
        transfer's release and decision now: the demo's moves say their year in the note."""
        changes = []
        for kwargs in registry.changes:
            changes += member_change_record(actor=SYSTEM, **kwargs)
        for household, incomes in registry.split_incomes:  # the split's new household, from its year
            for record in incomes:
                income_record(actor=SYSTEM, household=household, year=record.year,
                              **{p: getattr(record, p) for p in PARTS})
        transfers, made = Counter(), []
        for move in registry.moves:
            transfer = transfer_release(actor=SYSTEM, household=move.household.pk, to_village=move.to_village,
                                        reason="relocation", settlement=move.settlement,
                                        note=f"{move.year}年易地扶贫搬迁入住{move.settlement}")
            if transfer.state == transfer.State.PENDING and move.outcome == "accepted":
                transfer = transfer_accept(actor=SYSTEM, transfer=transfer)
            elif move.outcome == "refused":
                transfer = transfer_refuse(actor=SYSTEM, transfer=transfer, reason="安置小区已满员，请改迁本县安置点")
            made.append((move, transfer))
            transfers[move.outcome] += 1
        Command.date_in_their_years(changes, made)
        kinds = Counter(c.kind for c in changes)
        return Counter({"memberchange": len(changes), "births": kinds["birth"], "deaths": kinds["death"],
                        "marriages": kinds["marry_in"] + kinds["marry_out"], "splits": len(registry.split_incomes),
                        "householdincome": sum(len(i) for _h, i in registry.split_incomes),
                        "transfer": len(registry.moves),
                        "transfer_pending": transfers["pending"], "transfer_refused": transfers["refused"]})

    @staticmethod
    def date_in_their_years(changes, made) -> None:
        """The services stamp a change's recording and a transfer's release and decision with the
        time they run: the demo, written today, dates them in the years it plays, as a clerk of the
        time would have (a change recorded within days of it; a move released in its year and
        decided within weeks), so the registry on a date, the relocations' counties by year and the
        checks of late births and long-pending transfers read as they would have then."""
        for change in changes:
            change.recorded_at = timezone.make_aware(datetime.datetime.combine(
                change.date + datetime.timedelta(days=3 + change.pk % 20), datetime.time(10)))
        MemberChange.objects.bulk_update(changes, ["recorded_at"], batch_size=500)
        transfers = []
        for i, (move, transfer) in enumerate(made):
            released = datetime.datetime(move.year, 3 + i % 9, 1 + i % 27, 9)
            transfer.released_at = timezone.make_aware(released)
            if transfer.decided_at is not None:
                transfer.decided_at = timezone.make_aware(released + datetime.timedelta(days=i % 20))
            transfers.append(transfer)
        Transfer.objects.bulk_update(transfers, ["released_at", "decided_at"], batch_size=500)

    @staticmethod
    def write_projects(registry) -> Counter:
        """The five projects' records (demo/projects.py draws them to the rules of their clean(),
        which tests/households/test_demo.py runs on each), in bulk with their history, after the
        households, members and measures they point to; then the households the pilots bring along."""
        counts = Counter()
        for model, records in registry.projects.items():
            bulk_create_with_history(records, model, batch_size=2000)
            counts[model._meta.model_name] = len(records)
        Through = Pilot.households.through
        Through.objects.bulk_create([Through(pilot_id=p.pk, household_id=h.pk) for p, h in registry.pilot_households],
                                    batch_size=2000)
        return counts
