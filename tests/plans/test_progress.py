"""Progress against the annex's quotas, from exit and return records, by hand-computed numbers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, ReturnRecord
from plans.selectors import city_totals, cumulative_progress, place_progress, quota_progress
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id

pytestmark = pytest.mark.django_db

MEILIE = "350402"  # quotas 100 / 96 / 96 / 35, 327 still poor at the end of 2014
AS_OF = datetime.date(2017, 3, 1)


def exited(h, year, persons):
    """An exit record with a given snapshot, as the registry holds it after members changed; written
    round the services, so the kept totals the progress reads are counted again (`event_totals --rebuild`)."""
    record = ExitRecord.objects.create(household=h, county_id=h.county_code, village_id=h.village_id, year=year,
                                       persons=persons, income_per_capita=Decimal("4000"))
    services.event_totals_rebuild(actor=SYSTEM)
    return record


@pytest.fixture
def meilie():
    """梅列区: 110 out in 2015; in 2016 40 of them fall back and 50 others get out."""
    village = VillageFactory(township=TownshipFactory(county_id=MEILIE, code="350402101"), code="350402101201")
    a, b, c, d = (household(village=village, members=[member(id_number=resident_id(prefix=MEILIE))]) for _ in range(4))
    exited(a, 2015, 40), exited(b, 2015, 40), exited(c, 2015, 30)
    ReturnRecord.objects.create(household=a, county_id=a.county_code, village_id=a.village_id, year=2016, persons=40)
    exited(d, 2016, 50)  # the return counted with it
    return village


def rows_by_year(county, **kwargs):
    return {r.year: r for r in quota_progress(county=county, as_of=AS_OF, **kwargs)}


def test_progress_by_county_and_year(meilie):
    rows = rows_by_year(MEILIE)
    r2015, r2016, r2017 = rows[2015], rows[2016], rows[2017]
    assert (r2015.quota, r2015.exited, r2015.returned, r2015.net, r2015.percent, r2015.shortfall, r2015.status) == (
        100, 110, 0, 110, 110.0, 0, "met")
    assert (r2016.quota, r2016.exited, r2016.returned, r2016.net, r2016.percent, r2016.shortfall, r2016.status) == (
        96, 50, 40, 10, 10.4, 86, "behind")
    assert (r2017.net, r2017.status) == (0, "not_yet_due")


def test_a_year_is_due_only_once_it_has_ended(meilie):
    assert rows_by_year(MEILIE)[2016].status == "behind"
    early = {r.year: r for r in quota_progress(county=MEILIE, as_of=datetime.date(2016, 12, 31))}
    assert (early[2015].status, early[2016].status) == ("met", "not_yet_due")


def test_exit_snapshot_counts_not_todays_members():
    h = household(members=[member(), member(relation="child", id_number=resident_id())])
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2015, income_per_capita=Decimal("4000")))
    services.member_save(actor=SYSTEM, member=member(household=h, relation="grandchild", id_number=resident_id()))
    assert rows_by_year("350424", year=2015)[2015].exited == 2


def test_city_totals_and_cumulative(meilie):
    h = household(members=[member(), member(relation="child", id_number=resident_id())])  # 宁化县
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2015, income_per_capita=Decimal("4000")))
    rows = quota_progress(as_of=AS_OF)
    assert len(rows) == 12 * 4
    city = {r.year: r for r in city_totals(rows, as_of=AS_OF)}
    assert (city[2015].county, city[2015].quota, city[2015].exited, city[2015].status) == ("350400", 25000, 112, "behind")
    assert (city[2018].quota, city[2018].status) == (9143, "not_yet_due")
    cumulative = {r.county: r for r in cumulative_progress(rows, as_of=AS_OF)}
    m = cumulative[MEILIE]
    assert (m.quota, m.exited, m.returned, m.net, m.percent, m.status) == (327, 160, 40, 120, 36.7, "not_yet_due")
    assert cumulative["350424"].net == 2


def test_drill_down_to_townships_and_villages(meilie):
    other = VillageFactory(township=TownshipFactory(county_id=MEILIE, code="350402102"), code="350402102201")
    exited(household(village=other, members=[member(id_number=resident_id(prefix=MEILIE))]), 2016, 7)
    townships = place_progress(county=MEILIE, level="township", year=2016)
    assert [(t["code"], t["exited"], t["returned"], t["net"]) for t in townships] == [
        ("350402101", 50, 40, 10), ("350402102", 7, 0, 7)]
    villages = place_progress(county=MEILIE, level="village")
    assert [(v["code"], v["net"]) for v in villages] == [("350402101201", 120), ("350402102201", 7)]


def test_progress_runs_a_fixed_number_of_queries(meilie):
    with CaptureQueriesContext(connection) as few:
        quota_progress(as_of=AS_OF)
    village = VillageFactory(township__county_id="350425")
    for _ in range(15):
        exited(household(village=village, members=[member(id_number=resident_id(prefix="350425"))]), 2016, 3)
    with CaptureQueriesContext(connection) as many:
        rows = quota_progress(as_of=AS_OF)
    assert len(many) == len(few) == 2  # the annex, the kept totals
    assert {r.year: r for r in rows if r.county == "350425"}[2016].exited == 45
