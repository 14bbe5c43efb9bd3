"""The demo's helpers (帮扶责任人, issue 20 point 6), written once the registry and its changes are:
in each county, cadres of the county's units (扶贫办, 农业局, 教育局, …) answering for its
households (the exited ones too: 脱贫不脱帮扶), most of them about five each, one or two above the
bureau's ceiling (HELPER_HOUSEHOLD_CEILING); about one active household in twenty without a helper
(every other one left by a helper who was transferred); about one in eight whose helper was
replaced (the old assignment closed with its reason); and the helpers' visits, most households
visited within the last HELPER_VISIT_DAYS days, some not for longer, some never since their helper
started. So each of the helpers' reports shows something. Written county by county, in batches of
villages, by COPY where the database is PostgreSQL.

Dated back from the day the demo is written, since the reports are of today: the same seed gives
the same helpers, assignments and visits on the same day. Drawn with a generator of its own made
from the seed, so that the rest of a seed's registry stays what it was. In bulk, with history."""

import datetime
import random
from collections import Counter

from django.conf import settings
from django.db.models import Count

from households.helper_selectors import ACTIVE
from households.models import County, Helper, HelperAssignment, HelperVisit, Household
from households.services.bulk import field_defaults, insert_with_history, link, unsaved

from .names import GIVEN, SURNAMES

UNITS = ["扶贫办", "农业局", "教育局", "卫计局", "人社局", "民政局", "住建局", "林业局", "水利局", "交通运输局"]
POSTS = {"county_leader": ["副县长", "局长"], "section": ["副局长", "科长", "股长"], "cadre": ["科员", "办事员", ""]}
REASONS = ["工作调动", "退休", "职务变动", "帮扶对象调整"]
FOUND = ["了解家庭收入和生产情况", "核实两不愁三保障情况", "了解医疗报销进度", "了解子女就学情况", "宣讲扶贫政策"]
DONE = ["协调落实产业扶持资金", "帮助申请医疗救助", "对接就业岗位", "联系教育资助", ""]
PER_HELPER = 5  # the households a helper answers for, mostly
GAP, REPLACED, OVERDUE, NEVER = 0.05, 0.12, 0.15, 0.05  # of the active households
BATCH = 40_000  # households a batch of villages holds, about (a whole village at least)
_ASSIGNMENT, _VISIT = field_defaults(HelperAssignment), field_defaults(HelperVisit)


def seeded(seed: int) -> random.Random:
    """The helpers' own generator for a seed of the demo."""
    return random.Random(f"helpers-{seed}")


def add_helpers(rng: random.Random, *, today: datetime.date, progress=None) -> dict[str, int]:
    """Writes the helpers, their assignments and visits by county, and within a county in batches
    of villages (a query for each), with their history, in bounded memory at any size. Every
    household not removed (清退) has had a helper: the exited ones keep theirs (脱贫不脱帮扶); in
    each batch a few active ones (在册, 返贫) have none now, and of the others some are overdue for
    a visit and some never visited. Returns the counts by model, and how many households were left
    without a helper (`gaps`), helpers above the ceiling (`over_ceiling`) and assignments closed
    (`replaced`). `progress(done, total)` hears of each batch written."""
    names = dict(County.objects.values_list("code", "name"))
    standing = Household.objects.exclude(status=Household.Status.REMOVED)
    villages: dict[str, list[tuple[str, int]]] = {}
    for village, n in standing.order_by("village_id").values_list("village_id").annotate(n=Count("pk")):
        villages.setdefault(village[:6], []).append((village, n))
    total, done = sum(n for vs in villages.values() for _v, n in vs), 0
    counts: Counter = Counter()
    for code, county_villages in sorted(villages.items()):
        taken: set = set()  # the county's helpers' (name, unit)
        for index, batch in enumerate(_batches(county_villages)):
            rows = standing.filter(village_id__in=batch).order_by("pk").values_list("pk", "status")
            counts.update(_batch(rng, code, names[code], list(rows), today=today, taken=taken, first=index == 0))
            done += sum(n for v, n in county_villages if v in batch)
            if progress:
                progress(done, total)
    return dict(counts)


def _batches(villages: list[tuple[str, int]]) -> list[list[str]]:
    """The villages in batches of about BATCH households (a whole village at least)."""
    batches, households = [[]], 0
    for village, n in villages:
        if batches[-1] and households + n > BATCH:
            batches.append([])
            households = 0
        batches[-1].append(village)
        households += n
    return batches


