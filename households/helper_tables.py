"""The helpers' four reports as tables (STYLE habit 9: a column map and a row function each): what
the API's `export/`, the dashboard's page and its `?export=` show, codes turned into Chinese labels
here, once. The rows come from households/helper_selectors.py, scoped there."""

from collections.abc import Callable
from dataclasses import dataclass

from . import helper_selectors as selectors
from .exports import table_response
from .models import Helper, Household


@dataclass(frozen=True)
class Report:
    code: str  # the API's path and the page's table name
    title: str
    columns: dict[str, str]
    rows: Callable[..., list[dict]]  # the selector
    row: Callable[[dict], dict]  # one row as shown
    note: str = ""


STATUS = dict(Household.Status.choices)
LEVEL = dict(Helper.Level.choices)
PLACE_COLUMNS = {"county_name": "县(市、区)", "township_name": "乡镇", "village_name": "村"}


def _household_row(row: dict) -> dict:
    return {**row, "status": STATUS.get(row["status"], row["status"])}


def _helper_row(row: dict) -> dict:
    return {**row, "level": LEVEL.get(row["level"], row["level"])}


REPORTS = {r.code: r for r in [
    Report("without-helper", "无帮扶责任人的贫困户",
           {"number": "户编号", **PLACE_COLUMNS, "head_name": "户主", "status": "状态",
            "previous_helper": "原帮扶责任人", "previous_unit": "原帮扶单位", "previous_ended_on": "原帮扶终止日期"},
           selectors.households_without_helper, _household_row,
           note="在册和返贫的户中，今天没有帮扶责任人的户；原帮扶责任人为最近一任（如有）。"),
    Report("over-ceiling", "帮扶户数超过上限的帮扶责任人",
           {"name": "姓名", "unit": "帮扶单位", "post": "职务", "level": "级别", "phone": "联系电话",
            "county_name": "所属县(市、区)", "households": "现帮扶户数", "ceiling": "上限"},
           selectors.helpers_over_ceiling, _helper_row,
           note="现帮扶户数（已脱贫户仍计，已清退户不计）超过上限（设置 HELPER_HOUSEHOLD_CEILING；计划未规定户数）的帮扶责任人。"),
    Report("due-visits", "超期未走访的贫困户",
           {"number": "户编号", **PLACE_COLUMNS, "head_name": "户主", "helper_name": "帮扶责任人",
            "helper_unit": "帮扶单位", "helper_phone": "联系电话", "last_visited": "最近走访日期",
            "started_on": "现帮扶起始日期", "days": "未走访天数"},
           selectors.households_due_for_visit, _household_row,
           note="在册和返贫的户中，最近一次走访（从未走访的，自现帮扶责任人起始之日）距今超过设置 HELPER_VISIT_DAYS 天的户。"),
    Report("visits-by-unit", "各帮扶单位每月走访",
           {"county_name": "县(市、区)", "unit": "帮扶单位", "month": "月份", "visits": "走访次数",
            "home_visits": "其中入户走访", "households": "走访户数", "helpers": "走访的帮扶责任人数"},
           selectors.visits_by_unit, dict),
]}


def report_rows(code: str, *, user, **query) -> list[dict]:
    """The report's rows as shown (labels for codes), for the user."""
    report = REPORTS[code]
    return [report.row(r) for r in report.rows(user=user, **query)]


def report_response(request, code: str, *, door: str, filters: dict, **query):
    """The report as a logged Excel download (households/exports.table_response)."""
    report = REPORTS[code]
    return table_response(request, kind=f"helper_reports.{code}", title=report.title, columns=report.columns,
                          rows=report_rows(code, user=request.user, **query), filters=filters, door=door)
