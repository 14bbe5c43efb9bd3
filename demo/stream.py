"""The demo registry drawn county by county, and within a county in batches of villages, so that
any size (10,000,000 people) is drawn and written in bounded memory: a batch is written, then
forgotten, before the next is drawn.

Deterministic for a seed and a size: the city's places come from a generator of the seed, each
county's figures (its year shares, whether it is behind) from one of the seed and the county, and
each batch from one of the seed, the county and the batch's number. What the plan fixes for a
county (its people, its 2014 exits to the person, near its quota each year) is shared out among
its batches in proportion (what a batch falls short of carries to the next); what the demo fixes
for the city (the member changes of each kind, the relocations) among all batches the same way.
What spans counties (the pilots bringing households along, the relocations across counties) is
drawn once every county is, from a handful of candidates each batch set aside."""

import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from households.models import ChangeKind, ExitRecord, Household, PovertyCause, ReliefChannel, ReturnRecord
from plans.models import PLAN_YEARS, AnnexRow, PlanTarget, PovertyLine

from . import registry as demo
from .dynamics import CHANGES_AT_CITY_SIZE, RELOCATED_SHARE, Move, plan_years, settlements
from .projects import add_county_projects, add_pilots

# People a batch holds at most (its villages', a whole village at least): about a third of a
# gigabyte of unsaved records at its peak.
BATCH_PERSONS = 60_000
# Households of each county's first batch the pilot organisations may bring along (drawn at the end).
POOL = 40


def part(total: int, before: int, after: int, whole: int) -> int:
    """The share of `total` for the slice (before, after] of `whole`: the shares of all slices add
    up to `total` exactly, whatever their sizes."""
    return (2 * total * after + whole) // (2 * whole) - (2 * total * before + whole) // (2 * whole)


