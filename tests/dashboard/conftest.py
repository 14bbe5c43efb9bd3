"""A small registry in two counties, small enough that every number the dashboards show can be
worked out by hand, and a reader of the tables a page renders."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, ReliefMeasure, ReturnRecord
from plans.models import VillageIncome
from tests.conftest import DATIAN, NINGHUA
from tests.factories import household, member, resident_id


def people(n: int, *, prefix: str = NINGHUA) -> list:
    """A head and n − 1 children, with ID numbers of the county `prefix`."""
    child = datetime.date(2000, 1, 1)
    children = [member(name=f"成员{i}", relation="child", id_number=resident_id(prefix=prefix, birth=child))
                for i in range(n - 1)]
    return [member(name="户主", id_number=resident_id(prefix=prefix)), *children]


def exit_in(h, year):
    return services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=year, income_per_capita=Decimal("4200")))


@pytest.fixture
def registry(places):
    """宁化县 翠江镇: 城南村 (a poor and hollow village) with
         a  ordinary, 因病, 3 persons, out in 2015, a 医疗救助 measure of 3000 in 2015;
         b  dibao, 缺劳力, 2 persons, out in 2015, back in 2016 (因病返贫), 低保 1800 in 2015;
         c  wubao, 缺劳力, 1 person, still registered;
       城北村 with d  ordinary, 缺资金, 2 persons, out in 2016.
       大田县 均溪镇 城关村 with e  ordinary, 因病, 4 persons, out in 2015."""
    cuijiang, chengnan, chengbei = places.cuijiang, places.chengnan, places.chengbei
    junxi, chengguan = places.junxi, places.chengguan
    a = household(village=chengnan, number="NH-A", members=people(3), main_cause_id="illness")
    b = household(village=chengnan, number="NH-B", members=people(2), category="dibao", main_cause_id="lack_labor")
    c = household(village=chengnan, number="NH-C", members=people(1), category="wubao", main_cause_id="lack_labor")
    d = household(village=chengbei, number="NH-D", members=people(2), main_cause_id="lack_funds")
    e = household(village=chengguan, number="DT-E", members=people(4, prefix=DATIAN), main_cause_id="illness")
    for h in (a, b, e):
        exit_in(h, 2015)
    exit_in(d, 2016)
    services.return_save(actor=SYSTEM, record=ReturnRecord(household=b, year=2016, reason="因病返贫"))
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=a, channel_id="medical_aid", year=2015, content="大病救助",
                                                amount=Decimal("3000")))
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=b, channel_id="minimum_living", year=2015, content="低保",
                                                amount=Decimal("1800")))
    VillageIncome.objects.create(village=chengnan, year=2016, own_income=Decimal("0"))
    VillageIncome.objects.create(village=chengnan, year=2018, own_income=Decimal("60000"))
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, cuijiang=cuijiang, chengnan=chengnan, chengbei=chengbei,
                           junxi=junxi, chengguan=chengguan)


class _Tables(HTMLParser):
    """Collects each <table data-table=name> as rows of cell texts, the header row first."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = self.tables.setdefault(attrs["data-table"], [])
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def shown_table(response, name: str) -> list[list[str]]:
    """The table of that name as the page shows it: the header, then each row's cell texts."""
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables[name]


def shown_rows(response, name: str) -> dict[str, dict[str, str]]:
    """The rows of a shown table keyed by their first cell, each as {header: text}."""
    header, *rows = shown_table(response, name)
    return {row[0]: dict(zip(header, row)) for row in rows}
