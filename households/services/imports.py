"""The Excel import's one service: the rows a workbook holds in, the registry's answer out.

The workbook door (households/workbook/) only reads cells into values (SheetRow) and writes
workbooks; everything else is decided here: who may import where, how the rows group into
households, what is new, changed or unchanged (by the column map, layout.py), every rule of the
registry, and the problems keyed by sheet row and column."""

import copy
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Prefetch

from common.batches import gc_paused
from common.refusals import Refused

from .. import access
from ..layout import BY_KEY, HOUSEHOLD, HOUSEHOLD_FIELDS, MEMBER_FIELDS, WRITABLE
from ..models import Household, HouseholdIncome, Member
from .bulk import (
    InParts,
    field_defaults,
    many,
    registry_problems,
    unsaved,
)
from .closes import accepted_closes, household_years
from .copies import Ids, background_writes
from .helper_imports import HelperRow, HelperRowsInvalid, helper_assignments_import
from .import_report import ImportProblem, ImportReport, SheetRow
from .import_writes import Part, write_part


@dataclass
class _Group:
    """The rows of one household number."""

    number: str
    rows: list[int]
    values: dict  # the household's cells, of its first row
    cells: tuple = ()  # the same, in _grouped's order of the household's columns
    members: list[tuple[int, dict]] = field(default_factory=list)  # (sheet row, the row's cells)


_HOUSEHOLD_DEFAULTS = {**field_defaults(Household), "standard": Household.Standard.NATIONAL}
_MEMBER_DEFAULTS = field_defaults(Member)
_HOUSEHOLD_TAKES = {"number", *HOUSEHOLD_FIELDS}  # the keys of a row that are its household's fields
_MEMBER_TAKES = {"id_number", *MEMBER_FIELDS}
_KEYS = {"village": "village_id", "main_cause": "main_cause_id"}  # foreign keys by their codes


def import_gate(*, actor) -> None:
    """Refused unless the actor may import at all: it writes in some county."""
    if not access.counties_writable_by(actor).exists():
        raise Refused("您的角色不能导入贫困户")


def registry_import(*, actor, rows: Sequence[SheetRow] | Callable[[], Sequence[SheetRow]], dry_run: bool = False,
                    reason: str = "Excel导入", progress: Callable | None = None) -> ImportReport:
    """Imports a workbook's rows: households matched by 户编号, members within them by 公民身份号码;
    new ones created, changed ones updated, unchanged ones left alone (a second import of the same
    workbook writes nothing). Members the workbook does not list are kept. A blank optional cell
    keeps what the registry holds. The actor imports into the counties it may write in
    (access.counties_writable_by). All or nothing; the history names the actor and `reason`.
    `rows` may be a function that reads them: it is called once the actor may import at all, so
    that a refused actor's file is never read. `progress(done, total, stage)` is told on the way."""
    import_gate(actor=actor)
    with gc_paused():
        return _import(actor, rows, dry_run=dry_run, reason=reason, progress=progress)


# The households a part: checked, then sent to the server, which writes them while the next part
# is checked (copies.background_writes). Nothing is sent before it has passed every rule; a problem
# in a later part rolls back the parts sent before it.
PART = 1500


