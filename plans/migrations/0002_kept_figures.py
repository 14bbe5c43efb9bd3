"""The overview's figures kept (issue 21 point 2; plans/models.py): the tables, then the triggers that
mark a household whenever one of its rows is written, and a mark of every household where the
registry already has some (the first catch-up, or `manage.py kept_figures --rebuild`, counts them)."""

import django.core.validators
from django.db import migrations, models

# The tables whose rows make a household's figures, and the column that names the household: a write
# to any marks it. A poverty line's write marks every household (a null mark): the bands move.
MARKED = {
    "households_household": "id",
    "households_member": "household_id",
    "households_exitrecord": "household_id",
    "households_returnrecord": "household_id",
    "households_transfer": "household_id",
    "households_householdincome": "household_id",
    "plans_povertyline": None,
}

# PostgreSQL: one trigger a statement, reading the statement's rows as transition tables (a COPY of a
# hundred thousand members adds one INSERT … SELECT DISTINCT, not a hundred thousand). A session
# that writes the whole registry and counts it after (seed_demo) turns the marks off for its
# transaction: SET LOCAL fupin.figures_unmarked = 'on'.
PG_FUNCTION = """
CREATE FUNCTION plans_figures_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fupin.figures_unmarked', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_NARGS = 0 THEN
        INSERT INTO plans_figuremark (household_id) VALUES (NULL);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('INSERT INTO plans_figuremark (household_id) SELECT DISTINCT %I FROM new_rows', TG_ARGV[0]);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('INSERT INTO plans_figuremark (household_id) SELECT DISTINCT %I FROM old_rows', TG_ARGV[0]);
    END IF;
    RETURN NULL;
END $$;
"""


# A line marks every household only when it changes: loading the reference data again rewrites the
# lines as they were (an UPDATE of each row), which must not make the next reader count the registry.
LINE_CHANGED = {
    "postgresql": "OLD.year IS DISTINCT FROM NEW.year OR OLD.standard IS DISTINCT FROM NEW.standard "
                  "OR OLD.amount IS DISTINCT FROM NEW.amount",
    "sqlite": "OLD.year IS NOT NEW.year OR OLD.standard IS NOT NEW.standard OR OLD.amount IS NOT NEW.amount",
}


def _pg_triggers(table, column):
    # TRUNCATE (…CASCADE, as a bench empties the registry) fires no row or statement trigger of the
    # other events: it marks every household.
    truncate = (f"CREATE TRIGGER {table}_figures_truncate AFTER TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION plans_figures_mark()")
    if column is None:
        return [
            truncate,
            f"CREATE TRIGGER {table}_figures_insert AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION plans_figures_mark()",
            f"CREATE TRIGGER {table}_figures_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({LINE_CHANGED['postgresql']}) EXECUTE FUNCTION plans_figures_mark()",
        ]
    # A trigger with transition tables serves one event (PostgreSQL refuses OLD TABLE on INSERT).
    return [
        truncate,
        f"CREATE TRIGGER {table}_figures_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION plans_figures_mark('{column}')",
        f"CREATE TRIGGER {table}_figures_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION plans_figures_mark('{column}')",
        f"CREATE TRIGGER {table}_figures_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION plans_figures_mark('{column}')",
    ]


def _sqlite_triggers(table, column):
    # SQLite has row triggers only; its registries are small.
    rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
    when = {"update": f" WHEN {LINE_CHANGED['sqlite']}"} if column is None else {}
    return [
        f"CREATE TRIGGER {table}_figures_{event} AFTER {event.upper()} ON {table}{when.get(event, '')} BEGIN "
        + " ".join(f"INSERT INTO plans_figuremark (household_id) VALUES ({f'{row}.{column}' if column else 'NULL'});"
                   for row in (rows[event] if column else [None]))
        + " END"
        for event in rows
    ]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [PG_FUNCTION] if vendor == "postgresql" else []
    for table, column in MARKED.items():
        statements += _pg_triggers(table, column) if vendor == "postgresql" else _sqlite_triggers(table, column)
    for sql in statements:
        schema_editor.execute(sql, None)  # no parameters: the function's %I is format()'s
    if apps.get_model("households", "Household").objects.exists():
        apps.get_model("plans", "FigureMark").objects.create(household_id=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in MARKED:
        for name in (f"figures_{event}" for event in ("insert", "update", "delete", "truncate")):
            on = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name}{on}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS plans_figures_mark() CASCADE")  # and any trigger left on it


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0016_event_totals'),
        ('plans', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='FigureMark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('household_id', models.BigIntegerField(null=True)),
            ],
            options={
                'verbose_name': '待重算的贫困户',
                'verbose_name_plural': '待重算的贫困户',
            },
        ),
        migrations.CreateModel(
            name='HouseholdFigure',
            fields=[
                ('household_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('parts', models.JSONField(default=dict)),
            ],
            options={
                'verbose_name': '贫困户年度数据',
                'verbose_name_plural': '贫困户年度数据',
            },
        ),
        migrations.CreateModel(
            name='FigureTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('county', models.CharField(max_length=6, verbose_name='县(市、区)代码')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2014), django.core.validators.MaxValueValidator(2020)], verbose_name='年度')),
                ('persons', models.IntegerField(default=0, verbose_name='年底建档立卡贫困人口')),
                ('below', models.IntegerField(default=0, verbose_name='低于贫困线')),
                ('near', models.IntegerField(default=0, verbose_name='贫困线至其1.2倍')),
                ('above', models.IntegerField(default=0, verbose_name='高于贫困线1.2倍')),
                ('unknown', models.IntegerField(default=0, verbose_name='当年贫困线未录入')),
            ],
            options={
                'verbose_name': '各县年度数据合计',
                'verbose_name_plural': '各县年度数据合计',
                'ordering': ['year', 'county'],
                'constraints': [models.UniqueConstraint(fields=('county', 'year'), name='figuretotal_once_a_county_year'), models.CheckConstraint(condition=models.Q(('year__gte', 2014), ('year__lte', 2020)), name='figuretotal_year_in_range'), models.CheckConstraint(condition=models.Q(('persons__gte', 0)), name='figuretotal_persons_not_negative'), models.CheckConstraint(condition=models.Q(('below__gte', 0)), name='figuretotal_below_not_negative'), models.CheckConstraint(condition=models.Q(('near__gte', 0)), name='figuretotal_near_not_negative'), models.CheckConstraint(condition=models.Q(('above__gte', 0)), name='figuretotal_above_not_negative'), models.CheckConstraint(condition=models.Q(('unknown__gte', 0)), name='figuretotal_unknown_not_negative')],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
