"""The demo's helpers (帮扶责任人, issue 20 point 6), written once the registry and its changes are:
in each county, cadres of the county's units (扶贫办, 农业局, 教育局, …) answering for its
households (the exited ones too: 脱贫不脱帮扶), most of them about five each, one or two above the
bureau's ceiling (HELPER_HOUSEHOLD_CEILING); about one active household in twenty without a helper
(every other one left by a helper who was transferred); about one in eight whose helper was
replaced (the old assignment closed with its reason); and the helpers' visits, most households
visited within the last HELPER_VISIT_DAYS days, some not for longer, some never since their helper
started. So each of the helpers' reports shows something.

Dated back from the day the demo is written, since the reports are of today: the same seed gives
the same helpers, assignments and visits on the same day. Drawn with a generator of its own made
from the seed, so that the rest of a seed's registry stays what it was. In bulk, with history."""

import datetime
import random

from django.conf import settings
from simple_history.utils import bulk_create_with_history

from households.helper_selectors import ACTIVE
from households.models import County, Helper, HelperAssignment, HelperVisit, Household

from .names import GIVEN, SURNAMES

UNITS = ["扶贫办", "农业局", "教育局", "卫计局", "人社局", "民政局", "住建局", "林业局", "水利局", "交通运输局"]
POSTS = {"county_leader": ["副县长", "局长"], "section": ["副局长", "科长", "股长"], "cadre": ["科员", "办事员", ""]}
REASONS = ["工作调动", "退休", "职务变动", "帮扶对象调整"]
FOUND = ["了解家庭收入和生产情况", "核实两不愁三保障情况", "了解医疗报销进度", "了解子女就学情况", "宣讲扶贫政策"]
DONE = ["协调落实产业扶持资金", "帮助申请医疗救助", "对接就业岗位", "联系教育资助", ""]
PER_HELPER = 5  # the households a helper answers for, mostly
GAP, REPLACED, OVERDUE, NEVER = 0.05, 0.12, 0.15, 0.05  # of the active households


def seeded(seed: int) -> random.Random:
    """The helpers' own generator for a seed of the demo."""
    return random.Random(f"helpers-{seed}")


def add_helpers(rng: random.Random, *, today: datetime.date) -> dict[str, int]:
    """Runs two queries, then writes the helpers, their assignments and visits in bulk with their
    history. Every household not removed (清退) has had a helper: the exited ones keep theirs
    (脱贫不脱帮扶); in each county a few active ones (在册, 返贫) have none now, and of the others
    some are overdue for a visit and some never visited. Returns the counts by model, and how many
    households were left without a helper (`gaps`), helpers above the ceiling (`over_ceiling`) and
    assignments closed (`replaced`)."""
    names = dict(County.objects.values_list("code", "name"))
    counties: dict[str, tuple[list[int], list[int]]] = {}
    for pk, village, status in (Household.objects.exclude(status=Household.Status.REMOVED).order_by("pk")
                                .values_list("pk", "village_id", "status")):
        counties.setdefault(village[:6], ([], []))[0 if status in ACTIVE else 1].append(pk)
    ceiling = settings.HELPER_HOUSEHOLD_CEILING
    helpers, plan = [], []  # plan: (household pk, the helpers it had, oldest first, whether current, visits)
    counts = {"gaps": 0, "over_ceiling": 0}
    for code, (active, exited) in sorted(counties.items()):
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
        team = _helpers(rng, code, names[code], max(2, len(served) // PER_HELPER + 1))
        helpers += team
        # One or two helpers carry more than the ceiling, where the county has households enough.
        heavy = team[:2] if len(served) > 4 * (ceiling + 3) else team[:1] if len(served) > 2 * (ceiling + 3) else []
        counts["over_ceiling"] += len(heavy)
        carried = [h for h in heavy for _ in range(ceiling + rng.randint(1, 4))]
        others = team[len(heavy):] or team
        for i, pk in enumerate(served):
            helper = carried[i] if i < len(carried) else rng.choice(others)
            replaced_by = [h for h in team if h is not helper]
            earlier = [rng.choice(replaced_by)] if replaced_by and rng.random() < REPLACED else []
            plan.append((pk, [*earlier, helper], True, modes[pk]))
        for n, pk in enumerate(left):  # every other one's helper was transferred, nobody named yet
            if n % 2 == 0:
                plan.append((pk, [rng.choice(team)], False, "recent"))
    bulk_create_with_history(helpers, Helper, batch_size=2000)
    assignments, visits_of = [], []
    for pk, chain, current, mode in plan:
        end = today if current else today - datetime.timedelta(days=rng.randint(10, 200))
        for n, (helper, (start, stop)) in enumerate(zip(chain, _periods(rng, len(chain), end=end))):
            last = n == len(chain) - 1
            ended = None if (last and current) else stop
            reason = "" if ended is None else ("工作调动，待安排新的帮扶责任人" if last else rng.choice(REASONS))
            assignment = HelperAssignment(household_id=pk, helper=helper, started_on=start, ended_on=ended,
                                          reason=reason)
            assignments.append(assignment)
            visits_of.append((assignment, mode if (last and current) else "past"))
    bulk_create_with_history(assignments, HelperAssignment, batch_size=2000)
    visits = [v for assignment, mode in visits_of for v in _visits(rng, assignment, mode=mode, today=today)]
    bulk_create_with_history(visits, HelperVisit, batch_size=2000)
    counts.update(helper=len(helpers), helperassignment=len(assignments), helpervisit=len(visits),
                  replaced=sum(a.ended_on is not None for a in assignments))
    return counts


def _helpers(rng, code: str, county_name: str, n: int) -> list[Helper]:
    """`n` cadres of the county's units, each name unique within its unit (the workbook's key)."""
    team, taken = [], set()
    while len(team) < n:
        unit = f"{county_name}{rng.choice(UNITS)}"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
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
    return [HelperVisit(assignment=assignment, visited_on=on, kind=rng.choices(["home", "phone", "other"], [7, 2, 1])[0],
                        found=rng.choice(FOUND), done=rng.choice(DONE)) for on in sorted({last, *earlier})]
