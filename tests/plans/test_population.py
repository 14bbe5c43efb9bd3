"""The registered poor population at the end of each year 2014–2018 per county (issue 18 point 2), on a
small registry counted by hand: the selector, the records check against the annex's 2014-end
remaining column, the overview and county pages, and /api/v1/plans/population/."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from common.actors import SYSTEM
from households import services
from households.models import County, ExitRecord, Transfer
from plans.checks import WARNING, run_checks
from plans.models import AnnexRow
from plans.selectors import population_by_year
from tests.conftest import DATIAN, NINGHUA, api_as
from tests.dashboard.conftest import shown_table
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

API = "/api/v1/"
D = datetime.date
MEILIE = "350402"


def people(n, prefix=NINGHUA):
    return [member(id_number=resident_id(prefix=prefix)),
            *(member(name=f"子{i}", relation="child", id_number=resident_id(prefix=prefix)) for i in range(n - 1))]


@pytest.fixture
def small_city(places, ninghua_clerk, datian_clerk):
    """宁化县: A (3, identified 2014, exits 2017); B (2, identified 2015); C (4, exits 2014); E (2,
    transferred to 大田县 城关村, accepted on 2017-06-01). 大田县: D (3, one dies on 2016-05-01).

    By hand, 宁化 / 大田 at each year's end:
    2014: A3 + E2 = 5 / D3 = 3;  2015: A3 + B2 + E2 = 7 / 3;  2016: 7 / D2 = 2;
    2017: B2 = 2 / D2 + E2 = 4;  2018: 2 / 4."""
    a = household(village=places.chengnan, number="A", members=people(3))
    household(village=places.chengbei, number="B", members=people(2), identified_year=2015)
    c = household(village=places.chengnan, number="C", members=people(4))
    d = household(village=places.chengguan, number="D", members=people(3, DATIAN))
    e = household(village=places.chengnan, number="E", members=people(2))
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=c, year=2014, income_per_capita=Decimal("2500")))
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=a, year=2017, income_per_capita=Decimal("4000")))
    services.member_change_record(actor=SYSTEM, household=d, kind="death", date=D(2016, 5, 1),
                                  member=d.members.filter(relation="child").first())
    t = services.transfer_release(actor=ninghua_clerk, household=e, to_village=places.chengguan, reason="family")
    services.transfer_accept(actor=datian_clerk, transfer=t)
    at = datetime.datetime(2017, 6, 1, 9, tzinfo=datetime.UTC)
    Transfer.objects.filter(pk=t.pk).update(released_at=at - datetime.timedelta(days=2), decided_at=at)


BY_HAND = {NINGHUA: {2014: 5, 2015: 7, 2016: 7, 2017: 2, 2018: 2},
           DATIAN: {2014: 3, 2015: 3, 2016: 2, 2017: 4, 2018: 4}}


def test_the_population_at_each_years_end_per_county(small_city, django_assert_num_queries):
    rows = {r.county: r for r in population_by_year()}  # the kept figures count what was written
    with django_assert_num_queries(3):  # the annex, the marks (none since), the kept figures: whatever the size
        assert {r.county: r for r in population_by_year()} == rows
    assert len(rows) == 12
    for county, years in BY_HAND.items():
        assert rows[county].years == years
    assert (rows[NINGHUA].county_name, rows[NINGHUA].remaining_2014) == ("宁化县", 17200)
    assert rows[MEILIE].years == {2014: 0, 2015: 0, 2016: 0, 2017: 0, 2018: 0}


def test_the_population_of_the_counties_given(small_city):
    rows = population_by_year(counties=County.objects.filter(code=DATIAN))
    assert [(r.county, r.years) for r in rows] == [(DATIAN, BY_HAND[DATIAN])]
    assert population_by_year(counties=County.objects.none()) == []


def test_check_plan_compares_the_2014_end_population_with_the_annex_per_county(small_city):
    found = {f.check: f for f in run_checks("records")}
    ninghua, datian = found[f"population.2014.{NINGHUA}"], found[f"population.2014.{DATIAN}"]
    assert (ninghua.severity, ninghua.expected, ninghua.actual, ninghua.ok) == (WARNING, 17200, 5, False)
    assert (datian.expected, datian.actual, datian.ok) == (11849, 3, False)
    assert "宁化县" in ninghua.name
    assert len([c for c in found if c.startswith("population.2014.")]) == 12
    # Where the registry holds the annex's figure, the county's check passes.
    AnnexRow.objects.filter(county_id=NINGHUA).update(remaining_2014=5)
    found = {f.check: f for f in run_checks("records")}
    assert found[f"population.2014.{NINGHUA}"].ok
    assert not found[f"population.2014.{DATIAN}"].ok


HEADER = ["县(市、区)", "附件2014年底未脱贫人数", *(f"{y}年底建档立卡贫困人口" for y in range(2014, 2019))]


def test_the_overview_shows_the_population_of_the_counties_the_user_sees(small_city, client, city_reviewer,
                                                                         ninghua_clerk):
    client.force_login(city_reviewer)
    header, *rows = shown_table(client.get(reverse("dashboard:overview")), "population")
    assert header == HEADER
    assert len(rows) == 12
    assert ["宁化县", "17200", "5", "7", "7", "2", "2"] in rows
    assert ["大田县", "11849", "3", "3", "2", "4", "4"] in rows
    _, *rows = shown_table(client.get(reverse("dashboard:overview"), {"county": DATIAN}), "population")
    assert rows == [["大田县", "11849", "3", "3", "2", "4", "4"]]
    client.force_login(ninghua_clerk)
    _, *rows = shown_table(client.get(reverse("dashboard:overview")), "population")
    assert rows == [["宁化县", "17200", "5", "7", "7", "2", "2"]]


def test_the_county_page_shows_its_population(small_city, client, datian_clerk):
    client.force_login(datian_clerk)
    header, *rows = shown_table(client.get(reverse("dashboard:county", args=[DATIAN])), "population")
    assert header == HEADER
    assert rows == [["大田县", "11849", "3", "3", "2", "4", "4"]]


def test_the_api_gives_the_population_of_the_counties_the_caller_sees(small_city, city_reviewer, ninghua_clerk):
    url = f"{API}plans/population/"
    rows = {r["county"]: r for r in api_as(city_reviewer).get(url).json()}
    assert len(rows) == 12
    assert rows[DATIAN] == {"county": DATIAN, "county_name": "大田县", "remaining_2014": 11849,
                            "years": [{"year": y, "persons": n, "figures": "live"} for y, n in BY_HAND[DATIAN].items()]}
    assert [r["county"] for r in api_as(city_reviewer).get(url, {"county": NINGHUA}).json()] == [NINGHUA]
    assert [r["county"] for r in api_as(ninghua_clerk).get(url).json()] == [NINGHUA]
    assert api_as(ninghua_clerk).get(url, {"county": DATIAN}).json() == []


@pytest.mark.parametrize("query, field", [({"county": "35"}, "county"), ({"year": "2016"}, "year")])
def test_the_api_refuses_a_bad_or_unknown_parameter(city_reviewer, query, field):
    response = api_as(city_reviewer).get(f"{API}plans/population/", query)
    assert response.status_code == 400
    assert field in str(response.json())
