"""Exits and returns keep the village the household lay in when they were recorded, beside the county
(issue 18: a moved household's records stay counted, and placed, where they were made)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min


def villages_then(apps, schema_editor):
    """Each existing exit and return gets the village its household lay in when the record was made:
    the village left by the first transfer accepted after the record's first version (its history),
    else the household's village now; where that lies outside the record's county (a record older
    than its history), the village of that county the household last left by a transfer. A handful of
    queries and batched updates, whatever the number of records."""
    Transfer, Household = apps.get_model("households", "Transfer"), apps.get_model("households", "Household")
    moves: dict[int, list] = {}
    for household, decided, left in (Transfer.objects.filter(state="accepted").order_by("decided_at", "id")
                                     .values_list("household_id", "decided_at", "from_village_id")):
        moves.setdefault(household, []).append((decided, left))
    now = dict(Household.objects.values_list("pk", "village_id"))
    for name in ("ExitRecord", "ReturnRecord"):
        model, history = apps.get_model("households", name), apps.get_model("households", f"Historical{name}")
        made = dict(history.objects.values("id").annotate(at=Min("history_date")).values_list("id", "at"))
        records = list(model.objects.only("pk", "household_id", "county_id"))  # every one: all are empty here
        for record in records:
            household_moves = moves.get(record.household_id, [])
            at = made.get(record.pk)
            later = [left for decided, left in household_moves if at is not None and decided > at]
            village = later[0] if later else now[record.household_id]
            if village[:6] != record.county_id:
                left_county = [left for _, left in household_moves if left[:6] == record.county_id]
                village = left_county[-1] if left_county else village
            record.village_id = village
        model.objects.bulk_update(records, ["village"], batch_size=2000)
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        # The rows just written leave deferred foreign-key checks pending, and PostgreSQL alters no
        # table with pending trigger events (the column becomes NOT NULL next): run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0008_incomes'),
    ]

    operations = [
        migrations.AddField(
            model_name='exitrecord',
            name='village',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.village', verbose_name='登记时所在村'),
        ),
        migrations.AddField(
            model_name='historicalexitrecord',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='households.village', verbose_name='登记时所在村'),
        ),
        migrations.AddField(
            model_name='historicalreturnrecord',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='households.village', verbose_name='登记时所在村'),
        ),
        migrations.AddField(
            model_name='returnrecord',
            name='village',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.village', verbose_name='登记时所在村'),
        ),
        migrations.RunPython(villages_then, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='exitrecord',
            name='village',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.village', verbose_name='登记时所在村'),
        ),
        migrations.AlterField(
            model_name='returnrecord',
            name='village',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.village', verbose_name='登记时所在村'),
        ),
    ]
