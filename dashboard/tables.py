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

from households.models import Member
from households.validators import mask_id
from plans.selectors import CITY_CODE, Progress, ProgressRow
from projects.models import LinkType, PostKind
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

    def body(self) -> list[list[Cell]]:
        """Each row's cells in the columns' order; a row links a cell by a `<key>_url` entry."""
        return [[Cell(row.get(key), row.get(f"{key}_url")) for key in self.columns] for row in self.rows]


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


# ---------------------------------------------------------------- a household


def member_table(members, *, mask: bool) -> Table:
    """ID numbers masked (350424********1234) when `mask`, as everywhere in the registry."""
    columns = {
        "name": "姓名", "id_number": "公民身份号码", "relation": "与户主关系", "sex": "性别",
        "birth_date": "出生日期", "health": "健康状况", "labor": "劳动能力", "schooling": "在校情况",
        "draws_dibao": "享受低保", "draws_wubao": "享受五保",
    }
    rows = [
        {
            "name": m.name, "id_number": mask_id(m.id_number) if mask else m.id_number,
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


# ---------------------------------------------------------------- the five projects (五项工程)

RANGE_LABELS = {
    "within": Label("在计划范围内", "status-met"),
    "below": Label("少于计划下限", "status-behind"),
    "above": Label("超过计划上限", "status-behind"),
    "partial": Label("全市考核", "status-not_yet_due"),
}
NOT_SEEN = "不在查看范围"  # a household the reader does not see, in a ledger of their project
YEAR_NOTE = "选择年度时：基金、车间、试点等为该年底前设立的，贷款、务工、岗位、资助、培训为该年度的。"


def _with_total(rows: list[dict], columns: dict[str, str], *, label_key: str = "county") -> list[dict]:
    """The rows and, when there are several, their sum (各县之和) as a last row; years are not summed."""
    if len(rows) < 2:
        return rows
    total = {label_key: "合计"}
    for key in columns:
        values = [r.get(key) for r in rows]
        if key not in (label_key, "year") and all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in values):
            total[key] = sum(values)
    return [*rows, total]


def _county_cells(row: dict, county_link: Callable[[str], str]) -> dict:
    return {"county": row["county_name"], "county_url": county_link(row["county"])}


def _household_cells(row: dict, *, link: Link) -> dict:
    """The household's number (linking to its page), head, township and village, or none of them
    for a household the reader does not see."""
    if not row["seen"]:
        return {"number": NOT_SEEN}
    return {"number": row["number"], "number_url": link("dashboard:household", row["household_pk"]),
            "head": row["head"], "township": row["home_township"], "village": row["home_village"]}


def fund_table(rows: list[dict], *, county_link) -> Table:
    columns = {"county": "县(市、区)", "funds": "担保基金数", "capital": "基金规模（元）", "loans": "担保贷款笔数",
               "amount": "贷款金额（元）", "outstanding": "在保余额（元）", "subsidy": "贴息金额（元）",
               "households": "受益户数"}
    out = [{**_county_cells(r, county_link), "funds": r["funds"], "capital": yuan(r["capital"]), "loans": r["loans"],
            "amount": yuan(r["amount"]), "outstanding": yuan(r["outstanding"]), "subsidy": yuan(r["subsidy"]),
            "households": r["households"]} for r in rows]
    return Table("funds", "乡村扶贫担保基金（三.(一).1）", columns, _with_total(out, columns),
                 note="在保余额为尚未还清的担保贷款金额之和；贷款金额、期限以该户的金融扶持措施为准。")


def employment_table(rows: list[dict], *, counties: list[tuple[str, str]], county_link) -> Table:
    """A county a row (every county of the project's scope), a year three columns: the workers in
    its workshops, the holders of its posts, and both together, each person once."""
    years = sorted({r["year"] for r in rows})
    columns = {"county": "县(市、区)"}
    for y in years:
        columns |= {f"jobs_{y}": f"{y}年车间务工", f"posts_{y}": f"{y}年公益性岗位", f"employed_{y}": f"{y}年家门口就业"}
    found = {(r["county"], r["year"]): r for r in rows}
    out = []
    for code, name in counties if years else []:
        row = {**_county_cells({"county": code, "county_name": name}, county_link)}
        for y in years:
            r = found.get((code, y), {})
            row |= {f"jobs_{y}": r.get("jobs", 0), f"posts_{y}": r.get("posts", 0), f"employed_{y}": r.get("employed", 0)}
        out.append(row)
    return Table("employment", "贫困人口家门口就业人数（按车间、岗位所在县和年度）", columns, _with_total(out, columns),
                 wide=True, note="家门口就业：同一年在本县就业扶贫车间务工或担任公益性岗位的贫困人口，每人只计一次。")


def units_table(rows: list[dict], *, county_link) -> Table:
    columns = {"county": "县(市、区)", "workshops": "就业扶贫车间数", "outside": "其中县域外企业创办",
               "workers": "车间务工人数", **{f"post_{k}": str(label) for k, label in PostKind.choices}, "posts": "公益性岗位合计"}
    out = [{**_county_cells(r, county_link), **{k: r[k] for k in columns if k != "county"}} for r in rows]
    return Table("units", "就业扶贫车间与公益性岗位（三.(一).2）", columns, _with_total(out, columns), wide=True,
                 note="公益性岗位按人次计（一人一年一类岗位一次）；车间务工人数为在该县车间务工过的贫困人口。")


def pilot_range_table(rows: list[dict]) -> Table:
    names = {"villages": "整村推进试点示范村", "organisations": "产业帮带试点经济组织（龙头企业、示范社、示范农场）"}
    columns = {"name": "试点类型", "range": "计划数（全市）", "actual": "已确定", "status": "状态"}
    out = [{"name": names[r["key"]], "range": f"{r['low']}–{r['high']}" if r["low"] is not None else None,
            "actual": r["actual"], "status": RANGE_LABELS[r["status"]]} for r in rows]
    note = "计划三.(一).3：全市试点示范村20–30个、试点经济组织10–20个；超出范围只提示，不拒绝登记。"
    if any(r["status"] == "partial" for r in rows):
        note += "您所看的范围不是全市，只列数字，不对照计划范围。"
    return Table("pilot_ranges", "试点示范对照计划（三.(一).3）", columns, out, note=note)


def pilots_table(rows: list[dict], *, county_link) -> Table:
    columns = {"county": "县(市、区)", "villages": "试点示范村", "organisations": "试点经济组织",
               **{f"link_{k}": str(label) for k, label in LinkType.choices}, "brought": "帮带贫困户数"}
    out = [{**_county_cells(r, county_link), **{k: r[k] for k in columns if k != "county"}} for r in rows]
    return Table("pilots", "各县试点示范与利益联接机制", columns, _with_total(out, columns),
                 note="帮带贫困户数：本县试点经济组织帮带的贫困户，每户只计一次（含外县户）。")


def pilot_list_table(pilots) -> Table:
    columns = {"county": "县(市、区)", "kind": "试点类型", "name": "名称", "township": "乡镇", "village": "所在村",
               "link_type": "利益联接机制", "model": "扶贫模式", "year": "确定年度", "brought": "帮带贫困户数"}
    rows = [
        {"county": p.county.name, "kind": p.get_kind_display(), "name": str(p),
         "township": p.village.township.name if p.village else None, "village": p.village.name if p.village else None,
         "link_type": p.get_link_type_display(), "model": p.alleviation_model.name if p.alleviation_model else None,
         "year": p.year, "brought": None if p.is_village else p.brought}
        for p in pilots
    ]
    return Table("pilot_list", "试点示范名单", columns, rows)


def education_table(rows: list[dict], *, county_link) -> Table:
    columns = {"county": "县(市、区)", "funds": "助学基金数", "government": "政府投入（元）", "donations": "社会捐资（元）",
               "raised": "筹集合计（元）", "grants": "资助人次", "granted": "资助金额（元）", "students": "受助学生数"}
    out = [{**_county_cells(r, county_link), "funds": r["funds"],
            **{k: yuan(r[k]) for k in ("government", "donations", "raised", "granted")},
            "grants": r["grants"], "students": r["students"]} for r in rows]
    return Table("education", "乡村教育助学基金（三.(一).4）", columns, _with_total(out, columns))


TRAINING_COLUMNS = {
    "n_fee_waived": "减免培训费", "n_board_waived": "减免食宿费", "n_certification_waived": "减免技能鉴定费",
    "n_guidance_given": "优先就业指导", "n_job_referred": "优先推荐就业", "n_loan_subsidy_given": "优先贷款贴息",
    "n_certified": "取得技能证书",
}


def training_table(rows: list[dict], *, county_link) -> Table:
    columns = {"county": "县(市、区)", "year": "年度", "courses": "培训班数", "persons": "培训贫困人口",
               "trainings": "培训人次", **TRAINING_COLUMNS}
    out = [{**_county_cells(r, county_link), **{k: r[k] for k in columns if k != "county"}} for r in rows]
    return Table("training", "就业技能培训（三.(一).5）", columns, _with_total(out, columns), wide=True,
                 note="按培训机构所在县和培训班年度统计；“三减免三优先”各项为享受的人次。")


def models_table(rows: list[dict]) -> Table:
    columns = {"name": "扶贫模式", "measures": "帮扶措施数", "pilots": "试点示范数", "workshops": "就业扶贫车间数"}
    out = [{k: r[k] for k in columns} for r in rows]
    return Table("models", "八种模式（四.3）", columns, _with_total(out, columns, label_key="name"),
                 note="只计登记了扶贫模式的措施、试点和车间；帮扶措施为您可查看的贫困户的。")


def loan_ledger_table(rows: list[dict], *, link: Link) -> Table:
    columns = {"county": "县(市、区)", "township": "乡镇", "village": "村", "number": "户编号", "head": "户主",
               "fund": "担保基金", "bank": "贷款银行", "year": "年度", "amount": "贷款金额（元）",
               "term": "期限（月）", "subsidy": "贴息金额（元）", "issued": "放款日期", "repaid": "还清日期",
               "state": "状态"}
    out = [{"county": r["county_name"], **_household_cells(r, link=link), "fund": r["fund_name"],
            "bank": r["loan_bank"] or r["partner_bank"], "year": r["year"], "amount": yuan(r["amount"]),
            "term": r["term"], "subsidy": yuan(r["subsidy"]), "issued": r["issued"], "repaid": r["repaid"],
            "state": "已还清" if r["repaid"] else "在保"} for r in rows]
    return Table("loan_ledger", "担保贷款台账", columns, out, wide=True)


def job_ledger_table(rows: list[dict], *, link: Link) -> Table:
    columns = {"county": "县(市、区)", "workshop": "就业扶贫车间", "enterprise": "创办企业",
               "workshop_township": "车间所在乡镇", "village": "户所在村", "number": "户编号", "member": "务工人员",
               "year": "年度", "wage": "月工资（元）"}
    out = [{"county": r["county_name"], "workshop": r["workshop_name"], "enterprise": r["enterprise"],
            "workshop_township": r["workshop_township"], **_household_cells(r, link=link),
            "member": r["member_name"], "year": r["job_year"],
            "wage": None if r["wage"] is None else yuan(r["wage"])} for r in rows]
    return Table("job_ledger", "车间务工台账", columns, out, wide=True)


def post_ledger_table(rows: list[dict], *, link: Link) -> Table:
    columns = {"county": "县(市、区)", "post_village": "岗位所在村", "kind": "岗位类型", "title": "岗位名称",
               "number": "户编号", "member": "上岗人员", "year": "年度", "pay": "月补贴（元）"}
    kinds = {k: str(label) for k, label in PostKind.choices}
    out = [{"county": r["county_name"], "post_village": r["post_village"], "kind": kinds[r["post_kind"]],
            "title": r["post_title"], **_household_cells(r, link=link), "member": r["member_name"],
            "year": r["post_year"], "pay": None if r["pay"] is None else yuan(r["pay"])} for r in rows]
    return Table("post_ledger", "公益性岗位台账", columns, out, wide=True)


def aid_ledger_table(rows: list[dict], *, link: Link) -> Table:
    columns = {"county": "县(市、区)", "fund": "助学基金", "township": "乡镇", "village": "村", "number": "户编号",
               "member": "受助学生", "schooling": "在校情况", "year": "年度", "amount": "资助金额（元）"}
    schooling = {k: str(label) for k, label in Member.Schooling.choices}
    out = [{"county": r["county_name"], "fund": r["fund_name"], **_household_cells(r, link=link),
            "member": r["member_name"], "schooling": schooling.get(r["schooling"]) if r["seen"] else None,
            "year": r["aid_year"], "amount": yuan(r["aid_amount"])} for r in rows]
    return Table("aid_ledger", "助学资助台账", columns, out, wide=True)


def training_ledger_table(rows: list[dict], *, link: Link) -> Table:
    flags = {key.removeprefix("n_"): label for key, label in TRAINING_COLUMNS.items()}
    columns = {"county": "县(市、区)", "institution": "培训机构", "course": "培训班", "year": "年度", "village": "户所在村",
               "number": "户编号", "member": "学员", **flags}
    out = [{"county": r["county_name"], "institution": r["institution"], "course": r["course_name"],
            "year": r["course_year"], **_household_cells(r, link=link), "member": r["member_name"],
            **{flag: r[f"flag_{flag}"] for flag in flags}} for r in rows]
    return Table("training_ledger", "技能培训台账", columns, out, wide=True)


def project_tables(data: dict, *, link: Link, county_link: Callable[[str], str]) -> list[Table]:
    """The projects' page (projects.selectors.project_summary): per project its counts by county,
    then its ledger (台账) of what it did for whom; the eight models last."""
    return [
        fund_table(data["funds"], county_link=county_link),
        loan_ledger_table(data["loans"], link=link),
        employment_table(data["employment"], counties=[(r["county"], r["county_name"]) for r in data["units"]],
                         county_link=county_link),
        units_table(data["units"], county_link=county_link),
        job_ledger_table(data["jobs"], link=link),
        post_ledger_table(data["posts"], link=link),
        pilot_range_table(data["pilot_ranges"]),
        pilots_table(data["pilots"], county_link=county_link),
        pilot_list_table(data["pilot_list"]),
        education_table(data["education"], county_link=county_link),
        aid_ledger_table(data["aids"], link=link),
        training_table(data["training"], county_link=county_link),
        training_ledger_table(data["trainings"], link=link),
        models_table(data["models"]),
    ]
