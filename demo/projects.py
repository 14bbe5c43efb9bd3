"""The five projects (五项工程, 三.(一)) of the demo registry in each county: guarantee funds with the
loans of the households' 金融扶持 measures, workshops with their workers and public-welfare posts,
education funds with grants to pupils, a training centre with its courses and trainees, each record
of a person with a measure of its project's channel, as projects.services would record it; and,
across the city, pilot villages among the poor villages and pilot organisations within the plan's
ranges."""

import datetime
from decimal import Decimal

from households.models import Household, Member
from plans.models import PLAN_YEARS
from projects.checks import TRAINING_YEARS_AFTER_EXIT
from projects.models import (
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    Job,
    LinkType,
    Pilot,
    PilotKind,
    PostKind,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    TrainingInstitution,
    Workshop,
)
from projects.services import measure_for

from .names import SYLLABLES

BANKS = ["农村信用合作联社", "邮政储蓄银行", "农业银行", "农村商业银行"]
TRADES = ["竹木加工", "服装加工", "茶叶加工", "食用菌加工", "电子元件组装", "工艺品编织"]
COURSES = ["电工", "茶叶加工", "家政服务", "电子商务", "食用菌栽培", "汽车维修", "中式烹调", "育婴员"]
SCHOOL = {"primary", "junior", "senior", "vocational", "college"}
# 四.3's models a pilot or a workshop of the demo is tagged with (codes of fixtures/040).
PILOT_MODELS = ["party_building", "tech_envoy", "tourism", "ecommerce"]
ORGANISATIONS = {  # the kind, its name's tail and the link it builds
    PilotKind.ENTERPRISE: ("农业发展有限公司", LinkType.ENTERPRISE_HOUSEHOLD),
    PilotKind.COOPERATIVE: ("农民专业合作社", LinkType.ENTERPRISE_COOPERATIVE_HOUSEHOLD),
    PilotKind.FAMILY_FARM: ("家庭农场", LinkType.ENTERPRISE_FARM_HOUSEHOLD),
}


def _day(rng, year: int) -> datetime.date:
    return datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))


def _age(member: Member, year: int) -> int:
    return year - member.birth_date.year


