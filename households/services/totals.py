"""The kept exits and returns of each county and year (households.models.EventTotal, issue 21 point 2),
added to by every service that writes an exit or a return, in its transaction: records.py (an exit
or return recorded, corrected or taken back; the admin's, the API's and the workflows' doors all come
through it) and bulk.py (imports and the demo registry). A transfer moves no record: an exit stays
counted for the county where it was recorded (transfers.py), so it changes no total."""

from collections.abc import Iterable, Mapping

from django.db import connection, transaction

from common.refusals import Refused

from ..models import TOTAL_KINDS, EventTotal, HouseholdEvent
from ..total_selectors import COLUMNS, KIND_OF, events_counted


def totals_add(kind: str, deltas: Mapping[tuple[str, int], tuple[int, int]]) -> None:
    """Runs a query (none for no change; one more for each county-year taken from). Adds
    (households, persons) to `kind` ("exited" or "returned") of each (county code, year).

    What is added goes in by one INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n, which creates
    the rows it lacks: the database adds to the row as it stands when the writer gets its lock, so two
    clerks' exits of one county and year, committed at the same moment, both count (a read, then a
    write of the sum, would lose one). What is taken away (a record taken back) by an UPDATE SET
    n = n + delta of the row its record was added to: an INSERT of a negative count would break the
    table's check before it met the row. The rows go in the order of their key, so two bulk writes
    lock them in the same order and never deadlock."""
    assert kind in TOTAL_KINDS, kind
    rows = [(county, year, households, persons)
            for (county, year), (households, persons) in sorted(deltas.items()) if households or persons]
    quote = connection.ops.quote_name
    table = quote(EventTotal._meta.db_table)
    added = [quote(f"{kind}_households"), quote(f"{kind}_persons")]
    key = f"{quote('county_id')}, {quote('year')}"
    adding = [row for row in rows if row[2] >= 0 and row[3] >= 0]
    with connection.cursor() as cursor:
        if adding:
            others = [quote(c) for c in COLUMNS if not c.startswith(f"{kind}_")]
            update = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in added)
            cursor.execute(
                f"INSERT INTO {table} ({key}, {', '.join([*added, *others])}) "
                f"VALUES {', '.join(['(%s, %s, %s, %s, 0, 0)'] * len(adding))} "
                f"ON CONFLICT ({key}) DO UPDATE SET {update}",
                [value for row in adding for value in row],
            )
        for county, year, households, persons in (row for row in rows if row not in adding):
            cursor.execute(f"UPDATE {table} SET {added[0]} = {added[0]} + %s, {added[1]} = {added[1]} + %s "
                           f"WHERE {quote('county_id')} = %s AND {quote('year')} = %s",
                           [households, persons, county, year])


def totals_of(records: Iterable[HouseholdEvent], *, sign: int = 1) -> dict[str, dict[tuple[str, int], list[int]]]:
    """No query. What records of either kind add to (sign 1) or take from (sign −1) the totals, by
    kind and (county, year): the records must know their county (set when they are recorded)."""
    deltas: dict[str, dict[tuple[str, int], list[int]]] = {}
    for record in records:
        entry = deltas.setdefault(KIND_OF[type(record)], {}).setdefault((record.county_id, record.year), [0, 0])
        entry[0] += sign
        entry[1] += sign * record.persons
    return deltas


def totals_add_records(records: Iterable[HouseholdEvent], *, sign: int = 1) -> None:
    """Runs a query for each kind of record given. The records added to (or with sign −1 taken from)
    the totals."""
    for kind, deltas in totals_of(records, sign=sign).items():
        totals_add(kind, {key: tuple(value) for key, value in deltas.items()})


def event_totals_rebuild(*, actor) -> dict[str, int]:
    """Runs a few queries. The totals counted again from the records and written whole (the migration
    that made them filled them so; the command `event_totals --rebuild` after a write that went round
    the services): the rows that differ are set to the records' figures, the rows of county-years
    without records deleted. Only by a superuser or the system. On PostgreSQL the table is locked
    against the services' additions first (EXCLUSIVE lets reads through): a write waiting on it adds
    its record to the recount's figures, which did not see it; one that went before is in the recount.
    Answers how many rows were added, changed and deleted."""
    if not actor.is_superuser:
        raise Refused("只有系统管理员可以重建脱贫返贫合计")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(EventTotal._meta.db_table)} IN EXCLUSIVE MODE")
        counted = events_counted()
        kept = {(t.county_id, t.year): t for t in EventTotal.objects.all()}
        added = [EventTotal(county_id=county, year=year, **figures)
                 for (county, year), figures in counted.items() if (county, year) not in kept]
        changed = []
        for key, total in kept.items():
            figures = counted.get(key)
            if figures is not None and any(getattr(total, c) != figures[c] for c in COLUMNS):
                for column in COLUMNS:
                    setattr(total, column, figures[column])
                changed.append(total)
        gone = [t.pk for key, t in kept.items() if key not in counted]
        EventTotal.objects.bulk_create(added)
        EventTotal.objects.bulk_update(changed, COLUMNS)
        EventTotal.objects.filter(pk__in=gone).delete()
    return {"added": len(added), "changed": len(changed), "deleted": len(gone)}

