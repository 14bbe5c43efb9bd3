"""The data migration of the household's three helper fields (0014): each distinct name and unit of a
county one helper, given the phone most of its households gave; each household that named one a
current assignment from the day it entered the registry; then 0015 removes the fields. Run for real
with Django's migration executor, back to 0013 and forward again (transaction=True: the schema
changes; the reference data is loaded again around it, as for the tests that commit)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from households.models import Helper, HelperAssignment, Household
from tests.conftest import DATIAN, NINGHUA, build_places
from tests.factories import household
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    reference_data,
    reference_data_after_the_module,
)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("households", "0013_helpers")]


def migrate(targets=None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def test_the_migration_makes_helpers_and_current_assignments_of_the_text_fields():
    places = build_places()
    numbers = ["NH-1", "NH-2", "NH-3", "NH-4", "NH-5", "NH-6"]
    made = {n: household(village=places.chengnan, number=n).pk for n in numbers}
    made["DT-1"] = household(village=places.chengguan, number="DT-1").pk
    # NH-6 has no history (loaded some other way): its assignment starts on its identification year's first day.
    Household.history.filter(id=made["NH-6"]).delete()
    Household.objects.filter(pk=made["NH-6"]).update(identified_year=2016)
    texts = {
        "NH-1": ("林帮扶", "宁化县农业局", "13805981234"),
        "NH-2": (" 林帮扶 ", "宁化县农业局", "+86 138 0598 1234"),  # the same phone, as people write it
        "NH-3": ("林帮扶", "宁化县农业局", "13900000000"),  # outvoted: the helper keeps the most common one
        "NH-4": ("林帮扶", "宁化县林业局", ""),  # another unit: another person
        "NH-5": ("", "", ""),  # no helper
        "NH-6": ("陈干部", "", "call me"),  # kept as typed: nothing is lost
        "DT-1": ("林帮扶", "宁化县农业局", "13805981234"),  # another county: another person
    }
    executor = migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("households", "Household")
        for number, (name, unit, phone) in texts.items():
            old.objects.filter(number=number).update(helper_name=name, helper_unit=unit, helper_phone=phone)
    finally:
        migrate()

    helpers = sorted(Helper.objects.values_list("county_id", "name", "unit", "phone"))
    assert helpers == [
        (NINGHUA, "林帮扶", "宁化县农业局", "13805981234"),
        (NINGHUA, "林帮扶", "宁化县林业局", ""),
        (NINGHUA, "陈干部", "", "call me"),
        (DATIAN, "林帮扶", "宁化县农业局", "13805981234"),
    ]
    today = timezone.localdate()
    assigned = {a.household.number: (a.helper.county_id, a.helper.name, a.helper.unit, a.started_on, a.ended_on)
                for a in HelperAssignment.objects.select_related("household", "helper")}
    assert assigned == {
        "NH-1": (NINGHUA, "林帮扶", "宁化县农业局", today, None),
        "NH-2": (NINGHUA, "林帮扶", "宁化县农业局", today, None),
        "NH-3": (NINGHUA, "林帮扶", "宁化县农业局", today, None),
        "NH-4": (NINGHUA, "林帮扶", "宁化县林业局", today, None),
        "NH-6": (NINGHUA, "陈干部", "", datetime.date(2016, 1, 1), None),
        "DT-1": (DATIAN, "林帮扶", "宁化县农业局", today, None),
    }
    # Their creation is in their histories, by the registry itself.
    assert Helper.history.filter(history_type="+", history_user=None).count() == 4
    assert HelperAssignment.history.filter(history_type="+").count() == 6
    # The fields are gone, and the household's doors read the assignment.
    with connection.cursor() as cursor:
        for table in ("households_household", "households_historicalhousehold"):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            assert "number" in columns and not any(c.startswith("helper_") for c in columns)
    assert Household.objects.with_current_helper().get(number="NH-2").helper_phone == "13805981234"