def add_county_projects(rng, registry, county, channels, *, townships: list, villages: list) -> None:
    """The four county projects of a county, drawn among the people of a batch of it (the county's
    first): a county's few dozen records, at any size. Each record of a person gets a measure of
    its project's channel, of the household and the record's year, as projects.services.link_save
    records one; a loan takes one of the 金融扶持 loans already drawn. Nobody is trained more than
    TRAINING_YEARS_AFTER_EXIT after the household's exit (the audit would report it)."""
    members: dict[int, list[Member]] = {}
    for m in registry.members:
        members.setdefault(id(m.household), []).append(m)
    last_exit = {}
    for e in registry.exits:
        last_exit[id(e.household)] = max(e.year, last_exit.get(id(e.household), 0))
    loans = [m for m in registry.measures if m.channel.code == "financial_support" and m.term_months]
    records: dict[type, list] = {model: [] for model in (
        GuaranteeFund, GuaranteedLoan, Workshop, Job, PublicPost, EducationFund, StudentAid,
        TrainingInstitution, TrainingCourse, Training)}
    measures = registry.measures

    def carried_out(record, model=None):
        """The record with the measure the service would record for it (projects.services.measure_for)."""
        record.measure = measure_for(record)
        record.measure.alleviation_model_id = model
        measures.append(record.measure)
        return record

    people = [m for h in registry.households for m in members[id(h)]]

    # 1. 乡村扶贫担保: a county fund, in some counties a township's too, guaranteeing most loans.
    funds = [GuaranteeFund(name=f"{county.name}乡村扶贫担保基金", county=county, founded_year=2015,
                           capital=Decimal(rng.randrange(200, 1001) * 10000), partner_bank=rng.choice(BANKS))]
    if rng.random() < 0.5:
        township = rng.choice(townships)
        funds.append(GuaranteeFund(name=f"{township.name}扶贫担保基金", county=county, township=township,
                                   founded_year=2016, capital=Decimal(rng.randrange(50, 201) * 10000),
                                   partner_bank=rng.choice(BANKS)))
    records[GuaranteeFund] += funds
    for measure in [m for m in loans if rng.random() < 0.8][:30]:
        fund = rng.choice([f for f in funds if f.founded_year <= measure.year] or funds[:1])
        issued = _day(rng, measure.year)
        due = datetime.date(issued.year + (issued.month + measure.term_months - 1) // 12,
                            (issued.month + measure.term_months - 1) % 12 + 1, issued.day)
        rate = Decimal(rng.choice(["0.0435", "0.0475"]))
        measure.alleviation_model_id = "financial_guarantee"
        records[GuaranteedLoan].append(GuaranteedLoan(
            measure=measure, fund=fund, issued_on=issued,
            repaid_on=due if due.year <= 2018 and rng.random() < 0.7 else None,
            interest_subsidy=(measure.amount * rate * measure.term_months / 12).quantize(Decimal("0.01")),
        ))

    # 2. 家门口就业: workshops with poor workers; posts, first for those without strength for heavy work.
    workable = [m for m in people if m.labor in ("ordinary", "skilled", "weak") and m.schooling == "not_in_school"]
    for _ in range(rng.randint(1, 3)):
        township = rng.choice(townships)
        village = rng.choice([v for v in villages if v.township is township])
        trade = rng.choice(TRADES)
        workshop = Workshop(name=f"{village.name}{trade}车间", county=county, township=township, village=village,
                            enterprise=f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}{trade}厂",
                            outside_county=rng.random() < 0.25, founded_year=rng.choice([2015, 2016, 2017]),
                            alleviation_model_id=rng.choice(["enterprise_led", "ecommerce", None]))
        records[Workshop].append(workshop)
        for member in rng.sample(workable, min(len(workable), rng.randint(3, 8))):
            year = rng.randint(workshop.founded_year, 2018)
            if not 18 <= _age(member, year) <= 60:
                continue
            records[Job].append(carried_out(Job(
                workshop=workshop, member=member, year=year, monthly_wage=Decimal(rng.randrange(1500, 3001, 100))),
                model=workshop.alleviation_model_id))
    candidates = [m for m in workable if 30 <= _age(m, 2016) <= 65]
    candidates.sort(key=lambda m: m.labor != "weak")  # stable: the weak first, then the others as drawn
    for member in candidates[:rng.randint(2, 5)]:
        kind, year = PostKind(rng.choice(PostKind.values)), rng.choice(PLAN_YEARS)
        village = member.household.village
        records[PublicPost].append(carried_out(PublicPost(
            kind=kind, county=county, village=village, member=member, year=year,
            monthly_pay=Decimal(rng.randrange(400, 1001, 50)))))

    # 4. 乡村教育助学: a county fund, grants to pupils of poor households.
    fund = EducationFund(name=f"{county.name}乡村教育助学基金", county=county, founded_year=2015,
                         government_funds=Decimal(rng.randrange(20, 101) * 10000),
                         donations=Decimal(rng.randrange(5, 61) * 10000))
    records[EducationFund].append(fund)
    pupils = [m for m in people if m.schooling in SCHOOL]
    for member in rng.sample(pupils, min(len(pupils), rng.randint(4, 10))):
        year, amount = rng.choice(PLAN_YEARS), rng.randrange(500, 3001, 100)
        records[StudentAid].append(carried_out(
            StudentAid(fund=fund, member=member, year=year, amount=Decimal(amount))))

    # 5. 就业技能培训: a training centre, two courses, trainees still poor or lately out.
    centre = TrainingInstitution(name=f"{county.name}就业技能培训中心", county=county,
                                 agreement_signed_on=_day(rng, 2015))
    records[TrainingInstitution].append(centre)
    for year, name in zip(sorted(rng.sample(PLAN_YEARS, 2)), rng.sample(COURSES, 2)):
        started = datetime.date(year, rng.randint(3, 10), rng.randint(1, 28))
        course = TrainingCourse(institution=centre, name=f"{name}培训班", year=year, started_on=started,
                                ended_on=started + datetime.timedelta(days=rng.choice([15, 30, 45])))
        records[TrainingCourse].append(course)
        trainable = [m for m in workable if 16 <= _age(m, year) <= 55 and (
            m.household.status != Household.Status.EXITED
            or last_exit[id(m.household)] + TRAINING_YEARS_AFTER_EXIT >= year)]
        for member in rng.sample(trainable, min(len(trainable), rng.randint(4, 10))):
            records[Training].append(carried_out(Training(
                course=course, member=member, fee_waived=rng.random() < 0.95, board_waived=rng.random() < 0.9,
                certification_waived=rng.random() < 0.9, guidance_given=rng.random() < 0.7,
                job_referred=rng.random() < 0.5, loan_subsidy_given=rng.random() < 0.2,
                certified=rng.random() < 0.6)))
    registry.projects = records


def add_pilots(rng, registry, counties, villages, pools: dict[str, list], counts: dict[str, int]) -> None:
    """3. 试点示范, across the city within the plan's ranges: villages among the poor ones, a county
    after another; organisations bringing along poor households of their county (of `pools`)."""
    records = registry.projects[Pilot] = []
    order = list(counties)
    rng.shuffle(order)
    poor = {c.code: [v for v in villages if v.is_poor_village and v.code.startswith(c.code)] for c in order}
    for c in order:
        rng.shuffle(poor[c.code])
    wanted = rng.randint(counts["count.pilot_villages_min"], counts["count.pilot_villages_max"])
    chosen = 0
    while chosen < wanted and any(poor.values()):
        for county in order:
            if chosen < wanted and poor[county.code]:
                village = poor[county.code].pop()
                records.append(Pilot(kind=PilotKind.VILLAGE, name=village.name, county=county, village=village,
                                     year=rng.choice([2015, 2016]), alleviation_model_id=rng.choice(PILOT_MODELS)))
                chosen += 1
    wanted = rng.randint(counts["count.pilot_enterprises_min"], counts["count.pilot_enterprises_max"])
    for i in range(wanted):
        county = order[i % len(order)]
        kind = rng.choice(list(ORGANISATIONS))
        tail, link = ORGANISATIONS[kind]
        village = rng.choice([v for v in villages if v.code.startswith(county.code)])
        pilot = Pilot(kind=kind, name=f"{village.name}{rng.choice(SYLLABLES)}{tail}", county=county, village=village,
                      link_type=link, year=rng.choice([2015, 2016, 2017]), alleviation_model_id="enterprise_led")
        records.append(pilot)
        pool = pools.get(county.code, [])
        registry.pilot_households += [(pilot, h) for h in rng.sample(pool, min(len(pool), rng.randint(3, 8)))]