def _import(actor, rows, *, dry_run: bool, reason: str, progress) -> ImportReport:
    if callable(rows):
        rows = rows()
    report = ImportReport(rows=len(rows))
    tell = progress or (lambda done, total=None, stage=None: None)
    with transaction.atomic():
        # The registry's households of the workbook read (and locked) first, by their numbers: then
        # the rows are grouped, checked and written a part at a time (_grouped).
        last = {row.values["number"]: index for index, row in enumerate(rows) if row.values.get("number")}
        tell(0, len(last), "核对登记库")
        existing = _existing(list(last), lock=not dry_run, progress=tell)
        writable = set(access.counties_writable_by(actor).values_list("code", flat=True))
        frozen = accepted_closes()  # a few dozen county-years at most, read once
        numbers = {r.values["id_number"] for r in rows if r.values.get("id_number")}
        numbers.update(m.id_number for h in existing.values() for m in h.members.all())
        so_far = InParts(own=[h.pk for h in existing.values()])
        so_far.elsewhere(numbers)  # one query before the writer is busy (a part asks only for numbers its checks changed)
        drawn = None
        if connection.vendor == "postgresql" and not dry_run:  # the new records' ids, before the writer is busy
            new = {number for number in last if number not in existing}
            drawn = Ids({Household: len(new), Member: sum(r.values.get("number") in new for r in rows),
                         HouseholdIncome: len(new)})
        groups: dict[str, _Group] = {}
        whole = Part()
        tell(0, len(rows), "检查各行")
        with nullcontext() if dry_run else background_writes() as writer:
            for listed in _grouped(rows, report, groups, last=last, progress=tell):
                found = _instances(listed, existing, writable, frozen, report)
                _problems(report, registry_problems(households=found.households, members=found.members,
                                                    other_causes=found.pairs(), so_far=so_far))
                if writer and not report.problems:  # a new household's records are all in its part
                    write_part(actor, found.only(lambda h: id(h) in found.new), reason, writer, drawn)
                whole.extend(found)
            helpers = _helper_rows(groups, whole.households)
            if helpers and dry_run and not report.problems:
                # A dry run checks them with the households it would create as such; an import checks
                # them as it writes them, after the households (their rows then refused, all undone).
                known = _known(whole.households, new=whole.new)
                _helper_problems(report, lambda: helper_assignments_import(
                    actor=actor, rows=helpers, dry_run=True, reason=reason, known=known))
            if not (report.problems or dry_run):
                tell(len(rows), len(rows), "写入")
                # The registry's households as one set: a head handed over among them is ordered (write_part).
                write_part(actor, whole.only(lambda h: id(h) not in whole.new), reason, writer, drawn)
                if helpers:
                    # The helpers of the households as written (services/helper_imports.py): an
                    # assignment from today for each household whose helper the workbook changes.
                    known = _known(whole.households, new=whole.new)
                    _helper_problems(report, lambda: helper_assignments_import(
                        actor=actor, rows=helpers, reason=reason, known=known, writer=writer))
        if report.problems or dry_run:
            transaction.set_rollback(True)  # the parts written before a problem was found
            return report
    report.written = True
    return report


def _problems(report: ImportReport, problems: list) -> None:
    """registry_problems' findings by sheet row: a member the workbook does not list has no row,
    the problem is its household's."""
    for problem in problems:
        record = problem.record
        row = getattr(record, "_sheet_row", None) or getattr(getattr(record, "household", None), "_sheet_row", None)
        report.problems.append(ImportProblem(row, problem.field or "", problem.message))


# The helper rows' fields by the workbook's column keys. The registry workbook gives no start (the
# assignment starts on the import's day), so a start refused (an overlap) is told on the helper's name.
_HELPER_COLUMNS = {"household_number": "number", "name": "helper_name", "unit": "helper_unit",
                   "phone": "helper_phone", "started_on": "helper_name"}


def _helper_rows(groups: dict[str, _Group], households) -> list[HelperRow]:
    """A row for each household whose helper's name the workbook gives (a blank name keeps the
    registry's helper, as any blank optional cell), on the household's first row."""
    rows = []
    for household in households:
        values = groups[household.number].values
        if values.get("helper_name"):
            rows.append(HelperRow(household.number, str(values["helper_name"]), str(values.get("helper_unit") or ""),
                                  str(values.get("helper_phone") or ""), row=household._sheet_row))
    return rows


def _known(households, *, new: set[int]) -> dict[str, dict]:
    """The workbook's households as the helpers' import takes them without looking them up: their
    counties writable by the actor (_instances), `new` those the import creates (by id())."""
    return {h.number: {"pk": h.id, "county": h.village_id[:6], "status": h.status, "new": id(h) in new}
            for h in households}


def _helper_problems(report: ImportReport, run) -> None:
    try:
        result = run()
        report.helpers = {"new": result.assignments_new, "skip": result.unchanged}
    except HelperRowsInvalid as e:
        report.problems += [ImportProblem(p.row, _HELPER_COLUMNS[p.field], p.message) for p in e.problems]