def _batch(rng, code: str, county_name: str, rows: list, *, today, taken: set, first: bool) -> Counter:
    """The helpers of a batch of a county's households (`rows`: pk and status), written. One or two
    above the ceiling in the county's first batch, where it has households enough."""
    active = [pk for pk, status in rows if status in ACTIVE]
    exited = [pk for pk, status in rows if status not in ACTIVE]
    ceiling = settings.HELPER_HOUSEHOLD_CEILING
    plan = []  # (household pk, the helpers it had, oldest first, whether current, visits)
    counts = Counter()
    rng.shuffle(active)
    gaps = max(2 if len(active) > 4 else 1, round(len(active) * GAP)) if active else 0
    left, active = active[:gaps], active[gaps:]
    # The active households' visits by position: the first few overdue, then a few never visited.
    overdue, never = (max(1, round(len(active) * OVERDUE)), max(1, round(len(active) * NEVER))) \
        if len(active) > 2 else (0, 0)
    modes = {pk: "overdue" if i < overdue else "never" if i < overdue + never else "recent"
             for i, pk in enumerate(active)}
    modes |= {pk: rng.choices(["recent", "overdue", "never"], [80, 15, 5])[0] for pk in exited}
    served = active + exited
    rng.shuffle(served)
    counts["gaps"] += len(left)
    team = _helpers(rng, code, county_name, max(2, len(served) // PER_HELPER + 1), taken)
    # One or two helpers carry more than the ceiling, where the county has households enough.
    heavy = [] if not first else team[:2] if len(served) > 4 * (ceiling + 3) else \
        team[:1] if len(served) > 2 * (ceiling + 3) else []
    counts["over_ceiling"] += len(heavy)
    carried = [h for h in heavy for _ in range(ceiling + rng.randint(1, 4))]
    others = team[len(heavy):] or team
    place = {id(h): i for i, h in enumerate(team)}
    for i, pk in enumerate(served):
        helper = carried[i] if i < len(carried) else rng.choice(others)
        earlier = []
        if rng.random() < REPLACED:  # by another of the team, any but this one (a team has two at least)
            other = rng.randrange(len(team) - 1)
            earlier = [team[other if other < place[id(helper)] else other + 1]]
        plan.append((pk, [*earlier, helper], True, modes[pk]))
    for n, pk in enumerate(left):  # every other one's helper was transferred, nobody named yet
        if n % 2 == 0:
            plan.append((pk, [rng.choice(team)], False, "recent"))
    insert_with_history(team, Helper)
    assignments, visits_of = [], []
    for pk, chain, current, mode in plan:
        end = today if current else today - datetime.timedelta(days=rng.randint(10, 200))
        for n, (helper, (start, stop)) in enumerate(zip(chain, _periods(rng, len(chain), end=end))):
            last = n == len(chain) - 1
            ended = None if (last and current) else stop
            reason = "" if ended is None else ("工作调动，待安排新的帮扶责任人" if last else rng.choice(REASONS))
            assignment = unsaved(HelperAssignment, {"household_id": pk, "started_on": start, "ended_on": ended,
                                                    "reason": reason}, _ASSIGNMENT, helper=helper)
            assignments.append(assignment)
            visits_of.append((assignment, mode if (last and current) else "past"))
    link(assignments, "helper")
    insert_with_history(assignments, HelperAssignment)
    visits = [v for assignment, mode in visits_of for v in _visits(rng, assignment, mode=mode, today=today)]
    link(visits, "assignment")
    insert_with_history(visits, HelperVisit)
    counts.update(helper=len(team), helperassignment=len(assignments), helpervisit=len(visits),
                  replaced=sum(a.ended_on is not None for a in assignments))
    return counts


def _helpers(rng, code: str, county_name: str, n: int, taken: set) -> list[Helper]:
    """`n` cadres of the county's units, each name unique within its unit (the workbook's key): not
    among those `taken` already."""
    team = []
    while len(team) < n:
        unit = f"{county_name}{rng.choice(UNITS)}"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if (name, unit) in taken:
            # A third character: a county's two-character names in its ten units (111,090) run out
            # at ten million people, where one county needs some 150,000 helpers.
            name += rng.choice(GIVEN)
            if (name, unit) in taken:
                continue
        taken.add((name, unit))
        level = rng.choices(list(POSTS), weights=[1, 5, 14])[0]
        team.append(Helper(name=name, unit=unit, post=rng.choice(POSTS[level]), level=level, county_id=code,
                           phone=f"13{rng.randint(0, 9)}{rng.randrange(10**8):08d}"))
    return team


def _periods(rng, n: int, *, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """`n` back-to-back periods ending on `end`, the last one 100 to 1,000 days long (a new helper
    may still be waiting for a first visit), the earlier ones a year or more."""
    periods, stop = [], end
    for i in range(n):
        start = stop - datetime.timedelta(days=rng.randint(100, 1000) if i == 0 else rng.randint(300, 900))
        periods.insert(0, (start, stop))
        stop = start - datetime.timedelta(days=1)
    return periods


def _visits(rng, assignment: HelperAssignment, *, mode: str, today: datetime.date) -> list[HelperVisit]:
    """A current helper's visits as `mode` says: the last within HELPER_VISIT_DAYS days (recent),
    longer ago (overdue; on the first day, for a helper who started since), or none (never); a past
    helper's (past), one to three within their period."""
    start, stop = assignment.started_on, assignment.ended_on or today
    days = settings.HELPER_VISIT_DAYS
    if mode == "never":
        return []
    if mode == "past":
        last = start + datetime.timedelta(days=rng.randint(0, (stop - start).days))
    else:
        back = rng.randint(days + 1, days + 300) if mode == "overdue" else rng.randint(1, days - 5)
        last = max(start, today - datetime.timedelta(days=back))
    earlier = (start + datetime.timedelta(days=rng.randint(0, (last - start).days)) for _ in range(rng.randint(0, 2)))
    return [unsaved(HelperVisit, {"visited_on": on, "kind": rng.choices(["home", "phone", "other"], [7, 2, 1])[0],
                                  "found": rng.choice(FOUND), "done": rng.choice(DONE)}, _VISIT, assignment=assignment)
            for on in sorted({last, *earlier})]
