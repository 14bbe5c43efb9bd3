"""The exits and returns of each county and year, kept (issue 21 point 2): the table, then filled from
the records already there (two aggregate queries and one insert, however many records)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum


def totals_from_records(apps, schema_editor):
    # As households.total_selectors.events_counted (copied: a migration keeps the rule of its day).
    EventTotal = apps.get_model("households", "EventTotal")
    totals = {}
    for model, kind in (("ExitRecord", "exited"), ("ReturnRecord", "returned")):
        rows = (apps.get_model("households", model).objects.order_by().values("county_id", "year")
                .annotate(households=Count("pk"), persons=Sum("persons")))
        for row in rows:
            total = totals.setdefault((row["county_id"], row["year"]),
                                      EventTotal(county_id=row["county_id"], year=row["year"]))
            setattr(total, f"{kind}_households", row["households"])
            setattr(total, f"{kind}_persons", row["persons"] or 0)
    EventTotal.objects.bulk_create(totals.values())


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0015_household_helper_fields_removed'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2014), django.core.validators.MaxValueValidator(2020)], verbose_name='年度')),
                ('exited_households', models.IntegerField(default=0, verbose_name='脱贫户数')),
                ('exited_persons', models.IntegerField(default=0, verbose_name='脱贫人数')),
                ('returned_households', models.IntegerField(default=0, verbose_name='返贫户数')),
                ('returned_persons', models.IntegerField(default=0, verbose_name='返贫人数')),
                ('county', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='households.county', verbose_name='县(市、区)')),
            ],
            options={
                'verbose_name': '脱贫返贫合计',
                'verbose_name_plural': '脱贫返贫合计',
                'ordering': ['year', 'county_id'],
                'constraints': [models.UniqueConstraint(fields=('county', 'year'), name='eventtotal_once_a_county_year'), models.CheckConstraint(condition=models.Q(('year__gte', 2014), ('year__lte', 2020)), name='eventtotal_year_in_range'), models.CheckConstraint(condition=models.Q(('exited_households__gte', 0)), name='eventtotal_exited_households_not_negative'), models.CheckConstraint(condition=models.Q(('exited_persons__gte', 0)), name='eventtotal_exited_persons_not_negative'), models.CheckConstraint(condition=models.Q(('returned_households__gte', 0)), name='eventtotal_returned_households_not_negative'), models.CheckConstraint(condition=models.Q(('returned_persons__gte', 0)), name='eventtotal_returned_persons_not_negative')],
            },
        ),
        migrations.RunPython(totals_from_records, migrations.RunPython.noop),
    ]
