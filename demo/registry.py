"""A synthetic registry that looks like Sanming's, for the quick start, demos and benchmarks.

Deterministic for a seed. People per county in the annex's proportions (those who exited in 2014
included), categories and main causes in the plan's shares, valid resident ID numbers with the
county's prefix, household sizes and ages that fit the category, exits 2015–2018 near each
county's quota (some counties behind), a few returns, a relief measure per household. Nothing
here is a real person.

The places the plan counts are flagged in its numbers (20 city key townships, 2 ethnic townships,
380 registered poor villages, a quarter of them hollow). Deliberate data-quality findings, for the
checks to show: about one exit in 200 reports a per-capita income below that year's poverty line.

Through the plan's years (demo/dynamics.py, drawn last): each household's yearly income by source,
dated member changes of every kind 2015–2018 and relocations into the settlement communities, made
through their services once the registry is written; the 2014-end population stays the annex's.

The five projects (五项工程, 三.(一)) in each county: guarantee funds with the loans of the
households' 金融扶持 measures, workshops with their workers and public-welfare posts, education
funds with grants to pupils, a training centre with its courses and trainees, each record of a
person with a measure of its project's channel, as projects.services would record it; and, across
the city, pilot villages among the poor villages and pilot organisations within the plan's ranges.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.cn import ric

from households.models import (
    Household,
    Member,
    ReliefMeasure,
    Township,
    Village,
)
from households.services.bulk import field_defaults, unsaved
from plans.models import VillageIncome

from .names import GIVEN, SURNAMES, SYLLABLES

# Built as the bulk path builds its records (households.services.bulk.unsaved): Model.__init__ for
# each was a fifth of drawing the city.
_DEFAULTS = {model: field_defaults(model) for model in (Household, Member, ReliefMeasure)}
CITY_PERSONS = 107_189  # the annex's 建档立卡贫困人口总数, 2014 exits included
# 一.(二): households per category, and their persons per household.
CATEGORIES = {"ordinary": (12452, 40929), "dibao_able": (4829, 15213), "dibao": (9997, 22855), "wubao": (2892, 3146)}
# 二.(一).1–9: households per main cause (relocation: the registered 0.1万).
CAUSES = {
    "illness": 10945, "disability": 5531, "schooling": 1141, "disaster": 540, "lack_skills": 2426,
    "lack_funds": 3060, "lack_labor": 6566, "lack_motivation": 810, "harsh_conditions": 1000,
}


@dataclass
class Registry:
    townships: list = field(default_factory=list)
    villages: list = field(default_factory=list)
    households: list = field(default_factory=list)
    members: list = field(default_factory=list)
    other_causes: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    exits: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    # The five projects' records by model, in the order they are written (each after those it
    # points to); the households each pilot organisation brings along.
    projects: dict = field(default_factory=dict)
    pilot_households: list = field(default_factory=list)
    incomes: list = field(default_factory=list)  # the poor villages' own collective income by year
    # Through the plan's years (demo/dynamics.py): each household's income by source and year, the
    # settlement communities, the member changes (member_change_record's arguments, by date), the
    # relocations, and the incomes of the households that splits form.
    household_incomes: list = field(default_factory=list)
    settlements: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    moves: list = field(default_factory=list)
    split_incomes: list = field(default_factory=list)

    def extend(self, other: "Registry") -> None:
        """`other`'s records after this one's (the projects by model, in this one's order)."""
        for name, value in vars(other).items():
            if name == "projects":
                for model, records in value.items():
                    self.projects.setdefault(model, []).extend(records)
            else:
                getattr(self, name).extend(value)


def build(*, persons: int = CITY_PERSONS, seed: int = 2015, **options) -> Registry:
    """The whole registry in memory, unsaved, as seed_demo writes it batch by batch (demo/stream.py):
    for the tests and small sizes; the moves across counties among the records of the counties."""
    from .stream import Stream

    stream = Stream(persons=persons, seed=seed, **options)
    registry = stream.places()
    for _code, batch in stream.batches():
        registry.extend(batch)
    registry.extend(stream.across())
    return registry


# 三.(二).3's stages: a hollow village has no own income in 2014, some by 2016, 50,000 yuan by 2018.
INCOME_YEARS = range(2014, 2019)
HOLLOW_TARGET_2018 = 50_000


def village_incomes(rng, registry) -> None:
    """The registered poor villages' own collective income (村集体经济自有收入) each year 2014–2018:
    a hollow village starts at zero and most reach the 2018 stage, a few fall short, so the villages
    page shows both; the others start with some income and grow. Drawn last: a seed's people and
    projects stay the same."""
    for village in (v for v in registry.villages if v.is_poor_village):
        if village.is_hollow:
            reaches = rng.random() < 0.85
            by_2018 = rng.randint(HOLLOW_TARGET_2018, 90_000) if reaches else rng.randint(8_000, HOLLOW_TARGET_2018 - 1)
            amounts = [0, *sorted(rng.randint(1_000, by_2018) for _ in INCOME_YEARS[1:-1]), by_2018]
        else:
            start = rng.randint(5_000, 60_000)
            amounts = [round(start * (1 + 0.15 * i) * rng.uniform(0.9, 1.1)) for i, _ in enumerate(INCOME_YEARS)]
        registry.incomes += [VillageIncome(village=village, year=year, own_income=Decimal(amount))
                             for year, amount in zip(INCOME_YEARS, amounts)]


def flag_places(rng, registry, counts: dict[str, int]) -> None:
    """The places the plan counts (一.(二), 三.(二)): its city key townships, ethnic townships and
    registered poor villages, chosen at random in the numbers it gives; a quarter of the poor
    villages hollow (the plan names no number). Drawn after the people, so a seed's people stay the same."""
    townships = rng.sample(registry.townships, counts["count.city_key_townships"] + counts["count.ethnic_townships"])
    for township in townships[:counts["count.city_key_townships"]]:
        township.is_city_key = True
    for township in townships[counts["count.city_key_townships"]:]:
        township.is_ethnic = True
    poor = rng.sample(registry.villages, min(counts["count.poor_villages"], len(registry.villages)))
    for village in poor:
        village.is_poor_village = True
    for village in poor[: len(poor) // 4]:
        village.is_hollow = True


def places(rng, registry, county, row) -> list[Village]:
    townships = []
    for t in range(1, 7 + row.registered // 2500):
        name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + ("镇" if t % 3 else "乡")
        township = Township(code=f"{county.code}{100 + t:03d}", name=name, county=county)
        townships.append(township)
        for v in range(1, 15):
            village = Village(code=f"{township.code}{200 + v:03d}", name=rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + "村",
                              township=township)
            registry.villages.append(village)
    registry.townships += townships
    return [v for v in registry.villages if v.code.startswith(county.code)]


def household(rng, county, village, serial, causes, used_ids, most=7):
    """A household of at most `most` persons: the county's last one fills its annex figure exactly."""
    category = rng.choices(list(CATEGORIES), weights=[h for h, _ in CATEGORIES.values()])[0]
    households, people = CATEGORIES[category]
    mean = people / households
    size = 1 if category == "wubao" and rng.random() < 0.92 else max(1, min(7, round(rng.gauss(mean, 1.0))))
    size = min(size, most)
    main_cause = rng.choices(list(CAUSES), weights=list(CAUSES.values()))[0]
    if category in ("dibao", "wubao") and main_cause in ("lack_skills", "lack_funds", "schooling"):
        main_cause = "lack_labor"  # those who cannot work are not short of skills or capital
    household = unsaved(Household, {
        "number": f"{village.code}-{serial:05d}", "village_id": village.code, "category": category,
        "main_cause_id": causes[main_cause].pk, "identified_year": 2014,
        "standard": "national" if rng.random() < 0.85 else "provincial",
        "income_per_capita": Decimal(rng.randrange(1200, 2790)),
    }, _DEFAULTS[Household], village=village, main_cause=causes[main_cause])
    # The draw that once named the household's helper stays, so that the seeded registry stays the
    # same household for household; the helpers are people now (demo/helpers.py).
    rng.choice(SURNAMES)
    head_age = rng.randint(62, 88) if category == "wubao" else rng.randint(35, 78)
    people = [("head", head_age, rng.random() < 0.8)]
    if size > 1:
        people.append(("spouse", max(20, head_age + rng.randint(-5, 3)), not people[0][2]))
    while len(people) < size:
        if head_age < 58 and not any(r == "parent" for r, _, _ in people) and rng.random() < 0.3:
            people.append(("parent", min(95, head_age + rng.randint(22, 32)), rng.random() < 0.5))
        elif head_age > 60 and rng.random() < 0.5:
            people.append(("grandchild", rng.randint(1, 17), rng.random() < 0.5))
        else:
            people.append(("child", max(0, head_age - rng.randint(20, 35)), rng.random() < 0.5))
    members = [member(rng, county, household, main_cause, i, *p, used_ids) for i, p in enumerate(people)]
    return household, members


def member(rng, county, household, main_cause, index, relation, age, male, used_ids) -> Member:
    birth = datetime.date(2014 - age, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    while True:
        order = rng.randrange(0, 500) * 2 + (1 if male else 0)
        body = f"{county.code}{birth:%Y%m%d}{order:03d}"
        number = body + ric.calc_check_digit(body + "?")
        if number not in used_ids:
            used_ids.add(number)
            break
    health = "healthy"
    if index == 0 and main_cause == "illness":
        health = rng.choice(["chronic", "serious_illness"])
    elif index == 0 and main_cause == "disability":
        health = "disabled"
    if age < 16:
        labor = "none"
        schooling = "preschool" if age < 6 else "primary" if age < 12 else "junior"
    else:
        schooling = "senior" if age < 19 and rng.random() < 0.5 else "not_in_school"
        labor = (
            "lost" if health in ("disabled", "serious_illness") or age > 75
            else "weak" if age > 60 or health == "chronic" or household.category in ("dibao", "wubao")
            else "skilled" if rng.random() < 0.15 else "ordinary"
        )
    return unsaved(Member, {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "id_number": number,
        "relation": relation, "sex": "male" if male else "female", "birth_date": birth, "ethnicity": "汉族",
        "health": health, "labor": labor, "schooling": schooling,
        "disability_certificate": f"{number}4{rng.randint(1, 4)}" if health == "disabled" else "",
        "draws_dibao": household.category in ("dibao", "dibao_able"), "draws_wubao": household.category == "wubao",
    }, _DEFAULTS[Member], household=household)


def measures(rng, household, causes, channels) -> list[ReliefMeasure]:
    year = rng.choice([2015, 2016, 2017])
    if household.category in ("dibao", "dibao_able"):
        return [_measure(household, channels["minimum_living"], year=year, content="纳入农村最低生活保障",
                         amount=Decimal(rng.randrange(1500, 3600)), unit="县民政局"),
                _measure(household, channels["medical_premium"], year=year, content="资助参加新农合个人缴费",
                         amount=Decimal("120"), unit="县民政局")]
    if household.category == "wubao":
        channel = "centralized_support" if rng.random() < 0.2 else "raised_support"
        return [_measure(household, channels[channel], year=year, content=channels[channel].name,
                         amount=Decimal(rng.randrange(4000, 6000)), unit="乡镇民政办")]
    channel = causes[household.main_cause_id].channel
    loan = channel.code == "financial_support"
    return [_measure(
        household, channel, year=year, content=channel.name,
        amount=Decimal(rng.randrange(10000, 50001, 1000) if loan else rng.randrange(300, 5000)),
        term_months=rng.choice([12, 24, 36]) if loan else None, unit=channel.department,
    )]


def _measure(household, channel, **values) -> ReliefMeasure:
    return unsaved(ReliefMeasure, {"channel_id": channel.pk, **values}, _DEFAULTS[ReliefMeasure],
                   household=household, channel=channel)
