"""The 建档立卡 workbook: template, import (clean, again, changed, every bad input), report, export.

Every workbook here is a real .xlsx written with openpyxl and read back through the registry's
own reader; nothing is mocked.
"""

import datetime
import io
import os
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook, load_workbook

from common.actors import SYSTEM
from households import services, workbook
from households.layout import HOUSEHOLD
from households.models import ExitRecord, ExportLog, HelperAssignment, Household, Member, PovertyCause
from households.services import exit_save
from tests.factories import VillageFactory, household, member, resident_id

HEADERS = [c.header for c in workbook.COLUMNS if not c.read_only]
INCOME = "人均纯收入（元）"


def row(number="350424-X0001", village=None, **cells) -> dict:
    """One member's row by header; a head of an ordinary household unless told otherwise."""
    values = {
        "村代码": village or "350424100201",
        "户编号": number,
        "贫困户类别": "一般贫困户",
        "主要致贫原因": "因病",
        "人均纯收入（元）": 2500,
        "姓名": "张三",
        "公民身份号码": resident_id(),
        "与户主关系": "户主",
        "劳动能力": "普通劳动力",
    }
    return {**values, **cells}


def xlsx(rows: list[dict], headers=None, *, before=None) -> bytes:
    book = Workbook()
    sheet = book.active
    headers = headers or HEADERS
    if before:
        before(sheet)
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h) for h in headers] if r else [])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def imported(sheet: workbook.Sheet, *, actor=SYSTEM, **kwargs):
    """The import's report with its problems as the clerk reads them (the sheet's headers and cells)."""
    report = workbook.import_sheet(sheet, actor=actor, **kwargs)
    report.problems = sheet.problems(report)
    return report


def run(data: bytes, **kwargs):
    return imported(workbook.read_workbook(data), **kwargs)


def reasons(report) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.reason) for p in report.problems]


@pytest.fixture
def village(db):
    return VillageFactory(code="350424100201", township__code="350424100")


@pytest.fixture
def snapshot(db):
    """The registry's rows and history, to show that a refused import changed nothing."""

    def take():
        return (
            list(Household.objects.values_list("number", "income_per_capita", "category").order_by("number")),
            list(Member.objects.values_list("id_number", "name", "relation").order_by("id_number")),
            Household.history.count(),
            Member.history.count(),
        )

    return take


# ---------------------------------------------------------------- the template


def test_template_freezes_the_header_and_lists_codes_in_drop_downs(db, tmp_path):
    path = tmp_path / "模板.xlsx"
    call_command("export_households", str(path), "--template", verbosity=0)
    book = load_workbook(path)
    sheet, codes = book.worksheets
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [c.header for c in workbook.COLUMNS]
    assert sheet.max_row == 1
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    category = next(i for i, c in enumerate(workbook.COLUMNS, 1) if c.key == "category")
    letter = sheet.cell(1, category).column_letter
    assert lists[f"{letter}2"] == "'代码表'!$B$2:$B$5"
    names = [codes.cell(r, 2).value for r in range(2, 6)]
    assert names == ["一般贫困户", "有劳动能力的低保贫困户", "无劳动能力的低保户", "五保户"]
    cause_block = [c.value for c in codes[1]].index("主要致贫原因·名称") + 1
    assert codes.cell(2, cause_block).value == "因病"


# ---------------------------------------------------------------- clean imports


