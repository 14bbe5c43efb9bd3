"""The projects page's tables (五项工程, 三.(一), and the eight models, 四.3): each project's counts by
county and its ledger (台账), on the dashboards' Table (tables.py). No queries."""

from collections.abc import Callable
from decimal import Decimal

from households.models import Member
from projects.models import LinkType, PostKind

from .tables import Label, Link, Table, yuan

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
