"""The demo registry through the plan's years (issue 18, 动态调整): dated member changes, relocation
transfers into the settlement communities, and each household's yearly income, 2015–2018.

Drawn after everything else of the demo (a seed's people, projects and villages stay the same) and
only planned here, as unsaved records and the arguments of the services: seed_demo writes the
incomes with the bulk path and makes the changes and transfers through their services, once the
registry they point at is written.

Every change is dated 2015 or later, and in a household after its last exit or return year, so
that the 2014-end population still meets the annex's remaining column to the person, and an exit's
or a return's persons stay the household's size that year. A cross-county move that is accepted
takes a household exited in 2014, which the 2014-end population does not count wherever it lives.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from stdnum.cn import ric

from households.models import ChangeKind, Household, HouseholdIncome, Member
from households.models.incomes import per_capita
from households.services.bulk import field_defaults, unsaved
from plans.models import PLAN_YEARS, Settlement

from .names import GIVEN, SURNAMES

YEARS = range(2014, 2019)
LAST_DAY = datetime.date(2018, 12, 31)
# Changes of each kind at the city's size (a few hundred in all), scaled down with the demo but at
# least one of each, so that every kind shows on the pages.
CHANGES_AT_CITY_SIZE = {
    ChangeKind.BIRTH: 90, ChangeKind.DEATH: 80, ChangeKind.MARRY_IN: 40, ChangeKind.MARRY_OUT: 30,
    "marry_between": 6, ChangeKind.MOVE_OUT: 30, ChangeKind.SPLIT: 8, ChangeKind.ENLIST: 5,
    ChangeKind.IMPRISONED: 3, ChangeKind.HEAD_CHANGE: 6, ChangeKind.CORRECTION: 6, ChangeKind.MERGE: 3,
    ChangeKind.MOVE_IN: 6,
}
LEAVING = {ChangeKind.DEATH, ChangeKind.MARRY_OUT, "marry_between", ChangeKind.MOVE_OUT, ChangeKind.ENLIST,
           ChangeKind.IMPRISONED}
RELOCATED_SHARE = 0.05  # of the households whose main cause is harsh_conditions (居住条件恶劣)
DESTINATIONS = ["厦门市思明区", "福州市鼓楼区", "泉州市晋江市", "广东省深圳市宝安区", "浙江省温州市"]


@dataclass
class Move:
    """A relocation (易地扶贫搬迁) to make through transfer_release, then accepted, refused or left pending."""

    household: Household
    to_village: object
    settlement: str
    year: int
    outcome: str  # "accepted", "pending" or "refused"


def plan_years(rng, registry, *, wanted: dict, serial: int, lines: dict, used_ids: set, moves) -> tuple[int, Counter]:
    """Plans the changes (`wanted` of each kind), the moves (`moves(rng, registry, harsh households
    in a drawn order, ids of the households exited in 2014)` adds them) and the incomes of a batch
    just drawn, its households numbered on from `serial`. No query. Returns the serial reached and
    the changes of each kind the batch could not make (for the next batch to make)."""
    members = {}
    for m in registry.members:
        members.setdefault(id(m.household), []).append(m)
    last_event = {}
    for record in (*registry.exits, *registry.returns):
        key = id(record.household)
        last_event[key] = max(last_event.get(key, 0), record.year)
    planner = _Planner(rng, registry, members, last_event, wanted, serial, used_ids)
    planner.plan_changes()
    harsh = [h for h in registry.households if h.main_cause_id == "harsh_conditions" and id(h) not in planner.used]
    rng.shuffle(harsh)
    moves(rng, registry, harsh, {id(e.household) for e in registry.exits if e.year == 2014})
    _incomes(rng, registry, members, planner.deltas, lines)
    return planner.serial, planner.short


def _date_in(rng, first: datetime.date, last: datetime.date = LAST_DAY) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _age(m: Member, on: datetime.date) -> int:
    return on.year - m.birth_date.year - ((on.month, on.day) < (m.birth_date.month, m.birth_date.day))


class _Planner:
    def __init__(self, rng, registry, members, last_event, wanted, serial, used_ids):
        self.rng, self.registry, self.members, self.wanted = rng, registry, members, wanted
        self.serial, self.used_ids, self.short = serial, used_ids, Counter()
        self.last_event = last_event
        self.used: set[int] = set()  # households with a change planned (one story a household)
        self.deltas: dict[int, list[tuple[datetime.date, int]]] = {}  # size changes by household
        self.order = list(registry.households)
        rng.shuffle(self.order)

    def first_day(self, h) -> datetime.date | None:
        """A household changes only after its last exit or return year (its persons then stay its size)."""
        year = max(2015, self.last_event.get(id(h), 0) + 1)
        return datetime.date(year, 1, 1) if year <= 2018 else None

    def candidates(self, fits):
        """(household, member, date) for households not yet used whose member fits on a drawn date."""
        for h in self.order:
            if id(h) in self.used or (first := self.first_day(h)) is None:
                continue
            day = _date_in(self.rng, first)
            for m in self.members[id(h)]:
                if fits(h, m, day):
                    yield h, m, day
                    break

    def add(self, kind, household, day, **kwargs):
        self.registry.changes.append({"household": household, "kind": kind, "date": day, **kwargs})

    def delta(self, h, day, n):
        self.deltas.setdefault(id(h), []).append((day, n))

    def take(self, kind, fits, make):
        wanted = self.wanted[kind]
        if kind in LEAVING:  # the service leaves a member's 低保/五保 as it was: a leaver drew none
            drawn = fits
            fits = lambda h, m, d: not (m.draws_dibao or m.draws_wubao) and drawn(h, m, d)  # noqa: E731
        done = 0
        for h, m, day in self.candidates(fits):
            if done >= wanted:
                break
            if make(h, m, day) is not False:
                self.used.add(id(h))
                done += 1
        self.short[kind] = wanted - done

    def others(self, h, m, day):
        return [o for o in self.members[id(h)] if o is not m]

    def person(self, h, *, birth: datetime.date, male: bool, relation: str) -> Member:
        """A new member (a newborn, a spouse marrying in, a relative moving in), with a valid ID number."""
        county = h.village.code[:6]
        while True:
            body = f"{county}{birth:%Y%m%d}{self.rng.randrange(0, 500) * 2 + (1 if male else 0):03d}"
            number = body + ric.calc_check_digit(body + "?")
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        age = _age_years(birth, LAST_DAY)
        return Member(
            household=h, name=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + self.rng.choice(GIVEN),
            id_number=number, relation=relation, sex="male" if male else "female", birth_date=birth, ethnicity="汉族",
            health="healthy", labor="none" if age < 16 else "ordinary",
            schooling="preschool" if age < 6 else "not_in_school",
        )

    def plan_changes(self):
        rng, K = self.rng, ChangeKind

        def birth(h, m, day):
            relation = "child" if m.relation in ("head", "spouse") else "grandchild"
            child = self.person(h, birth=day, male=rng.random() < 0.52, relation=relation)
            self.add(K.BIRTH, h, day, person=child, reason="新生儿落户")
            self.delta(h, day, +1)

        self.take(K.BIRTH, lambda h, m, d: m.sex == "female" and 22 <= _age(m, d) <= 38
                  and m.relation in ("head", "spouse", "child"), birth)

        def death(h, m, day):
            rest = self.others(h, m, day)
            new_head = None
            if m.relation == "head":
                spouse = [o for o in rest if o.relation == "spouse"]
                new_head = spouse[0] if spouse else min(rest, key=lambda o: o.birth_date)
            self.add(K.DEATH, h, day, member=m, new_head=new_head, reason="病故")
            self.delta(h, day, -1)

        self.take(K.DEATH, lambda h, m, d: _age(m, d) >= 72 and len(self.members[id(h)]) >= 2, death)

        # Marriages in, some of which form a household of their own later (分户).
        splits = self.wanted[K.SPLIT]

        def marry_in(h, m, day):
            spouse = self.person(h, birth=m.birth_date + datetime.timedelta(days=rng.randint(-900, 900)),
                                 male=m.sex == "female", relation="in_law")
            self.add(K.MARRY_IN, h, day, person=spouse, reason="结婚迁入")
            self.delta(h, day, +1)
            nonlocal splits
            if splits and day < datetime.date(2018, 6, 1) and not m.draws_dibao:
                splits -= 1
                later = _date_in(rng, day + datetime.timedelta(days=120))
                self.serial += 1
                new = Household(number=f"{h.village.code}-{self.serial:05d}", category="ordinary",
                                # a young couple short of capital, not of the parents' cause (a
                                # disabled or ill member stays with the parents)
                                main_cause_id="lack_funds")
                self.add(K.SPLIT, h, later, members=[m, spouse], relations=["head", "spouse"], new_household=new,
                         reason="子女婚后分户")
                self.delta(h, later, -2)
                figure = rng.randint(1800, 2500)  # a young couple's own household, still poor
                self.registry.split_incomes.append((new, [
                    _income(new, year, Decimal(round(figure * 1.05 ** i)), 2, SHARES["ordinary"], rng)
                    for i, year in enumerate(range(later.year, 2019))]))

        self.take(K.MARRY_IN, lambda h, m, d: m.relation == "child" and 22 <= _age(m, d) <= 35
                  and h.category != "wubao", marry_in)

        def leaves(kind, reason, **extra):
            def make(h, m, day):
                self.add(kind, h, day, member=m, reason=reason, **extra)
                self.delta(h, day, -1)
            return make

        self.take(K.MARRY_OUT, lambda h, m, d: m.relation == "child" and 20 <= _age(m, d) <= 35,
                  leaves(K.MARRY_OUT, "嫁往外地"))

        def marry_between(h, m, day):
            county = h.village.code[:6]
            for other in self.order:
                if (id(other) in self.used or other is h or other.village.code[:6] != county or other.category == "wubao"
                        or (first := self.first_day(other)) is None or first > day):
                    continue
                self.used.add(id(other))
                self.add(K.MARRY_OUT, h, day, member=m, other_household=other, relation="in_law",
                         reason="与本县另一贫困户成员结婚")
                self.delta(h, day, -1)
                self.delta(other, day, +1)
                return True
            return False

        self.take("marry_between", lambda h, m, d: m.relation == "child" and 20 <= _age(m, d) <= 35, marry_between)
        self.take(K.MOVE_OUT, lambda h, m, d: m.relation in ("child", "sibling") and 18 <= _age(m, d) <= 45,
                  lambda h, m, day: leaves(K.MOVE_OUT, "外出务工落户", destination=rng.choice(DESTINATIONS))(h, m, day))
        self.take(K.ENLIST, lambda h, m, d: m.relation == "child" and m.sex == "male" and 18 <= _age(m, d) <= 22,
                  leaves(K.ENLIST, "应征入伍"))
        self.take(K.IMPRISONED, lambda h, m, d: m.relation == "child" and m.sex == "male" and 20 <= _age(m, d) <= 50,
                  leaves(K.IMPRISONED, "判处有期徒刑"))

        def head_change(h, m, day):
            heirs = [o for o in self.others(h, m, day) if o.relation == "child" and _age(o, day) >= 25]
            if not heirs:
                return False
            self.add(K.HEAD_CHANGE, h, day, member=m, new_head=heirs[0], relation="parent", reason="户主年老，由子女任户主")

        self.take(K.HEAD_CHANGE, lambda h, m, d: m.relation == "head" and _age(m, d) >= 68, head_change)

        def correction(h, m, day):
            name = m.name[:-1] + rng.choice([g for g in GIVEN if g != m.name[-1]])
            self.add(K.CORRECTION, h, day, member=m, field="name", new_value=name, reason="姓名登记有误")

        self.take(K.CORRECTION, lambda h, m, d: m.relation == "head", correction)

        alone_by_village = {}  # the ordinary households of one, by village, in the drawn order
        for other in self.order:
            if len(self.members[id(other)]) == 1 and other.category == "ordinary":
                alone_by_village.setdefault(id(other.village), []).append(other)

        def merge(h, m, day):
            for other in alone_by_village.get(id(h.village), ()):  # a household of one joins this one
                if id(other) in self.used or other is h or (first := self.first_day(other)) is None or first > day:
                    continue
                alone = self.members[id(other)][0]
                self.used.add(id(other))
                relation = "parent" if alone.birth_date.year + 18 <= m.birth_date.year else "sibling"
                self.add(K.MERGE, h, day, other_household=other, members=[alone], relations=[relation],
                         reason="老人随子女生活，并户")
                self.delta(h, day, +1)
                self.delta(other, day, -1)
                return True
            return False

        self.take(K.MERGE, lambda h, m, d: m.relation == "head" and _age(m, d) < 60, merge)

        def move_in(h, m, day):
            relative = self.person(h, birth=m.birth_date + datetime.timedelta(days=rng.randint(-3000, 3000)),
                                   male=rng.random() < 0.5, relation="sibling")
            self.add(K.MOVE_IN, h, day, person=relative, reason="投靠亲属迁入")
            self.delta(h, day, +1)

        self.take(K.MOVE_IN, lambda h, m, d: m.relation == "head" and _age(m, d) < 60 and h.category != "wubao",
                  move_in)
        self.short[K.SPLIT] = splits
        self.registry.changes.sort(key=lambda c: c["date"])


def _age_years(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def settlements(rng, registry) -> None:
    """Three settlement communities (集中安置小区) a county a plan year, in its townships: 36 a year
    across the city, each of 30 to 150 households, as 二.(一).9 asks."""
    by_county = {}
    for t in registry.townships:
        by_county.setdefault(t.county.code, []).append(t)
    for townships in by_county.values():
        for year in PLAN_YEARS:
            for township in rng.sample(townships, min(3, len(townships))):
                registry.settlements.append(Settlement(
                    name=f"{township.name}{rng.choice(['幸福', '安康', '和谐', '阳光', '新村'])}安置小区{year % 100:02d}",
                    township=township, year=year, households=rng.randint(30, 150)))


# The shares of a household's income by source (工资性、生产经营性、财产性; the rest 转移性): the
# safety nets' households live more on transfers.
SHARES = {"ordinary": (0.55, 0.3, 0.03), "dibao_able": (0.45, 0.25, 0.02), "dibao": (0.2, 0.15, 0.01),
          "wubao": (0.0, 0.05, 0.0)}


def _incomes(rng, registry, members, deltas, known_lines: dict) -> None:
    """Each household's income by source for each year from its identification to 2018: below the
    line of its year while poor (a few near it), the exit record's figure in an exit year (one
    figure), rising above the line after it (falling by a quarter or so in the last year for one
    in twenty), falling back below in a year it returns. Per capita
    over its size at the year's end, changes included; no income in a year it ends with nobody."""
    lines = dict(known_lines)
    # A line not yet published (line unknown in the registry) is only guessed here, to draw around.
    for year in YEARS:
        if year not in lines:
            lines[year] = (lines.get(year - 1) or Decimal(2800)) * Decimal("1.035")
    exits, returns = {}, {}
    for e in registry.exits:
        exits[id(e.household), e.year] = e.income_per_capita
    for r in registry.returns:
        returns[id(r.household), r.year] = True
    for h in registry.households:
        key, poor, figure = id(h), True, h.income_per_capita
        for year in YEARS:
            if year < h.identified_year:
                continue
            line = float(lines[year])
            if (key, year) in exits:
                figure, poor = exits[key, year], False
            elif (key, year) in returns:
                figure, poor = Decimal(round(line * rng.uniform(0.55, 0.9))), True
            elif year > h.identified_year:
                grown = float(figure) * rng.uniform(1.03, 1.12)
                if not poor and year == YEARS[-1] and rng.random() < 0.05:
                    # A setback in the last year (an illness, a harvest lost): what the warnings of a
                    # return (workflows/risk_selectors.py) are there to see.
                    grown = float(figure) * rng.uniform(0.6, 0.78)
                if poor:  # most stay well below the line, a few come near it
                    grown = min(grown, line * (rng.uniform(0.8, 0.99) if rng.random() < 0.15 else rng.uniform(0.5, 0.78)))
                figure = Decimal(round(grown))
            end = datetime.date(year, 12, 31)
            persons = len(members[key]) + sum(n for day, n in deltas.get(key, ()) if day <= end)
            if persons < 1:
                continue
            registry.household_incomes.append(_income(h, year, figure, persons, SHARES[h.category], rng))


_INCOME_DEFAULTS = field_defaults(HouseholdIncome)


def _income(h, year, figure: Decimal, persons: int, shares, rng) -> HouseholdIncome:
    """The sources in whole yuan, the transfers the rest: the total exactly figure × persons, so the
    per-capita figure is the one drawn (an exit's, to the fen). Built as the bulk path builds its
    records (a city's 196,000 incomes through Model.__init__ took seconds)."""
    total = int(figure) * persons
    spread = 0.85 + 0.25 * rng.random()  # one draw a record: the city has 196,000
    wages, business, property_ = int(total * shares[0] * spread), int(total * shares[1] * (1.95 - spread)), \
        int(total * shares[2] * spread)
    values = {"year": year, "wages": Decimal(wages), "business": Decimal(business), "property": Decimal(property_),
              "transfers": Decimal(total - wages - business - property_), "total": Decimal(total),
              "persons": persons, "per_capita": per_capita(Decimal(total), persons)}
    return unsaved(HouseholdIncome, values, _INCOME_DEFAULTS, household=h)
