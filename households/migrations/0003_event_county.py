"""Exits and returns carry their household's county, so the quota progress groups them without
joins. Existing records take it from their household's village code (which begins with it)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr


def fill(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    county_of = Subquery(Household.objects.filter(pk=OuterRef("household_id")).values(code=Substr("village_id", 1, 6)))
    for name in ("ExitRecord", "ReturnRecord", "HistoricalExitRecord", "HistoricalReturnRecord"):
        apps.get_model("households", name).objects.update(county_id=county_of)


def field(**options):
    return models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="households.county", verbose_name="县(市、区)", **options)


def history_field():
    return models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True,
                             on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                             to="households.county", verbose_name="县(市、区)")


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0002_export_log"),
    ]

    operations = [
        migrations.AddField(model_name="exitrecord", name="county", field=field(null=True)),
        migrations.AddField(model_name="returnrecord", name="county", field=field(null=True)),
        migrations.AddField(model_name="historicalexitrecord", name="county", field=history_field()),
        migrations.AddField(model_name="historicalreturnrecord", name="county", field=history_field()),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="exitrecord", name="county", field=field()),
        migrations.AlterField(model_name="returnrecord", name="county", field=field()),
        migrations.AddIndex(
            model_name="exitrecord",
            index=models.Index(fields=["year", "county", "persons"], name="exitrecord_year_county"),
        ),
        migrations.AddIndex(
            model_name="returnrecord",
            index=models.Index(fields=["year", "county", "persons"], name="returnrecord_year_county"),
        ),
    ]
