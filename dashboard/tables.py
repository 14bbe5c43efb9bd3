"""The dashboards' tables: a column map (key → Chinese header) and rows of plain values, which
the page renders and `?export=<name>` writes to Excel unchanged, so the workbook is the table
the user saw (GLOSSARY codes become Chinese labels here, once). No queries."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from plans.selectors import CITY_CODE, Progress, ProgressRow
from projects.selectors import measure_projects

from .selectors import Stage

STATUS_LABELS = {"met": "已完成", "behind": "未完成", "not_yet_due": "未到期", "no_record": "无记录"}
SEVERITY_LABELS = {"error": "错误", "note": "说明", "warning": "警告"}
ITEMS_SHOWN = 5  # a finding may list thousands of households; the table names the first few


class Label(str):
    """Text that carries its CSS class: coloured on the page, plain text in the workbook."""

    def __new__(cls, text: str, css: str):
        label = super().__new__(cls, text)
        label.css = css
        return label


def status(code: str) -> Label:
    return Label(STATUS_LABELS[code], f"status-{code}")


@dataclass(frozen=True)
class Cell:
    value: object
    url: str | None

    @property
    def css(self) -> str:
        if isinstance(self.value, Label):
            return self.value.css
        is_number = isinstance(self.value, (int, float, Decimal)) and not isinstance(self.value, bool)
        return "num" if is_number else ""

    @property
    def text(self):
        if isinstance(self.value, bool):
            return "是" if self.value else "否"
        return "—" if self.value is None or self.value == "" else self.value


@dataclass
class Table:
    name: str  # ?export=<name>
    title: str
    columns: dict[str, str]
    rows: list[dict]
    note: str = ""
    wide: bool = False  # many short columns: cells keep to one line and the table scrolls sideways
    shown: int | None = None  # the page shows at most this many rows; its export, all of them

    def body(self) -> list[list[Cell]]:
        """Each row's cells in the columns' order; a row links a cell by a `<key>_url` entry."""
        rows = self.rows if self.shown is None else self.rows[:self.shown]
        return [[Cell(row.get(key), row.get(f"{key}_url")) for key in self.columns] for row in rows]

    @property
    def cut(self) -> bool:
        return self.shown is not None and len(self.rows) > self.shown


Link = Callable[[str, str], str]  # (url name, code) → URL keeping the page's filters


def yuan(amount) -> Decimal:
    """Amounts to the fen: SQLite hands sums back without the column's two decimals."""
    return Decimal(amount).quantize(Decimal("0.01"))


# ---------------------------------------------------------------- progress and findings


PENDING_NOTE = "待批准脱贫：已预退出、尚未县审批销号的户现有人数，批准前不计入净减贫（识别与退出流程）。"


def progress_table(progress: Progress, *, link: Link, title: str = "各县(市、区)减贫任务完成情况",
                   pending: dict | None = None) -> Table:
    """Per county, each year's quota, net exits, percentage and status, then 2015–2018 against the
    population still poor at the end of 2014; the city's row last when the user sees it. With
    `pending` (workflows.selectors.pending_exits), the persons of exits not yet approved, beside."""
    years = sorted({r.year for r in progress.years})
    columns = {"county": "县(市、区)"}
    for y in years:
        columns |= {f"quota_{y}": f"{y}年任务", f"net_{y}": f"{y}年净减贫", f"percent_{y}": f"{y}年完成率(%)",
                    f"status_{y}": f"{y}年状态"}
    columns |= {"remaining": "2014年底未脱贫", "cumulative_net": "2015–2018年累计净减贫",
                "cumulative_percent": "累计完成率(%)", "cumulative_status": "累计状态"}
    rows: dict[str, dict] = {}

    def add(row: ProgressRow, *, cumulative: bool) -> None:
        entry = rows.setdefault(row.county, {"county": row.county_name})
        if row.county != CITY_CODE:
            entry["county_url"] = link("dashboard:county", row.county)
        if cumulative:
            entry |= {"remaining": row.quota, "cumulative_net": row.net, "cumulative_percent": row.percent,
                      "cumulative_status": status(row.status)}
        else:
            y = row.year
            entry |= {f"quota_{y}": row.quota, f"net_{y}": row.net, f"percent_{y}": row.percent,
                      f"status_{y}": status(row.status)}

    for row in [*progress.years, *progress.city_years]:
        add(row, cumulative=False)
    for row in [*progress.cumulative, *([progress.city_cumulative] if progress.city_cumulative else [])]:
        add(row, cumulative=True)
    if pending is None:
        return Table("progress", title, columns, list(rows.values()), wide=True)
    columns["pending"] = "待批准脱贫人数"
    shown = {(r.county, r.year) for r in progress.years}
    for (county, year), counts in pending.items():
        if (county, year) in shown:
            for code in (county, CITY_CODE):
                if code in rows:
                    rows[code]["pending"] = rows[code].get("pending", 0) + counts["persons"]
    for entry in rows.values():
        entry.setdefault("pending", 0)
    return Table("progress", title, columns, list(rows.values()), note=PENDING_NOTE, wide=True)


