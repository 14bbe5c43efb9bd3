"""The income workbook (年度收入): one row per household and year, each through services.income_record.

A row gives the four sources (their sum is the total) or only a total; the per-capita figure is the
service's, over the household's size at the year's end. A row that repeats the year's record as it
stands (the same figures) is left alone, so a workbook imported twice is written once; a year
already recorded with other figures is refused, naming the year: a year's income is one record,
corrected on the household's page or through the API (income_change), where its exit follows."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from ..layout import HOUSEHOLD, Column
from ..models import HouseholdIncome, IncomeSource
from ..models.incomes import PARTS
from ..services import income_record
from .records import NEW, SKIP, book, visible_household

COLUMNS = [
    Column("household", "户编号", HOUSEHOLD, required=True, aliases=("户码", "贫困户编号"), width=20),
    Column("year", "年度", HOUSEHOLD, "int", required=True, aliases=("年份",), width=8),
    *(Column(code, str(label), HOUSEHOLD, "decimal", width=14) for code, label in IncomeSource.choices),
    Column("total", "家庭纯收入合计（元）", HOUSEHOLD, "decimal", aliases=("合计", "家庭纯收入"), width=14),
]


@book("householdincome", "年度收入表", COLUMNS)
def apply_income(actor, rows: list[dict]) -> str:
    values = rows[0]
    household = visible_household(actor, values["household"], "household")
    figures = {key: values.get(key) for key in (*PARTS, "total")}
    stored = HouseholdIncome.objects.filter(household=household, year=values["year"]).first()
    if stored is None:
        income_record(actor=actor, household=household, year=values["year"], **figures)
        return NEW
    if _same(stored, figures):
        return SKIP
    raise ValidationError({"year": f"该户{stored.year}年已有年度收入记录（合计{stored.total}元，人均{stored.per_capita}元），"
                                   "一户一年只有一条；如需更正请在贫困户页面或通过接口修改"})


def _same(stored: HouseholdIncome, figures: dict) -> bool:
    """The row says what the record holds: the same sources (or none), the same total (or none)."""
    parts = [figures[p] for p in PARTS]
    if any(v is not None for v in parts):
        given = [v if v is not None else Decimal(0) for v in parts]
        if given != [getattr(stored, p) for p in PARTS]:
            return False
    elif stored.wages is not None:
        return False  # the record has sources the row does not give
    return figures["total"] is None or figures["total"] == stored.total
