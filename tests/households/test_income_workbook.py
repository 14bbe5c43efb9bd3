"""The income workbook (issue 18 point 5): one row per household and year through income_record, all
or nothing, written once however often it is imported, each refusal with its row and column."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from common.actors import SYSTEM
from households.models import ExitRecord, Household, HouseholdIncome
from households.services import exit_save
from households.workbook import records
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

BOOK = records.BOOKS["householdincome"]


def sheet(*rows: dict) -> bytes:
    by_header = {c.header: c.key for c in BOOK.columns}
    return records.template(BOOK, [{by_header[h]: v for h, v in r.items()} for r in rows])


def imported(data: bytes, actor):
    return records.import_records(BOOK, data, actor=actor)[1]


def state():
    return (list(HouseholdIncome.objects.order_by("id").values_list("household_id", "year", "total", "per_capita")),
            list(Household.objects.order_by("id").values_list("id", "income_per_capita")))


@pytest.fixture
def pair(village):
    """Two households of 城南村 identified in 2014 (registered at 2,000 yuan a head): 赵 of two, 钱 of one."""
    zhao = household(village=village, number="NH-Z", income_per_capita=Decimal(2000), members=[
        member(name="赵父", id_number=resident_id(birth=datetime.date(1960, 1, 1))),
        member(name="赵子", relation="child", id_number=resident_id(birth=datetime.date(1990, 1, 1))),
    ])
    qian = household(village=village, number="NH-Q", income_per_capita=Decimal(2000),
                     members=[member(name="钱父", id_number=resident_id(birth=datetime.date(1955, 1, 1)))])
    return zhao, qian


def test_years_import_by_source_or_as_a_total_and_a_second_import_writes_nothing(pair, ninghua_clerk):
    zhao, qian = pair
    data = sheet(
        {"户编号": "NH-Z", "年度": 2015, "工资性收入": 3000, "生产经营性收入（净）": 1500, "财产性收入": 0,
         "转移性收入": 700},
        {"户编号": "NH-Z", "年度": 2016, "家庭纯收入合计（元）": 7000},
        {"户编号": "NH-Q", "年度": 2015, "家庭纯收入合计（元）": "2,900.50"},
    )
    report = imported(data, ninghua_clerk)
    assert (report.written, report.problems, report.outcomes["new"]) == (True, [], 3)
    z2015 = HouseholdIncome.objects.get(household=zhao, year=2015)
    assert (z2015.total, z2015.persons, z2015.per_capita) == (Decimal(5200), 2, Decimal(2600))
    assert HouseholdIncome.objects.get(household=qian, year=2015).per_capita == Decimal("2900.50")
    zhao.refresh_from_db()
    assert zhao.income_per_capita == Decimal(3500)  # the latest year's: 7,000 over two
    before = state()
    again = imported(data, ninghua_clerk)
    assert (again.written, again.problems, again.outcomes) == (True, [], {"skip": 3})
    assert state() == before


BAD_ROWS = [
    ({"年度": 2013, "家庭纯收入合计（元）": 3000}, "年度"),  # before the household was identified
    ({"年度": 2015, "工资性收入": -1, "生产经营性收入（净）": 100}, "工资性收入"),  # a negative part
    ({"年度": 2015, "工资性收入": 100, "家庭纯收入合计（元）": 999}, "家庭纯收入合计（元）"),  # not the sum
    ({"年度": 2014, "家庭纯收入合计（元）": 9999}, "年度"),  # the year is recorded with other figures
    ({"年度": 2015, "工资性收入": "三千"}, "工资性收入"),  # not a number
    ({"年度": 2015}, "家庭纯收入合计（元）"),  # nothing given
]


@pytest.mark.parametrize(("bad", "column"), BAD_ROWS)
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_written(pair, ninghua_clerk, bad, column):
    good = {"户编号": "NH-Q", "年度": 2016, "家庭纯收入合计（元）": 3100}
    before = state()
    report = imported(sheet(good, {"户编号": "NH-Z", **bad}), ninghua_clerk)
    assert not report.written and state() == before
    problems = {(p.row, next(c.header for c in BOOK.columns if c.key == p.column) if p.column else "")
                for p in report.problems}
    assert (3, column) in problems, report.problems
    assert {row for row, _c in problems} == {3}


def test_the_exit_years_figure_is_the_one_figure(pair, ninghua_clerk):
    """An exit records its year's income: a row of that year must say the same, or is refused."""
    zhao, _qian = pair
    exit_save(actor=SYSTEM, record=ExitRecord(household=zhao, year=2016, income_per_capita=Decimal(3300)))
    same = imported(sheet({"户编号": "NH-Z", "年度": 2016, "家庭纯收入合计（元）": 6600}), ninghua_clerk)
    assert (same.written, same.outcomes) == (True, {"skip": 1})
    before = state()
    other = imported(sheet({"户编号": "NH-Z", "年度": 2016, "家庭纯收入合计（元）": 6000}), ninghua_clerk)
    assert not other.written and state() == before
    assert [(p.row, p.column) for p in other.problems] == [(2, "year")]


def test_another_countys_household_is_not_found(pair, datian_clerk):
    before = state()
    report = imported(sheet({"户编号": "NH-Z", "年度": 2015, "家庭纯收入合计（元）": 5000}), datian_clerk)
    assert not report.written and state() == before
    assert [(p.row, p.column) for p in report.problems] == [(2, "household")]


def test_the_incomes_list_offers_the_workbook_to_a_clerk_only(pair, ninghua_clerk, city_reviewer):
    clerk, reviewer = Client(), Client()
    clerk.force_login(ninghua_clerk)
    reviewer.force_login(city_reviewer)
    url = reverse("admin:households_householdincome_changelist")
    assert "导入年度收入表" in clerk.get(url).content.decode()
    page = reviewer.get(url).content.decode()
    assert "下载年度收入表模板" in page and "导入年度收入表" not in page
    assert reviewer.get(reverse("admin:households_householdincome_book_import")).status_code == 403