def county_progress_table(progress: Progress, *, title: str, pending: dict | None = None) -> Table:
    """One county: a row a year, then 2015–2018 against the 2014-end remaining population; with
    `pending`, the persons of exits not yet approved (workflows.selectors.pending_exits)."""
    columns = {"year": "年度", "quota": "减贫任务", "exited": "脱贫人数", "returned": "返贫人数", "net": "净减贫",
               "percent": "完成率(%)", "status": "状态"}
    rows = [
        {"year": "2015–2018年累计（对2014年底未脱贫）" if r.year is None else f"{r.year}年", "quota": r.quota,
         "exited": r.exited, "returned": r.returned, "net": r.net, "percent": r.percent, "status": status(r.status)}
        for r in [*progress.years, *progress.cumulative]
    ]
    if pending is None:
        return Table("progress", title, columns, rows)
    columns["pending"] = "待批准脱贫人数"
    by_year = [pending.get((r.county, r.year), {}).get("persons", 0) for r in progress.years]
    for row, persons in zip(rows, [*by_year, *([sum(by_year)] if progress.cumulative else [])]):
        row["pending"] = persons
    return Table("progress", title, columns, rows, note=PENDING_NOTE)


def findings_table(name: str, title: str, findings: list) -> Table:
    """The findings that are not as expected; the note counts those that are."""
    shown = [f for f in findings if not f.ok]
    rows = [
        {
            "name": f.name,
            "severity": Label(SEVERITY_LABELS[f.severity], f"severity-{f.severity}"),
            "expected": str(f.expected),
            "actual": str(f.actual),
            "items": "、".join(f.items[:ITEMS_SHOWN]) + (f" 等{len(f.items)}项" if len(f.items) > ITEMS_SHOWN else ""),
        }
        for f in shown
    ]
    columns = {"name": "检查项", "severity": "级别", "expected": "应为", "actual": "实际", "items": "涉及"}
    passed = len(findings) - len(shown)
    return Table(name, title, columns, rows, note=f"另有 {passed} 项检查结果与计划一致。" if passed else "")


# ---------------------------------------------------------------- breakdowns


def counted(name: str, title: str, label: str, rows: list[dict]) -> Table:
    return Table(name, title, {"label": label, "households": "户数", "persons": "人数"}, rows)


def breakdown_tables(data: dict) -> list[Table]:
    return [
        counted("category", "按贫困户类别", "贫困户类别", data["category"]),
        counted("cause", "按主要致贫原因", "主要致贫原因", data["cause"]),
        counted("identified_year", "按识别年份", "识别年份", data["identified_year"]),
        measures_table(data["measures"]),
        Table("events", "脱贫与返贫（按年度）",
              {"year": "年度", "exited_households": "脱贫户数", "exited": "脱贫人数", "returned_households": "返贫户数",
               "returned": "返贫人数", "net": "净减贫人数"},
              data["events"], note="人数为各条记录登记时的家庭人数，与任务完成情况的算法相同。"),
        Table("return_reasons", "返贫原因", {"reason": "返贫原因", "households": "户数", "persons": "人数"},
              data["return_reasons"]),
        Table("routes", "脱贫途径（计划数）", {"name": "脱贫途径", "persons": "计划人数", "section": "计划条目"},
              data["routes"],
              note="脱贫记录不登记脱贫途径，无法按途径统计实际脱贫人数；此表为行动计划二.(一)的计划数。"),
    ]


