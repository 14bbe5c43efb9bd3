"""Per county and year, the households below, near (at the line up to 20 % above) and above the
poverty line of their standard for that year (plans.selectors.income_bands), on the county page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from common.actors import SYSTEM
from households import services
from households.models import County
from plans.selectors import income_bands
from tests.conftest import DATIAN, NINGHUA
from tests.dashboard.conftest import shown_table
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def banded(places):
    """2016, national line 2952: in 宁化县 2951.99 (below), 2952 and 3542.40 (near: 1.2 × 2952),
    3542.41 (above), a provincial household (its 2016 line not on record: unknown), a removed one
    (left out); in 大田县 2000 (below). Each is identified in 2016, its only income record."""
    def one(number, income, *, village=places.chengnan, prefix=NINGHUA, **fields):
        return household(village=village, number=number, identified_year=2016, income_per_capita=Decimal(income),
                         members=[member(id_number=resident_id(prefix=prefix))], **fields)

    one("B1", "2951.99")
    one("N1", "2952")
    one("N2", "3542.40")
    one("A1", "3542.41")
    one("P1", "5000", standard="provincial")
    removed = one("R1", "100")
    services.household_remove(actor=SYSTEM, household=removed, reason="错评")
    one("D1", "2000", village=places.chengguan, prefix=DATIAN)


KEYS = ("county", "county_name", "year", "households", "below", "near", "above", "unknown")


def test_the_bands_per_county_and_year(banded):
    rows = income_bands(counties=County.objects.all())
    assert [tuple(r[k] for k in KEYS) for r in rows] == [
        (NINGHUA, "宁化县", 2016, 5, 1, 2, 1, 1),
        (DATIAN, "大田县", 2016, 1, 1, 0, 0, 0),
    ]


def test_the_bands_of_a_year_and_of_the_counties_given(banded, poor):
    # poor: identified 2014 with 2500, under that year's national line of 2800.
    ninghua = County.objects.filter(code=NINGHUA)
    assert [(r["year"], r["below"], r["households"]) for r in income_bands(counties=ninghua)] == [(2014, 1, 1),
                                                                                                  (2016, 1, 5)]
    assert [(r["year"], r["below"]) for r in income_bands(counties=ninghua, year=2014)] == [(2014, 1)]


def test_the_county_page_shows_its_bands_to_whoever_sees_the_county(banded, client, ninghua_clerk, datian_clerk):
    client.force_login(ninghua_clerk)
    header, *rows = shown_table(client.get(reverse("dashboard:county", args=[NINGHUA])), "income_bands")
    assert header == ["县(市、区)", "年度", "有年度收入的户数", "低于贫困线", "贫困线至高出20%", "高出贫困线20%以上", "贫困线未登记"]
    assert rows == [["宁化县", "2016", "5", "1", "2", "1", "1"]]
    assert client.get(reverse("dashboard:county", args=[DATIAN])).status_code in (403, 404)
    client.force_login(datian_clerk)
    _, *rows = shown_table(client.get(reverse("dashboard:county", args=[DATIAN])), "income_bands")
    assert rows == [["大田县", "2016", "1", "1", "0", "0", "0"]]


def test_the_overview_shows_the_bands_of_every_county_the_user_sees(banded, client, city_reviewer, ninghua_clerk):
    client.force_login(city_reviewer)
    _, *rows = shown_table(client.get(reverse("dashboard:overview")), "income_bands")
    assert rows == [["宁化县", "2016", "5", "1", "2", "1", "1"], ["大田县", "2016", "1", "1", "0", "0", "0"]]
    _, *rows = shown_table(client.get(reverse("dashboard:overview"), {"county": DATIAN}), "income_bands")
    assert rows == [["大田县", "2016", "1", "1", "0", "0", "0"]]
    client.force_login(ninghua_clerk)
    _, *rows = shown_table(client.get(reverse("dashboard:overview")), "income_bands")
    assert rows == [["宁化县", "2016", "5", "1", "2", "1", "1"]]


def test_the_households_page_shows_its_incomes_by_year(poor, client, ninghua_clerk):
    services.income_record(actor=SYSTEM, household=poor, year=2016, wages=Decimal("5000"), business=Decimal("1000"),
                           property=0, transfers=Decimal("600"))
    client.force_login(ninghua_clerk)
    header, *rows = shown_table(client.get(reverse("dashboard:household", args=[poor.pk])), "household_incomes")
    assert header[0] == "年度" and header[-1] == "人均纯收入（元）"
    assert rows == [["2014", "—", "—", "—", "—", "5000.00", "2", "2500.00"],
                    ["2016", "5000.00", "1000.00", "0.00", "600.00", "6600.00", "2", "3300.00"]]