def test_clean_import_registers_households_with_history_of_the_user(village, ninghua_clerk, tmp_path):
    wife = resident_id(sex="female", birth=datetime.date(1972, 3, 4))
    data = xlsx([
        row("H1", 公民身份号码=resident_id(), 其他致贫原因="因学、缺技术"),
        row("H1", 姓名="李四", 公民身份号码=wife, 与户主关系="配偶", 健康状况="chronic", 享受低保="是"),
        row("H2", 贫困户类别="dibao", 主要致贫原因="disability", **{INCOME: "1800.5"}),
    ])
    path = tmp_path / "宁化.xlsx"
    path.write_bytes(data)
    call_command("import_households", str(path), "--user", "clerk_ninghua", verbosity=0)
    h1 = Household.objects.get(number="H1")
    assert sorted(h1.other_causes.values_list("code", flat=True)) == ["lack_skills", "schooling"]
    spouse = h1.members.get(id_number=wife)
    assert (spouse.relation, spouse.sex, spouse.birth_date, spouse.health, spouse.draws_dibao) == (
        "spouse", "female", datetime.date(1972, 3, 4), "chronic", True)
    h2 = Household.objects.get(number="H2")
    assert (h2.category, h2.main_cause_id, h2.income_per_capita) == ("dibao", "disability", Decimal("1800.50"))
    assert {e.history_user for e in Household.history.all()} == {ninghua_clerk}
    # One history entry per new record: created, not created and then updated.
    assert list(Member.history.values_list("history_type", "history_user")) == [("+", ninghua_clerk.pk)] * 3


def test_the_same_workbook_twice_changes_nothing_the_second_time(village):
    data = xlsx([row("H1"), row("H1", 姓名="李四", 公民身份号码=resident_id(sex="female"), 与户主关系="配偶")])
    first = run(data)
    assert (first.households["new"], first.members["new"], first.written) == (1, 2, True)
    history = (Household.history.count(), Member.history.count())
    second = run(data)
    assert second.households == {"new": 0, "update": 0, "skip": 1}
    assert second.members == {"new": 0, "update": 0, "skip": 2}
    assert (Household.history.count(), Member.history.count()) == history


def test_a_changed_row_updates_its_record_and_keeps_the_history(village, datian_clerk):
    head = resident_id()
    run(xlsx([row("H1", 公民身份号码=head)]))
    # The income is the latest year's figure, changed through the income records (test_incomes.py).
    report = run(xlsx([row("H1", 公民身份号码=head, 主要致贫原因="缺资金", 姓名="张三丰"),
                       row("H1", 公民身份号码=resident_id(sex="female"), 姓名="王五", 与户主关系="子女", 主要致贫原因="缺资金")]))
    assert report.households["update"] == 1
    assert report.members == {"new": 1, "update": 1, "skip": 0}
    h = Household.objects.get(number="H1")
    assert h.main_cause_id == "lack_funds"
    assert h.members.get(id_number=head).name == "张三丰"
    assert [r.main_cause_id for r in h.history.order_by("history_id")] == ["illness", "lack_funds"]


def test_a_changed_village_is_refused_on_each_row_of_the_household(village):
    """A move is a transfer (迁移), not a changed cell: each row of the household is refused in the
    village column, even for the system, and nothing is written."""
    head, child = resident_id(), resident_id(sex="female")
    run(xlsx([row("H1", 公民身份号码=head), row("H1", 公民身份号码=child, 与户主关系="子女", 姓名="小红")]))
    h = Household.objects.get(number="H1")
    exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2016, income_per_capita=Decimal("4000")))
    VillageFactory(code="350425100201", township__code="350425100", township__county_id="350425")
    report = run(xlsx([row("H1", "350425100201", 公民身份号码=head, 姓名="张三丰", **{INCOME: 4000}),
                       row("H1", "350425100201", 公民身份号码=child, 与户主关系="子女", 姓名="小红", **{INCOME: 4000})]))
    assert not report.written
    assert [(r, column) for r, column, _ in reasons(report)] == [(2, "村代码"), (3, "村代码")]
    assert all("迁移" in why for *_, why in reasons(report))
    h.refresh_from_db()
    assert (h.village_id, h.members.get(id_number=head).name) == ("350424100201", "张三")
    assert h.exits.get().county_id == "350424"


def test_a_head_handed_over_in_the_workbook_is_saved(village):
    old, new = resident_id(), resident_id(sex="female")
    run(xlsx([row("H1", 公民身份号码=old), row("H1", 公民身份号码=new, 与户主关系="配偶", 姓名="李四")]))
    report = run(xlsx([row("H1", 公民身份号码=old, 与户主关系="配偶"), row("H1", 公民身份号码=new, 姓名="李四")]))
    assert report.written, reasons(report)
    assert Member.objects.get(relation="head").id_number == new