def measures_table(measures: list[dict]) -> Table:
    """A channel a row, a year a pair of columns (measures, amount), then the channel's totals."""
    years = sorted({m["year"] for m in measures})
    columns = {"name": "帮扶渠道"}
    for y in years:
        columns |= {f"measures_{y}": f"{y}年措施数", f"amount_{y}": f"{y}年金额（元）"}
    columns |= {"measures": "合计措施数", "amount": "合计金额（元）"}
    rows: dict[str, dict] = {}
    for m in measures:
        row = rows.setdefault(m["code"], {"name": m["name"], "measures": 0, "amount": 0})
        row |= {f"measures_{m['year']}": m["measures"], f"amount_{m['year']}": yuan(m["amount"])}
        row["measures"] += m["measures"]
        row["amount"] = yuan(row["amount"] + m["amount"])
    return Table("measures", "帮扶措施（按帮扶渠道和年度）", columns, list(rows.values()), wide=True)


# ---------------------------------------------------------------- places


def places_table(name: str, title: str, level: str, rows: list[dict], *, link: Link) -> Table:
    """Townships of a county or villages of a township, each linking one step down."""
    if level == "township":
        flags = {"is_city_key": "市级重点乡", "is_ethnic": "少数民族乡"}
        place_label = "乡镇"
    else:
        flags = {"is_poor_village": "建档立卡贫困村", "is_hollow": "贫困空壳村"}
        place_label = "建制村"
    columns = {"name": place_label, "code": "区划代码", **flags, "households": "贫困户数", "persons": "贫困人口",
               "exited": "脱贫人数", "returned": "返贫人数", "net": "净减贫人数"}
    out = []
    for r in rows:
        place = r["place"]
        out.append({
            "name": place.name, "name_url": link(f"dashboard:{level}", place.code), "code": place.code,
            **{f: getattr(place, f) for f in flags},
            **{k: r[k] for k in ("households", "persons", "exited", "returned", "net")},
        })
    return Table(name, title, columns, out)


def households_table(households: Iterable, *, link: Link) -> Table:
    columns = {
        "number": "户编号", "head": "户主", "category": "贫困户类别", "main_cause": "主要致贫原因", "members": "人数",
        "identified_year": "识别年份", "income": "人均纯收入（元/年）", "status": "状态",
    }
    rows = [
        {
            "number": h.number, "number_url": link("dashboard:household", h.pk), "head": h.head_name,
            "category": h.get_category_display(), "main_cause": h.main_cause.name, "members": h.member_count,
            "identified_year": h.identified_year, "income": h.income_per_capita,
            "status": Label(h.get_status_display(), f"household-{h.status}"),
        }
        for h in households
    ]
    return Table("households", "贫困户", columns, rows)


def incomes_table(incomes, *, title: str) -> Table:
    return Table("incomes", title, {"year": "年度", "own_income": "自有收入（元）"}, list(incomes))


def income_bands_table(rows: list[dict], *, title: str) -> Table:
    """plans.selectors.income_bands: per year (and county), the households below, near and above
    the poverty line of their standard for that year."""
    columns = {"county_name": "县(市、区)", "year": "年度", "households": "有年度收入的户数", "below": "低于贫困线",
               "near": "贫困线至高出20%", "above": "高出贫困线20%以上", "unknown": "贫困线未登记"}
    return Table("income_bands", title, columns, rows,
                 note="按各户当年年度收入记录的人均纯收入，对照其识别标准当年的贫困线；“贫困线至高出20%”含贫困线本身。")


