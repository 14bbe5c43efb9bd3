"""Every write of the city's records of its actions (plans/models.py): the admin and the API call
these. The plan's own numbers (the annex, the targets) come from fixtures/ only. And the catch-up
and rebuild of the overview's kept figures (FigureTotal), which the readers and the seed call."""

from django.db import connection, transaction

from common.actors import person
from common.batches import id_ranges
from common.refusals import Refused
from households.models import Household, RegistryModel
from households.selectors import HOUSEHOLD_RANGE

from .access import may_keep_plan_records
from .figure_selectors import COLUMNS as FIGURE_COLUMNS
from .figure_selectors import household_parts, parts_added
from .models import FigureMark, FigureTotal, HouseholdFigure


def plan_record_gate(*, actor, model: type | None = None) -> None:
    """Refused unless the actor keeps the city's records (the API asks it before reading a write)."""
    if not may_keep_plan_records(actor):
        raise Refused("只有市农业局（农办）审核员可以修改计划记录")


def plan_record_save(*, actor, record: RegistryModel) -> RegistryModel:
    """Record or change one of the city's records of its actions; its rules live in its clean(). A
    poverty line changed marks every household (plans/models.py): the kept figures are counted again
    here, by the reviewer who changed it, not by the next one to open the overview."""
    plan_record_gate(actor=actor)
    with transaction.atomic():
        record.full_clean()
        record._history_user = person(actor)
        record.save()
    figures_catch_up()
    return record


def plan_record_delete(*, actor, record: RegistryModel) -> None:
    plan_record_gate(actor=actor)
    record._history_user = person(actor)
    record.delete()
    figures_catch_up()


# ---------------------------------------------------------------- the overview's kept figures

# Households counted again at a time: a few thousand households' rows in memory at once.
FIGURES_CHUNK = 5000


def figures_catch_up() -> int:
    """Runs a query when nothing was written since the last catch-up; else counts again the part of
    every household marked since (plans.models.FigureMark, by the database's triggers: see the models)
    and adds the differences to the kept figures, a few queries per FIGURES_CHUNK households; a null
    mark (a poverty line written, or a registry that had rows before the figures were kept) counts
    every household. Called by the readers before they read, and by the jobs that write many rows.
    Answers how many households were counted.

    On PostgreSQL the kept figures are locked against another catch-up (EXCLUSIVE lets reads through)
    before the marks are taken: the second waits, then finds what the first took gone. A mark is
    taken only once its writer has committed, so nothing written is counted before it stands."""
    if not FigureMark.objects.exists():
        return 0
    with transaction.atomic():
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {quote(FigureTotal._meta.db_table)} IN EXCLUSIVE MODE")
            cursor.execute(f"DELETE FROM {quote(FigureMark._meta.db_table)} RETURNING {quote('household_id')}")
            marked = {row[0] for row in cursor.fetchall()}
        if None in marked:
            return _figures_count_all()
        ids = sorted(marked)
        for start in range(0, len(ids), FIGURES_CHUNK):
            _figures_count_again(ids[start:start + FIGURES_CHUNK])
        return len(ids)


def figures_rebuild(*, actor) -> int:
    """The kept figures counted again from every household and written whole (`manage.py
    kept_figures --rebuild`; seed_demo, which writes with the marks off). Only by a superuser or the
    system. Answers how many households have a part."""
    if not actor.is_superuser:
        raise Refused("只有系统管理员可以重算各县年度数据")
    with transaction.atomic():
        FigureMark.objects.create(household_id=None)
        return figures_catch_up()


def _figures_count_again(ids: list[int]) -> None:
    old = dict(HouseholdFigure.objects.filter(household_id__in=ids).values_list("household_id", "parts"))
    new = household_parts(Household.objects.filter(pk__in=ids))
    HouseholdFigure.objects.filter(household_id__in=ids).delete()
    HouseholdFigure.objects.bulk_create([HouseholdFigure(household_id=pk, parts=p) for pk, p in new.items()])
    delta = parts_added(new.values(), into=parts_added(old.values(), sign=-1))
    delta = {key: figures for key, figures in delta.items() if any(figures.values())}
    kept = {(t.county, t.year): t for t in FigureTotal.objects.filter(
        county__in={c for c, _ in delta}, year__in={y for _, y in delta})}
    added = [FigureTotal(county=c, year=y) for c, y in delta if (c, y) not in kept]
    for total in [*kept.values(), *added]:
        for column, n in delta.get((total.county, total.year), {}).items():
            setattr(total, column, getattr(total, column) + n)
    FigureTotal.objects.bulk_update(list(kept.values()), FIGURE_COLUMNS)
    FigureTotal.objects.bulk_create(added)


def _figures_count_all() -> int:
    # In ranges of household ids, a range's rows at a time: bounded memory at any size.
    HouseholdFigure.objects.all().delete()
    FigureTotal.objects.all().delete()
    totals: dict[tuple[str, int], dict[str, int]] = {}
    for first, last in id_ranges(Household.objects.all(), HOUSEHOLD_RANGE):
        parts = household_parts(Household.objects.filter(pk__range=(first, last)))
        HouseholdFigure.objects.bulk_create([HouseholdFigure(household_id=pk, parts=p) for pk, p in parts.items()],
                                            batch_size=FIGURES_CHUNK)
        parts_added(parts.values(), into=totals)
    FigureTotal.objects.bulk_create([FigureTotal(county=c, year=y, **figures) for (c, y), figures in totals.items()])
    return HouseholdFigure.objects.count()