def test_members_missing_from_the_workbook_are_kept(village):
    head, child = resident_id(), resident_id(sex="female")
    run(xlsx([row("H1", 公民身份号码=head), row("H1", 公民身份号码=child, 与户主关系="子女", 姓名="小红")]))
    report = run(xlsx([row("H1", 公民身份号码=head)]))
    assert report.written
    assert Household.objects.get(number="H1").members.count() == 2


def test_export_then_import_gives_back_the_same_registry(village, tmp_path):
    household(number="R1", village=village, other_causes=PovertyCause.objects.filter(code="schooling"), address="宁化县城关",
              members=[member(), member(name="李四", relation="spouse", id_number=resident_id(sex="female"),
                                    health="disabled", disability_certificate="35042419700101123X")])
    household(number="R2", village=village, category="wubao", members=[member(labor="none", draws_wubao=True)])
    first = tmp_path / "first.xlsx"
    call_command("export_households", str(first), verbosity=0)
    for h in Household.objects.all():
        services.household_delete(actor=SYSTEM, household=h)
    call_command("import_households", str(first), verbosity=0)
    second = tmp_path / "second.xlsx"
    call_command("export_households", str(second), verbosity=0)

    def cells(path):
        return [[c.value for c in r] for r in load_workbook(path).worksheets[0].iter_rows()]

    assert cells(first) == cells(second)
    assert len(cells(first)) == 4  # the header and three members


# ---------------------------------------------------------------- the workbook as a whole is unreadable


def _encrypted() -> bytes:
    plain = io.BytesIO(xlsx([row()]))
    out = io.BytesIO()
    office = OOXMLFile(plain)
    office.encrypt("secret", out)
    return out.getvalue()


def _far_cell(*refs: str) -> bytes:
    """XFD1048576: a reader that trusts the extent allocates 17 billion cells."""
    book = Workbook()
    book.active.append(HEADERS)
    for ref in refs:
        book.active[ref] = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    return out.getvalue()


UNREADABLE = {
    "csv renamed": ("户编号,姓名\n1,张三\n".encode("gb18030"), "CSV"),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj", "PDF"),
    "random bytes": (os.urandom(4096).replace(b"PK", b"pk").replace(b"\xd0\xcf", b"xx"), "不是 Excel"),
    "empty file": (b"", "文件是空的"),
    "zip that is not a workbook": (_zip_without_workbook(), "不是 Excel"),
    "huge sheet extent": (_far_cell("XFD1048576"), "范围过大"),
    "a row past 500,000": (_far_cell("A500001"), "范围过大（用到了第 500001 行"),
    "a column past 200": (_far_cell("GS2"), "第 201 列"),
    "password to open": (_encrypted(), "密码"),
    "missing headers": (xlsx([{"户编号": "H1", "姓名": "张三"}], ["户编号", "姓名"]), "缺少必填列：村代码、贫困户类别"),
    "renamed header": (xlsx([row()], [h.replace("公民身份号码", "身份证") for h in HEADERS]), "无法识别的列：身份证"),
    "header only": (xlsx([]), "没有数据行"),
}


@pytest.mark.parametrize("case", UNREADABLE)
def test_an_unreadable_file_is_refused_with_a_reason_and_changes_nothing(village, snapshot, tmp_path, case):
    data, reason = UNREADABLE[case]
    before = snapshot()
    with pytest.raises(workbook.WorkbookError) as e:
        workbook.read_workbook(data)
    assert reason in str(e.value)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=reason):
        call_command("import_households", str(path), verbosity=0)
    assert snapshot() == before


def test_cells_at_the_limits_pass_the_extent_check():
    archive = workbook.container.check_container(_far_cell("GR2", "A500000"))
    for name in workbook.container.worksheets(archive, workbook.container.first_sheet(archive)):
        workbook.container.check_extent(archive, name)


