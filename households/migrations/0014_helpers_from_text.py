"""The household's three helper fields (helper_name, helper_unit, helper_phone) become helpers and
assignments (issue 20): each distinct name and unit of a county one helper, and each household that
named one a current assignment from the day the household entered the registry (its first
version in the history; the first day of its identification year where it has none). The three
fields are removed by the next migration. Set-based: a few queries and bulk inserts, however
many households (a city's registry holds over a hundred thousand)."""

import datetime
import re
from collections import Counter

import django.core.validators
from django.db import migrations, models
from django.db.models import Max, Min
from django.utils import timezone

REASON = "由贫困户的帮扶责任人字段迁移"


def _phone(value: str) -> str:
    # As validators.helper_phone_clean (copied: a migration keeps the rule of its day). A phone the
    # new validator would refuse is kept as it was typed: the county corrects it, nothing is lost.
    typed = (value or "").strip()
    phone = re.sub(r"\s+", "", typed)
    match = re.fullmatch(r"(?:\+86|0086)-?(1\d{10})", phone)
    phone = match.group(1) if match else phone
    return phone if re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?", phone) else typed


def helpers_from_text(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    HistoricalHousehold = apps.get_model("households", "HistoricalHousehold")
    Helper = apps.get_model("households", "Helper")
    HelperAssignment = apps.get_model("households", "HelperAssignment")
    rows = list(Household.objects.exclude(helper_name="").order_by("pk")
                .values_list("pk", "village_id", "identified_year", "helper_name", "helper_unit", "helper_phone"))
    households = [(pk, village[:6], year, name.strip(), unit.strip(), _phone(phone))
                  for pk, village, year, name, unit, phone in rows if name.strip()]
    if not households:
        return
    # One helper per county, name and unit; given two phones, the one most households give (the
    # first of them on a tie, Counter keeping the order it met them in).
    phones: dict[tuple, Counter] = {}
    for _pk, county, _year, name, unit, phone in households:
        counted = phones.setdefault((county, name, unit), Counter())
        if phone:
            counted[phone] += 1
    helpers_before = Helper.objects.aggregate(last=Max("pk"))["last"] or 0
    assignments_before = HelperAssignment.objects.aggregate(last=Max("pk"))["last"] or 0
    existing = {(c, n, u): pk for pk, c, n, u in Helper.objects.values_list("pk", "county_id", "name", "unit")}
    new = [Helper(county_id=county, name=name, unit=unit, phone=(counted.most_common(1)[0][0] if counted else ""))
           for (county, name, unit), counted in phones.items() if (county, name, unit) not in existing]
    Helper.objects.bulk_create(new, batch_size=2000)
    helpers = {(c, n, u): pk for pk, c, n, u in Helper.objects.values_list("pk", "county_id", "name", "unit")}

    first = dict(HistoricalHousehold.objects.filter(history_type="+").values("id")
                 .annotate(at=Min("history_date")).values_list("id", "at"))
    has_current = set(HelperAssignment.objects.filter(ended_on__isnull=True).values_list("household_id", flat=True))
    assignments = [
        HelperAssignment(household_id=pk, helper_id=helpers[county, name, unit], reason="",
                         started_on=_day(first.get(pk)) or datetime.date(year, 1, 1))
        for pk, county, year, name, unit, _phone in households if pk not in has_current
    ]
    HelperAssignment.objects.bulk_create(assignments, batch_size=2000)
    _history(apps, Helper, helpers_before)
    _history(apps, HelperAssignment, assignments_before)
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        # The next migration alters the household table: no trigger events may be pending then.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _day(at):
    if at is None:
        return None
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def _history(apps, model, after: int) -> None:
    """The creation of the records just inserted (ids after `after`) in their history, as the
    services would have written it (by nobody: the registry itself)."""
    History = apps.get_model("households", f"Historical{model.__name__}")
    tracked = [f.attname for f in model._meta.concrete_fields]
    now = timezone.now()
    batch = []
    for record in model.objects.filter(pk__gt=after).order_by("pk").values(*tracked).iterator(chunk_size=2000):
        batch.append(History(**record, history_date=now, history_type="+", history_change_reason=REASON))
        if len(batch) == 2000:
            History.objects.bulk_create(batch)
            batch = []
    History.objects.bulk_create(batch)



class Migration(migrations.Migration):

    dependencies = [
        ('households', '0013_helpers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='helper',
            name='phone',
            field=models.CharField(blank=True, max_length=20, validators=[django.core.validators.RegexValidator('^(1[3-9]\\d{9}|0\\d{2,3}-?\\d{7,8}(-\\d{1,6})?)\\Z', '请填写11位手机号码（如 13805981234）或带区号的固定电话（如 0598-1234567，分机号用 - 隔开）')], verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='historicalhelper',
            name='phone',
            field=models.CharField(blank=True, max_length=20, validators=[django.core.validators.RegexValidator('^(1[3-9]\\d{9}|0\\d{2,3}-?\\d{7,8}(-\\d{1,6})?)\\Z', '请填写11位手机号码（如 13805981234）或带区号的固定电话（如 0598-1234567，分机号用 - 隔开）')], verbose_name='联系电话'),
        ),
        migrations.RunPython(helpers_from_text, migrations.RunPython.noop),
    ]