def _grouped(rows: Sequence[SheetRow], report: ImportReport, groups: dict[str, _Group], *, last: dict[str, int],
             progress) -> Iterator[list[_Group]]:
    """The rows by household number into `groups`; the household's columns agree on each of its
    rows, and each required column is filled. Handed on PART households at a time, in the order
    the sheet first names them, each once its last row (`last`, by number) is read: a household's
    rows need not be together in the sheet."""
    required = [c.key for c in WRITABLE if c.required]
    filled = set(required)
    household_keys = [key for key, c in BY_KEY.items() if c.level == HOUSEHOLD]
    waiting: deque[_Group] = deque()  # named, in order, not yet handed on
    ready: list[_Group] = []
    for index, row in enumerate(rows):
        bad = bool(row.refused)
        values = row.values
        # issubset(): `<=` against keys() goes through the abc machinery, a fifth of this loop.
        if bad or not filled.issubset(values) or None in values.values() or "" in values.values():
            # Not the common row, every required column with a value: say what is wrong.
            report.problems += [ImportProblem(row.number, key, why) for key, why in row.refused.items()]
            for key in required:
                if values.get(key) in (None, "") and key not in row.refused:
                    report.problems.append(ImportProblem(row.number, key, "必填"))
                    bad = True
        number = values.get("number")
        if number:
            # The household's cells in one order, a tuple compared in C with its first row's; a
            # blank one on a later row takes the first row's.
            cells = tuple(map(values.get, household_keys))
            group = groups.get(number)
            if group is None:
                household = {key: value for key, value in zip(household_keys, cells) if value is not None}
                groups[number] = group = _Group(number, [], household, cells=cells)
                waiting.append(group)
            elif cells != group.cells:
                for key, value, first in zip(household_keys, cells, group.cells):
                    if value is not None and value != first:
                        report.problems.append(ImportProblem(
                            row.number, key, f"同一户各行的“{BY_KEY[key].header}”应相同（第 {group.rows[0]} 行不同）"))
                        bad = True
            group.rows.append(row.number)
            if not bad:
                group.members.append((row.number, row.values))  # _member() takes the member's cells
        while waiting and last[waiting[0].number] <= index:
            ready.append(waiting.popleft())
            if len(ready) == PART:
                yield ready
                ready = []
        if (index + 1) % 5000 == 0:
            progress(index + 1, len(rows))
    if ready:
        yield ready


def _existing(numbers: list[str], *, lock: bool, progress) -> dict[str, Household]:
    """The registry's households of these numbers with their members and causes, locked (when
    writing) until the import ends, so that two imports or an import and a clerk's edit of the same
    household are serialized: the second sees what the first wrote."""
    existing: dict[str, Household] = {}
    numbers = sorted(numbers)
    for start in range(0, len(numbers), 5000):
        chunk = Household.objects.filter(number__in=many(numbers[start:start + 5000], "text"))
        if lock:  # in the numbers' order, so that two imports cannot lock each other out
            chunk = chunk.select_for_update(of=("self",)).order_by("number")
        # The members present: one who has left (成员变动) stays on record, outside the sheet.
        present = Member.objects.filter(left_on__isnull=True).order_by("id")
        chunk = chunk.prefetch_related(Prefetch("members", queryset=present), "other_causes")
        existing.update((h.number, h) for h in chunk)
        progress(min(start + 5000, len(numbers)), len(numbers), "核对登记库")
    return existing