def population_table(rows: list, *, title: str, link: Link) -> Table:
    """plans.selectors.population_by_year: per county, the registered poor population at the end of
    each year 2014–2018, after the annex's 2014-end remaining column it should start from."""
    years = sorted({y for r in rows for y in r.years})
    columns = {"county": "县(市、区)", "remaining_2014": "附件2014年底未脱贫人数",
               **{f"persons_{y}": f"{y}年底建档立卡贫困人口" for y in years}}
    out = [{"county": r.county_name, "county_url": link("dashboard:county", r.county),
            "remaining_2014": r.remaining_2014, **{f"persons_{y}": n for y, n in r.years.items()}} for r in rows]
    return Table("population", title, columns, out, wide=True,
                 note="各年12月31日在册的建档立卡贫困人口：当日已识别、未脱贫（或已返贫）、未清退的户当日在户的成员，"
                      "按该户当日所在县计。2014年底人数应与附件一致。")


# ---------------------------------------------------------------- a household


def member_table(members, *, show_id: Callable[[str], str]) -> Table:
    """ID numbers as `show_id` shows them (access.id_display), as everywhere in the registry."""
    columns = {
        "name": "姓名", "id_number": "公民身份号码", "relation": "与户主关系", "sex": "性别",
        "birth_date": "出生日期", "health": "健康状况", "labor": "劳动能力", "schooling": "在校情况",
        "draws_dibao": "享受低保", "draws_wubao": "享受五保",
    }
    rows = [
        {
            "name": m.name, "id_number": show_id(m.id_number),
            "relation": m.get_relation_display(),
            "sex": m.get_sex_display(), "birth_date": m.birth_date, "health": m.get_health_display(),
            "labor": m.get_labor_display(), "schooling": m.get_schooling_display(),
            "draws_dibao": m.draws_dibao, "draws_wubao": m.draws_wubao,
        }
        for m in members
    ]
    return Table("members", "家庭成员", columns, rows)


def measure_table(measures) -> Table:
    """The measures of a household (of projects.selectors.with_projects), each with what the five
    projects did through it: the bureau sees what each project did for whom."""
    columns = {"year": "年度", "channel": "帮扶渠道", "content": "帮扶内容", "amount": "金额（元）",
               "term_months": "贷款期限（月）", "unit": "责任单位", "date": "日期", "model": "扶贫模式",
               "projects": "五项工程"}
    rows = [
        {"year": m.year, "channel": m.channel.name, "content": m.content, "amount": m.amount,
         "term_months": m.term_months, "unit": m.unit, "date": m.date,
         "model": m.alleviation_model.name if m.alleviation_model else "", "projects": "；".join(measure_projects(m))}
        for m in measures
    ]
    return Table("measures", "帮扶措施", columns, rows)


def event_table(exits, returns) -> Table:
    """Exits and returns in one timeline: they alternate, so read together they tell the story."""
    columns = {"year": "年度", "kind": "记录", "persons": "人数", "detail": "脱贫时人均纯收入（元/年）或返贫原因",
               "verified_by": "核验人"}
    rows = [
        {"year": e.year, "kind": Label("脱贫", "event-exit"), "persons": e.persons, "detail": e.income_per_capita,
         "verified_by": e.verified_by}
        for e in exits
    ] + [
        {"year": r.year, "kind": Label("返贫", "event-return"), "persons": r.persons, "detail": r.reason,
         "verified_by": r.verified_by}
        for r in returns
    ]
    return Table("events", "脱贫与返贫记录", columns, sorted(rows, key=lambda r: (r["year"], r["kind"] == "返贫")))


HISTORY_TYPES = {"created": "新增", "changed": "修改", "deleted": "删除"}