# ---------------------------------------------------------------- rows refused, all or nothing


def test_a_refused_row_keeps_the_whole_workbook_out(village, snapshot):
    before = snapshot()
    report = run(xlsx([row("H1"), row("H2", 公民身份号码="350424197005170000")]))
    assert not report.written
    assert reasons(report) == [(3, "公民身份号码", "公民身份号码校验码错误，请核对号码")]
    assert snapshot() == before


BAD_ROWS = {
    "id turned into a number by Excel": ({"公民身份号码": 3.50424197005171e17}, "公民身份号码", "存成了数字"),
    "id in scientific notation as text": ({"公民身份号码": "3.50424E+17"}, "公民身份号码", "科学计数法"),
    "masked id of an export": ({"公民身份号码": "350424********1234"}, "公民身份号码", "脱敏"),
    "unknown village code": ({"村代码": "350424999999"}, "村代码", "未知的村代码：350424999999"),
    "unknown category": ({"贫困户类别": "特困户"}, "贫困户类别", "不是有效的选项"),
    "unknown cause": ({"主要致贫原因": "懒"}, "主要致贫原因", "不是已知的致贫原因"),
    "text in a number column": ({"人均纯收入（元）": "两千"}, "人均纯收入（元）", "应为数字"),
    "negative income": ({"人均纯收入（元）": -5}, "人均纯收入（元）", "大于或等于"),
    "year out of range": ({"识别年份": 2030}, "识别年份", "小于或等于"),
    "birth date against the id": ({"出生日期": "1971-01-01"}, "出生日期", "出生日期与公民身份号码不符"),
    "no date": ({"出生日期": "去年"}, "出生日期", "不是有效的日期"),
    "missing required value": ({"姓名": None}, "姓名", "必填"),
    "bad phone": ({"联系电话": "call me"}, "联系电话", "电话号码"),
    "main cause also secondary": ({"其他致贫原因": "因病"}, "其他致贫原因", "不能与主要致贫原因相同"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_a_bad_cell_is_refused_naming_its_row_column_and_value(village, snapshot, case):
    cells, column, reason = BAD_ROWS[case]
    before = snapshot()
    report = run(xlsx([row("H0"), row("H1", **cells)]))
    assert not report.written
    assert [(p.row, p.column) for p in report.problems] == [(3, column)]
    assert reason in report.problems[0].reason
    assert snapshot() == before


def test_household_columns_must_agree_on_every_row_of_the_household(village):
    report = run(xlsx([row("H1"), row("H1", 公民身份号码=resident_id(), 与户主关系="子女", 贫困户类别="五保户")]))
    assert reasons(report) == [(3, "贫困户类别", "同一户各行的“贫困户类别”应相同（第 2 行不同）")]


@pytest.mark.parametrize(("relations", "reason"), [
    (["户主", "户主"], "每户只能有一名户主（现有2名）"),
    (["配偶", "子女"], "每户必须有一名户主"),
])
def test_a_household_needs_exactly_one_head(village, relations, reason):
    rows = [row("H1", 与户主关系=r, 公民身份号码=resident_id()) for r in relations]
    report = run(xlsx(rows))
    assert reasons(report) == [(2, "与户主关系", reason)]


def test_the_same_person_twice_in_the_file_is_refused(village):
    person = resident_id()
    report = run(xlsx([row("H1", 公民身份号码=person), row("H2", 公民身份号码=person)]))
    assert [(p.row, p.column) for p in report.problems] == [(3, "公民身份号码")]
    assert "在多户中登记" in report.problems[0].reason


def test_a_person_of_another_household_is_refused(village):
    taken = household(village=village).members.get().id_number
    report = run(xlsx([row("H9", 公民身份号码=taken)]))
    assert reasons(report) == [(2, "公民身份号码", "该公民身份号码已登记在另一个有效的贫困户中")]


# ---------------------------------------------------------------- what a clerk's Excel looks like


def test_numbers_as_text_dates_as_serials_and_text_blank_rows_and_extra_columns(village):
    born = datetime.date(1970, 5, 17)
    serial = (born - datetime.date(1899, 12, 30)).days
    rows = [
        row("H1", 识别年份="2015", **{INCOME: "2,500.00"}, 出生日期=serial, 备注="自己加的列"),
        {},
        row("H1", 公民身份号码=resident_id(sex="female", birth=born), 与户主关系="配偶", 识别年份="2015",
            **{INCOME: "2,500.00"}, 出生日期="1970年5月17日"),
    ]
    report = run(xlsx(rows, [*HEADERS, "备注"]))
    assert report.written, reasons(report)
    assert (report.blank_rows, report.ignored_headers, report.members["new"]) == (1, ["备注"], 2)
    assert "已忽略无法识别的列：备注" in report.summary()
    assert Household.objects.get().identified_year == 2015


def test_a_title_row_above_the_header_and_merged_household_cells(village):
    """Clerks put a title over the table and merge a household's cells over its members' rows."""
    data = xlsx(
        [row("H1"), row(None, 村代码=None, 贫困户类别=None, 主要致贫原因=None, **{INCOME: None},
                        姓名="李四", 公民身份号码=resident_id(sex="female"), 与户主关系="配偶")],
        before=lambda sheet: sheet.append(["三明市宁化县建档立卡贫困户花名册"]),
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for position, header in enumerate(HEADERS, start=1):
        if {c.header: c for c in workbook.COLUMNS}[header].level == HOUSEHOLD:
            sheet.merge_cells(start_row=3, end_row=4, start_column=position, end_column=position)
    out = io.BytesIO()
    book.save(out)
    report = run(out.getvalue())
    assert report.written, reasons(report)
    assert Household.objects.get(number="H1").members.count() == 2


def _sheet_of(rows: int) -> bytes:
    """A workbook of `rows` rows, its sheet XML written directly (openpyxl takes seconds for it)."""
    headers = ["村代码", "户编号", "贫困户类别", "主要致贫原因", INCOME, "姓名", "公民身份号码", "与户主关系", "劳动能力"]
    base = xlsx([], headers)

    def cells(values):
        return "".join(
            f'<c t="n"><v>{v}</v></c>' if isinstance(v, int) else f'<c t="inlineStr"><is><t>{v}</t></is></c>'
            for v in values
        )

    body = "".join(
        f'<row r="{n + 2}">'
        + cells(["350424100201", f"B{n}", "一般贫困户", "因病", 2500, "张三", 350424197005171234 + n, "户主", "普通劳动力"])
        + "</row>"
        for n in range(rows)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</row></sheetData>", b"</row>" + body.encode() + b"</sheetData>")
            target.writestr(entry, data)
    return out.getvalue()


def test_a_hundred_thousand_refused_rows_are_all_reported_and_nothing_written(village, snapshot):
    before = snapshot()
    report = run(_sheet_of(100_001))
    assert len(report.refused_rows) == 100_001
    assert {p.reason.split("（")[0] for p in report.problems} == {"身份号码被 Excel 存成了数字"}
    assert snapshot() == before


# ---------------------------------------------------------------- scope and the report


def test_a_clerk_imports_only_into_their_own_county(village, ninghua_clerk, snapshot):
    datian_village = VillageFactory(code="350425100201", township__code="350425100", township__county_id="350425")
    datian = household(number="D1", village=datian_village, members=[member(id_number=resident_id(prefix="350425"))])
    before = snapshot()
    report = run(xlsx([
        row("N1"),
        row("D2", village="350425100201", 公民身份号码=resident_id(prefix="350425")),
        row("D1", 公民身份号码=datian.members.get().id_number),  # a 大田 household moved into 宁化
    ]), actor=ninghua_clerk)
    assert reasons(report) == [
        (3, "村代码", "只能导入本人负责的县(市、区)的贫困户"),
        (4, "户编号", "该户编号属于你无权修改的县(市、区)的贫困户"),
    ]
    assert snapshot() == before


def test_the_report_holds_the_refused_rows_with_their_reasons(village):
    data = xlsx([row("H1"), row("H2", 公民身份号码="123"), row("H3", 贫困户类别="?")])
    parsed = workbook.read_workbook(data)
    report = workbook.import_sheet(parsed, actor=SYSTEM)
    sheet = load_workbook(io.BytesIO(workbook.report_workbook(parsed, report))).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "拒绝原因"
    rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)]
    assert [r["户编号"] for r in rows] == ["H2", "H3"]
    assert rows[0]["拒绝原因"] == "第 3 行：公民身份号码：公民身份号码应为18位（现为3位）（原值：123）"
    assert rows[1]["拒绝原因"].startswith("第 4 行：贫困户类别：不是有效的选项")


def test_the_command_exits_non_zero_and_names_the_problem(village, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([row("H1", 与户主关系="配偶")]))
    report = tmp_path / "report.xlsx"
    with pytest.raises(CommandError, match="1 行被拒绝"):
        call_command("import_households", str(path), "--report", str(report))
    assert "第 2 行【与户主关系】“配偶”：每户必须有一名户主" in capsys.readouterr().err
    assert load_workbook(report).worksheets[0].max_row == 2
    with pytest.raises(CommandError, match="没有用户 nobody"):
        call_command("import_households", str(path), "--user", "nobody")


def test_a_dry_run_reports_and_writes_nothing(village, tmp_path, capsys):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx([row("H1")]))
    call_command("import_households", str(path), "--dry-run")
    assert "贫困户：新增 1" in capsys.readouterr().out
    assert not Household.objects.exists()


def test_exports_are_logged_with_user_filter_and_rows(village, city_reviewer, tmp_path):
    household(village=village)
    call_command("export_households", str(tmp_path / "e.xlsx"), "--county", "350424", "--user", "reviewer", verbosity=0)
    log = ExportLog.objects.get()
    assert (log.user, log.door, log.kind, log.filters, log.rows, log.full_id_numbers) == (
        city_reviewer, "command", "households", {"county": ["350424"]}, 1, False)
    exported = load_workbook(tmp_path / "e.xlsx").worksheets[0]
    ids = [c.value for c in exported["S"][1:]]
    assert ids and all("********" in i for i in ids)


def test_a_helper_refused_while_the_households_are_written_undoes_the_whole_import(village):
    """The helpers' rows are checked as the households are being written (copies.background_writes):
    one helper given two phones is refused by row, and nothing of the workbook is kept."""
    before = (Household.objects.count(), Member.objects.count())
    rows = [row(f"350424-W{i:04d}", village.code, 帮扶责任人="陈干部", 帮扶责任人单位="宁化县财政局",
                帮扶责任人电话="13800000000" if i < 30 else "13900000000") for i in range(40)]
    report = run(xlsx(rows))
    assert not report.written
    assert [(p.row, p.column) for p in report.problems] == [(32, "帮扶责任人电话")]
    assert "电话不一致" in report.problems[0].reason
    assert (Household.objects.count(), Member.objects.count()) == before
    assert not HelperAssignment.objects.exists()


def test_the_import_tells_each_stage_and_counts_the_households_it_reads_from_the_registry(village):
    told = []
    workbook.import_sheet(
        workbook.read_workbook(xlsx([row("H1", village.code), row("H1", village.code, 与户主关系="配偶"),
                                     row("H2", village.code), row("H3", village.code)])),
        actor=SYSTEM, progress=lambda done, total=None, stage=None: told.append((done, total, stage)))
    assert [stage for *_, stage in told if stage] == ["核对登记库", "核对登记库", "检查各行", "写入"]
    assert [(done, total) for done, total, stage in told if stage == "核对登记库"] == [(0, 3), (3, 3)]
    assert Household.objects.count() == 3