def _instances(groups: list[_Group], existing: dict[str, Household], writable: set[str], frozen: dict,
               report: ImportReport):
    """Model instances: new ones, and copies of the registry's (`existing`) with the workbook's
    values, each knowing its sheet row; which of them are new or changed (`write`, by id()), the new
    secondary causes of the households whose set changes (by id()), and the new households (by id())."""
    refused_before = {p.row for p in report.problems}
    part = Part()
    households, members, write, causes, new = part.households, part.members, part.write, part.causes, part.new
    counted_changes: list[tuple[Household, Household, int, str]] = []  # (current, new, row, column)
    for group in groups:
        first = group.rows[0]
        if any(r in refused_before for r in group.rows):
            continue  # its own cells are wrong: the rest of its checks would only repeat them
        current = existing.get(group.number)
        village = group.values.get("village") or (current.village_id if current else "")
        if current is not None and current.county_code not in writable:
            report.problems.append(ImportProblem(first, "number", "该户编号属于你无权修改的县(市、区)的贫困户"))
            continue
        if current is not None and village != current.village_id:
            # A move is a transfer (迁移), never a changed cell: each row of the household says so.
            report.problems += [ImportProblem(r, "village", f"贫困户所在村不能通过导入修改（登记为 {current.village_id}）；"
                                              "请办理迁移（迁出，由迁入县接收）") for r in group.rows]
            continue
        if village[:6] not in writable:
            report.problems.append(ImportProblem(first, "village", "只能导入本人负责的县(市、区)的贫困户"))
            continue
        figure = group.values.get("income_per_capita")
        if current is not None and figure is not None and figure != current.income_per_capita:
            # The latest year's figure (年度收入): it changes through the income records.
            report.problems.append(ImportProblem(first, "income_per_capita",
                                                 f"人均纯收入为最近年度收入记录的{current.income_per_capita}元，"
                                                 "不能由导入修改；请通过年度收入修改"))
            continue
        household = _household(group, current)
        household._sheet_row = first
        if current is None and (village[:6], household.identified_year) in frozen:
            # A household identified in an accepted year (services/closes.py).
            report.problems.append(ImportProblem(first, "identified_year",
                                                 frozen[village[:6], household.identified_year]))
            continue
        households.append(household)
        if current is None:
            new.add(id(household))
        changed = current is None or any(getattr(household, _KEYS.get(k, k)) != getattr(current, _KEYS.get(k, k))
                                         for k in HOUSEHOLD_FIELDS)
        counted = [] if current is None else [k for k in COUNTED
                                              if getattr(household, _KEYS.get(k, k)) != getattr(current, _KEYS.get(k, k))]
        if "other_causes" in group.values:
            wanted = group.values["other_causes"]
            if current is None or sorted(c.pk for c in current.other_causes.all()) != wanted:
                causes[id(household)] = wanted
                changed = True
                counted.append("other_causes")
        present = {m.id_number: m for m in current.members.all()} if current else {}
        if current is not None and any(values["id_number"] not in present for _row, values in group.members):
            counted.append("id_number")  # a person added without a date: counted since identification
        if counted and frozen:
            counted_changes.append((current, household, first, counted[0]))
        if changed:
            write.add(id(household))
        report.households["new" if current is None else "update" if changed else "skip"] += 1
        listed = set()
        for row, values in group.members:
            old = present.get(values["id_number"])
            member = _member(values, household, old)
            member._sheet_row = row
            listed.add(values["id_number"])
            members.append(member)
            member_changed = old is None or any(getattr(member, k) != getattr(old, k) for k in MEMBER_FIELDS)
            if member_changed:
                write.add(id(member))
            action = "new" if old is None else "update" if member_changed else "skip"
            report.members[action] += 1
            report.actions[row] = "update" if action == "skip" and changed else action
        for number, old in present.items():
            if number not in listed:  # kept as it is, and counted in its household's member set
                kept = _copy(old)
                kept.household = household
                members.append(kept)
    _frozen_changes(counted_changes, frozen, report)
    return part


# What a household is counted by (services/households.py's COUNTED), by the sheet's column keys.
COUNTED = ("identified_year", "category", "main_cause", "standard")


def _frozen_changes(changes, frozen: dict, report: ImportReport) -> None:
    """Runs two queries a changed household, only while some county-year is accepted and only for
    households whose counted values change: refused where a year it is counted in is accepted
    (closes.household_guard's rule)."""
    for current, household, row, column in changes:
        years = household_years(current.pk, current.county_code, current.identified_year)
        years.add((current.county_code, household.identified_year))
        hit = sorted(years & frozen.keys())
        if hit:
            report.problems.append(ImportProblem(row, column, frozen[hit[0]]))


def _household(group: _Group, current: Household | None) -> Household:
    values = {_KEYS.get(k, k): v for k, v in group.values.items() if k in _HOUSEHOLD_TAKES}
    if current is None:
        return unsaved(Household, values, _HOUSEHOLD_DEFAULTS)
    household = _copy(current)
    for key, value in values.items():
        setattr(household, key, value)
    return household


def _member(values: dict, household: Household, old: Member | None) -> Member:
    values = {k: v for k, v in values.items() if k in _MEMBER_TAKES}
    if old is None:
        values["household_id"], values["active"] = household.id, household.status != Household.Status.REMOVED
        return unsaved(Member, values, _MEMBER_DEFAULTS, household=household)
    member = _copy(old)
    member.household = household
    for key, value in values.items():
        setattr(member, key, value)
    return member


def _copy(instance):
    """A detached copy to change, so the registry's copy stays what it was (for the comparison)."""
    clone = copy.copy(instance)
    clone._state = copy.copy(instance._state)
    clone._state.fields_cache = {}
    return clone