def household_helpers_table(assignments) -> Table:
    """The helpers a household had (帮扶责任人), in order, with their dates and the reason for each
    change (households.selectors.household_helpers); phones are not listed (personal data: the
    page shows the current helper's as the user may see it)."""
    columns = {"name": "帮扶责任人", "unit": "帮扶单位", "post": "职务", "started_on": "起始日期",
               "ended_on": "终止日期", "reason": "变更原因"}
    rows = [{"name": a.helper.name, "unit": a.helper.unit, "post": a.helper.post, "started_on": a.started_on,
             "ended_on": a.ended_on or "至今", "reason": a.reason} for a in assignments]
    return Table("household_helpers", "历任帮扶责任人", columns, rows)


def household_incomes_table(incomes) -> Table:
    """A household's yearly incomes (年度收入): by source where given, the total, the size at the
    year's end and the per-capita figure."""
    columns = {"year": "年度", "wages": "工资性收入", "business": "生产经营性收入（净）", "property": "财产性收入",
               "transfers": "转移性收入", "total": "合计（元）", "persons": "年末人口", "per_capita": "人均纯收入（元）"}
    rows = [{key: getattr(i, key) for key in columns} for i in incomes]
    return Table("household_incomes", "年度收入", columns, rows)


def history_table(entries: list[dict]) -> Table:
    """households.selectors.household_history's entries with Chinese names of records and fields."""
    rows = []
    for e in entries:
        model = apps.get_model("households", e["model"])
        changes = "；".join(
            f"{_verbose(model, c['field'])}：{_plain(c['old'])} → {_plain(c['new'])}" for c in e["changes"]
        )
        when = timezone.localtime(datetime.datetime.fromisoformat(e["date"]))
        rows.append({"date": f"{when:%Y-%m-%d %H:%M:%S}", "user": e["user"] or "系统",
                     "record": str(model._meta.verbose_name), "type": HISTORY_TYPES[e["type"]], "changes": changes})
    columns = {"date": "时间", "user": "用户", "record": "记录", "type": "操作", "changes": "变更"}
    return Table("history", "修改历史", columns, rows)


def _verbose(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed from the model still has its history
        return name


def _plain(value) -> str:
    return "—" if value in (None, "") else str(value)


# ---------------------------------------------------------------- village income


def stage_tables(data: dict) -> list[Table]:
    """Per stage, how many of the villages it concerns have met it; then each village."""
    stages: list[Stage] = data["stages"]
    summary = []
    for stage in stages:
        statuses = [r["stages"][stage.code] for r in data["rows"] if stage.code in r["stages"]]
        summary.append({
            "name": stage.name, "year": stage.year, "amount": stage.amount, "villages": len(statuses),
            **{code: statuses.count(code) for code in STATUS_LABELS},
        })
    summary_columns = {"name": "阶段目标", "year": "年度", "amount": "自有收入要求（元）", "villages": "涉及村数",
                       **{code: label for code, label in STATUS_LABELS.items()}}
    columns = {"village": "建制村", "code": "区划代码", "township": "乡镇", "county": "县(市、区)",
               "is_poor_village": "建档立卡贫困村", "is_hollow": "贫困空壳村"}
    years = [2014, *(s.year for s in stages)]  # the years flagged_villages() reads
    columns |= {f"income_{y}": f"{y}年自有收入（元）" for y in years}
    columns |= {f"stage_{s.code}": f"{s.year}年阶段" for s in stages}
    rows = []
    for r in data["rows"]:
        v = r["village"]
        rows.append({
            "village": v.name, "code": v.code, "township": v.township.name, "county": v.township.county.name,
            "is_poor_village": v.is_poor_village, "is_hollow": v.is_hollow,
            **{f"income_{y}": amount for y, amount in r["incomes"].items()},
            **{f"stage_{code}": status(s) for code, s in r["stages"].items()},
        })
    return [
        Table("stages", "村集体经济自有收入阶段目标（三.(二).3）", summary_columns, summary,
              note="2016、2018年阶段只涉及贫困空壳村，2020年阶段涉及所有村（此处只列建档立卡贫困村和空壳村）。"),
        Table("villages", "建档立卡贫困村与贫困空壳村", columns, rows, wide=True),
    ]