class Stream:
    """Runs five queries (counties, causes and channels, the annex, the plan's counts, the poverty
    lines); then `places()`, each of `batches()` and `across()` in that order, each written before
    the next is asked for (the later ones point at the earlier ones' records)."""

    def __init__(self, *, persons: int = demo.CITY_PERSONS, seed: int = 2015, batch_persons: int = BATCH_PERSONS):
        self.seed, self.persons, self.batch_persons = seed, persons, batch_persons
        self.causes = {c.code: c for c in PovertyCause.objects.all()}
        self.channels = {c.code: c for c in ReliefChannel.objects.all()}
        self.annex = {r.county_id: r for r in AnnexRow.objects.filter(county__isnull=False).select_related("county")}
        self.scale = persons / demo.CITY_PERSONS
        self.counts = {code: int(n) for code, n in
                       PlanTarget.objects.filter(code__startswith="count.").values_list("code", "amount")}
        self.lines = dict(PovertyLine.objects.filter(standard="national").values_list("year", "amount"))
        self.targets = {code: max(1, round(row.registered * self.scale)) for code, row in self.annex.items()}
        self.total = sum(self.targets.values())  # the persons the stream draws
        self.done = 0  # of them, drawn so far
        self.serial = 0
        # The city's changes of each kind, shared out among the batches; a batch's shortfall carries.
        self.wanted = {kind: max(1, round(n * self.scale)) for kind, n in CHANGES_AT_CITY_SIZE.items()}
        self.short: Counter = Counter()
        self.harsh = [0, 0]  # harsh-conditions households seen, and moved within their county
        self.candidates: list = []  # (household, exited in 2014): for the moves across counties
        self.pools: dict[str, list] = {}  # by county: households a pilot organisation may bring along
        self.settlements: dict[str, list] = {}
        self.villages: dict[str, list] = {}  # by township code

    def places(self) -> demo.Registry:
        """The townships and villages of every county, the places the plan counts flagged, the poor
        villages' own incomes and the settlement communities: a few thousand records at any size."""
        rng = random.Random(self.seed)
        registry = demo.Registry()
        for row in self.annex.values():
            demo.places(rng, registry, row.county, row)
        demo.flag_places(rng, registry, self.counts)
        demo.village_incomes(rng, registry)
        settlements(rng, registry)
        for s in registry.settlements:
            self.settlements.setdefault(s.township.county_id, []).append(s)
        for v in registry.villages:
            self.villages.setdefault(v.township.code, []).append(v)
        self.registry = registry
        return registry

    def county_batches(self, code: str) -> list[list]:
        """The county's villages in batches of about `batch_persons` people (by code: the same at any run)."""
        villages = sorted((v for v in self.registry.villages if v.code.startswith(code)), key=lambda v: v.code)
        per_village = max(1, self.targets[code] // len(villages))
        size = max(1, self.batch_persons // per_village)
        return [villages[i:i + size] for i in range(0, len(villages), size)]

    def batches(self) -> Iterator[tuple[str, demo.Registry]]:
        """Each county's batches in the annex's order: (the county's code, the batch's records)."""
        for code, row in self.annex.items():
            county_rng = random.Random(f"{self.seed}-{code}")
            target = self.targets[code]
            out_2014 = round(target * row.exited_2014 / row.registered)
            behind = county_rng.random() < 0.2
            quotas = {year: round(row.quota(year) * self.scale * (county_rng.uniform(0.78, 0.9) if behind
                                                                  else county_rng.uniform(0.97, 1.06)))
                      for year in PLAN_YEARS}
            groups = self.county_batches(code)
            used_ids: set[str] = set()  # a county's ID numbers begin with its code: unique within it
            carry: Counter = Counter()  # exits a batch fell short of, by year
            placed = 0
            for index, villages in enumerate(groups):
                rng = random.Random(f"{self.seed}-{code}-{index}")
                n = sum(len(g) for g in groups[:index])
                people = part(target, n, n + len(villages), sum(map(len, groups)))
                goals = {year: part(q, placed, placed + people, target) + carry[year]
                         for year, q in ((2014, out_2014), *quotas.items())}
                # Yielded, not kept: the batch is gone once the caller lets it go, before the next.
                yield code, self.batch(rng, row.county, villages, people, goals, used_ids, carry, first=index == 0)
                placed += people

    def batch(self, rng, county, villages, people, goals, used_ids, carry, *, first) -> demo.Registry:
        registry = demo.Registry()
        drawn = []
        placed = 0
        while placed < people:
            self.serial += 1
            h, ms = demo.household(rng, county, rng.choice(villages), self.serial, self.causes, used_ids,
                                   most=people - placed)
            drawn.append((h, ms))
            placed += len(ms)
        rng.shuffle(drawn)
        for year, short in events(rng, registry, drawn, goals).items():
            carry[year] = short
        for h, ms in drawn:
            registry.households.append(h)
            registry.members += ms
            if rng.random() < 0.3:
                other = rng.choice([c for c in demo.CAUSES if c != h.main_cause_id])
                registry.other_causes.append((h, self.causes[other]))
            registry.measures += demo.measures(rng, h, self.causes, self.channels)
        if first:
            code = county.code
            add_county_projects(rng, registry, county, self.channels,
                                townships=[t for t in self.registry.townships if t.county_id == code],
                                villages=[v for v in self.registry.villages if v.code.startswith(code)])
            self.pools[code] = rng.sample(registry.households, min(POOL, len(registry.households)))
        before, self.done = self.done, self.done + placed
        wanted = {kind: part(n, before, self.done, self.total) + self.short[kind] for kind, n in self.wanted.items()}
        # A split (分户) is a couple married in leaving: a batch owing one marries at least one in.
        wanted[ChangeKind.MARRY_IN] = max(wanted[ChangeKind.MARRY_IN], wanted[ChangeKind.SPLIT])
        self.serial, self.short = plan_years(rng, registry, wanted=wanted, serial=self.serial, lines=self.lines,
                                             used_ids=used_ids, moves=self.within_moves)
        return registry

    def within_moves(self, rng, registry, harsh: list, exited_2014: set) -> None:
        """Relocations into a settlement of the household's own county, a share of those living in
        harsh conditions (at least two in the city); two candidates of each kind set aside for the
        moves across counties."""
        self.harsh[0] += len(harsh)
        wanted = max(2, round(self.harsh[0] * RELOCATED_SHARE)) - self.harsh[1]
        within, rest = harsh[:wanted], harsh[wanted:]
        self.harsh[1] += len(within)
        for h in within:
            settlement = rng.choice(self.settlements[h.village.code[:6]])
            targets = [v for v in self.villages[settlement.township.code] if v is not h.village]
            registry.moves.append(Move(h, rng.choice(targets), settlement.name, settlement.year, "accepted"))
        self.candidates += [(h, True) for h in rest if id(h) in exited_2014][:2]
        self.candidates += [(h, False) for h in rest if id(h) not in exited_2014][:2]

    def across(self) -> demo.Registry:
        """What spans counties, once every county is written: the pilots (the villages and the
        organisations across the city, the households these bring along), and the relocations
        across counties: two accepted, one or two left pending, one refused."""
        rng = random.Random(f"{self.seed}-across")
        registry = demo.Registry()
        counties = [row.county for row in self.annex.values()]
        add_pilots(rng, registry, counties, self.registry.villages, self.pools, self.counts)
        rng.shuffle(self.candidates)
        exited = [h for h, out in self.candidates if out][:2]
        others = [h for h, out in self.candidates if not out]
        pending, refused = others[:2 if self.scale > 0.5 else 1], others[2 if self.scale > 0.5 else 1:][:1]
        codes = sorted(self.settlements)
        for h, outcome in [*((h, "accepted") for h in exited), *((h, "pending") for h in pending),
                           *((h, "refused") for h in refused)]:
            settlement = rng.choice(self.settlements[rng.choice([c for c in codes if c != h.village.code[:6]])])
            registry.moves.append(Move(h, rng.choice(self.villages[settlement.township.code]), settlement.name,
                                       settlement.year, outcome))
        return registry


def events(rng, registry, households, goals: dict[int, int]) -> dict[int, int]:
    """2014 exits to the goal exactly, then each year near its goal, and about one exited household
    in 40 falling back the next year. Returns by year what the batch fell short of."""
    pending = list(households)
    short = {}

    def exit_until(target, year, exact=False):
        done, fell_back = 0, []
        while pending and done < target:
            if exact and done + len(pending[-1][1]) > target:
                # The annex's 2014 figure met to the person: the next household out is one that
                # fills the gap (there is always a household of one, 五保 mostly, at worst).
                fits = [i for i, (_h, ms) in enumerate(pending) if len(ms) == target - done] or \
                       [i for i, (_h, ms) in enumerate(pending) if len(ms) < target - done]
                if not fits:
                    break
                pending.append(pending.pop(fits[-1]))
            h, ms = pending.pop()
            low = rng.random() < 0.005  # a deliberate finding: income below the line
            income = Decimal(rng.randrange(2000, 2700)) if low else Decimal(rng.randrange(3200, 6500))
            registry.exits.append(ExitRecord(household=h, year=year, persons=len(ms), income_per_capita=income,
                                             verified_by=f"{h.village.township.name}工作组"))
            h.status = Household.Status.EXITED
            done += len(ms)
            if year < 2018 and rng.random() < 0.025:
                registry.returns.append(ReturnRecord(household=h, year=year + 1, persons=len(ms), reason="因病返贫"))
                h.status = Household.Status.RETURNED
                fell_back.append((h, ms))
        pending[:0] = fell_back  # out again in a later year, if the quotas reach them
        short[year] = max(0, target - done)

    exit_until(goals[2014], 2014, exact=True)
    for year in PLAN_YEARS:
        exit_until(goals[year], year)
    return short
