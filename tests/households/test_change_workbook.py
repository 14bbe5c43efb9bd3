"""The 动态调整 workbook (issue 18 point 5): one row per member change through member_change_record,
all or nothing, written once however often it is imported, each refusal with its row and column."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from households.models import Household, Member, MemberChange
from households.workbook import records
from jobs.models import Job
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

D = datetime.date
BOOK = records.BOOKS["memberchange"]


def sheet(*rows: dict) -> bytes:
    """A workbook as a clerk fills the template: cells by header, labels where a clerk types them."""
    by_header = {c.header: c.key for c in BOOK.columns}
    return records.template(BOOK, [{by_header[h]: v for h, v in r.items()} for r in rows])


def imported(data: bytes, actor, *, dry_run=False):
    return records.import_records(BOOK, data, actor=actor, dry_run=dry_run)[1]


def state():
    """What a refused workbook must leave as it was."""
    return (list(Member.objects.order_by("id").values_list("id", "household_id", "relation", "left_on", "active",
                                                           "id_number", "name")),
            list(Household.objects.order_by("id").values_list("id", "status")), MemberChange.objects.count())


@pytest.fixture
def families(village):
    """Two registered households of 城南村: 王 (head, spouse, son) and 李 (head, daughter)."""
    wang = household(village=village, number="NH-W", members=[
        member(name="王父", id_number=resident_id(birth=D(1960, 3, 3))),
        member(name="王母", relation="spouse", id_number=resident_id(birth=D(1962, 4, 4), sex="female")),
        member(name="王子", relation="child", id_number=resident_id(birth=D(1990, 5, 5))),
    ])
    li = household(village=village, number="NH-L", members=[
        member(name="李父", id_number=resident_id(birth=D(1958, 6, 6))),
        member(name="李女", relation="child", id_number=resident_id(birth=D(1992, 7, 7), sex="female")),
    ])
    return wang, li


def ids(h):
    return {m.name: m.id_number for m in h.members.all()}


def test_a_years_changes_import_in_order_and_a_second_import_writes_nothing(families, ninghua_clerk):
    wang, li = families
    w, li_ids = ids(wang), ids(li)
    baby = resident_id(birth=D(2016, 3, 1), sex="female")
    data = sheet(
        {"户编号": "NH-W", "变动类型": "出生", "变动日期": D(2016, 3, 1), "公民身份号码": baby, "姓名": "王孙",
         "与户主关系": "孙子女", "劳动能力": "无劳动力"},
        {"户编号": "NH-W", "变动类型": "死亡", "变动日期": D(2016, 8, 9), "公民身份号码": w["王父"],
         "新户主公民身份号码": w["王子"], "变动原因": "病故"},
        {"户编号": "NH-L", "变动类型": "婚出", "变动日期": D(2017, 1, 2), "公民身份号码": li_ids["李女"],
         "对方户编号": "NH-W", "与户主关系": "儿媳/女婿"},
        {"户编号": "NH-W", "变动类型": "分户", "变动日期": D(2017, 5, 1), "公民身份号码": w["王母"],
         "与户主关系": "户主", "对方户编号": "NH-W2", "新户类别": "五保户", "新户主要致贫原因": "缺劳力"},
        {"户编号": "NH-L", "变动类型": "信息更正", "变动日期": D(2017, 6, 1), "公民身份号码": li_ids["李父"],
         "更正项目": "姓名", "更正后的值": "李大"},
    )
    report = imported(data, ninghua_clerk)
    assert (report.written, report.problems, report.outcomes["new"]) == (True, [], 5)
    present = {m.name: m.relation for m in Member.objects.filter(household__number="NH-W", left_on__isnull=True)}
    assert present == {"王子": "head", "王孙": "grandchild", "李女": "in_law"}
    assert Member.objects.get(household__number="NH-W", name="王父").left_on == D(2016, 8, 9)
    assert list(Household.objects.get(number="NH-W2").members.values_list("name", "relation")) == [("王母", "head")]
    assert Member.objects.get(household__number="NH-L", relation="head").name == "李大"
    changes = MemberChange.objects.count()

    again = imported(data, ninghua_clerk)
    assert (again.written, again.problems, again.outcomes) == (True, [], {"skip": 5})
    assert MemberChange.objects.count() == changes


BAD_ROWS = [
    # (the row, the column it is refused in)
    ({"变动类型": "死亡", "变动日期": D(2013, 5, 1), "公民身份号码": "王子"}, "变动日期"),  # before identification
    ({"变动类型": "死亡", "变动日期": D(2999, 1, 1), "公民身份号码": "王子"}, "变动日期"),  # in the future
    ({"变动类型": "出生", "变动日期": D(2016, 3, 2), "公民身份号码": "BABY", "姓名": "王孙", "与户主关系": "孙子女",
      "劳动能力": "无劳动力"}, "变动日期"),  # the ID number says another day
    ({"变动类型": "死亡", "变动日期": D(2016, 8, 9), "公民身份号码": "王父"}, "新户主公民身份号码"),  # headless
    ({"变动类型": "分户", "变动日期": D(2017, 5, 1), "公民身份号码": "王父", "与户主关系": "户主", "对方户编号": "NH-X",
      "新户类别": "一般贫困户", "新户主要致贫原因": "因病"}, "新户主公民身份号码"),  # the old household headless
    ({"变动类型": "信息更正", "变动日期": D(2017, 6, 1), "公民身份号码": "王子", "更正项目": "公民身份号码",
      "更正后的值": "李父"}, "更正后的值"),  # another active person's number
    ({"变动类型": "死亡", "变动日期": D(2016, 8, 9), "公民身份号码": "nobody"}, "公民身份号码"),
    ({"变动类型": "婚出", "变动日期": D(2016, 8, 9), "公民身份号码": "王子", "对方户编号": "NH-NONE",
      "与户主关系": "配偶"}, "对方户编号"),
]


@pytest.mark.parametrize(("bad", "column"), BAD_ROWS)
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_written(families, ninghua_clerk, bad, column):
    wang, li = families
    people = {**ids(wang), **ids(li), "BABY": resident_id(birth=D(2016, 3, 1)), "nobody": resident_id(birth=D(1999, 9, 9))}
    bad = {**bad, "公民身份号码": people[bad["公民身份号码"]]}
    for key in ("更正后的值", "新户主公民身份号码"):
        if bad.get(key) in people:
            bad[key] = people[bad[key]]
    good = {"户编号": "NH-L", "变动类型": "其他迁出", "变动日期": D(2016, 1, 1), "公民身份号码": people["李女"],
            "迁往": "福州"}
    before = state()
    report = imported(sheet(good, {"户编号": "NH-W", **bad}), ninghua_clerk)
    assert not report.written and state() == before
    problems = [(p.row, next(c.header for c in BOOK.columns if c.key == p.column) if p.column else "")
                for p in report.problems]
    assert problems and all(row == 3 for row, _c in problems), report.problems  # the header is row 1
    assert column in {c for _r, c in problems}, report.problems


def test_a_split_that_would_empty_the_household_is_refused_as_one_change(families, ninghua_clerk):
    wang, _li = families
    split = {"户编号": "NH-W", "变动类型": "分户", "变动日期": D(2017, 5, 1), "对方户编号": "NH-X",
             "新户类别": "一般贫困户", "新户主要致贫原因": "因病"}
    rows = [{**split, "公民身份号码": number, "与户主关系": relation}
            for number, relation in zip(ids(wang).values(), ["户主", "配偶", "子女"], strict=True)]
    before = state()
    report = imported(sheet(*rows), ninghua_clerk)
    assert not report.written and state() == before
    assert [(p.row, p.column) for p in report.problems] == [(2, "id_number")]  # the change's first row
    assert "原户不能没有成员" in report.problems[0].reason


def test_the_death_of_someone_who_left_earlier_in_the_same_workbook_is_refused(families, ninghua_clerk):
    wang, _li = families
    son = ids(wang)["王子"]
    before = state()
    report = imported(sheet(
        {"户编号": "NH-W", "变动类型": "其他迁出", "变动日期": D(2016, 1, 1), "公民身份号码": son, "迁往": "福州"},
        {"户编号": "NH-W", "变动类型": "死亡", "变动日期": D(2016, 5, 1), "公民身份号码": son},
    ), ninghua_clerk)
    assert not report.written and state() == before
    assert [(p.row, p.column) for p in report.problems] == [(3, "id_number")]
    assert "已于2016-01-01离开该户" in report.problems[0].reason


def test_a_county_clerk_cannot_reach_another_countys_household_by_workbook(families, datian_clerk):
    wang, _li = families
    before = state()
    report = imported(sheet({"户编号": "NH-W", "变动类型": "死亡", "变动日期": D(2016, 8, 9),
                             "公民身份号码": ids(wang)["王子"]}), datian_clerk)
    assert not report.written and state() == before
    assert [(p.row, p.column) for p in report.problems] == [(2, "household")]


def test_the_template_offers_the_kinds_as_a_drop_down(db):
    book = load_workbook(io.BytesIO(records.template(BOOK)))
    rows = book["动态调整表"]
    assert [c.value for c in rows[1]][:4] == ["户编号", "变动类型", "变动日期", "公民身份号码"]
    kinds = next(v for v in rows.data_validations.dataValidation if "B2" in str(v.sqref))
    column = kinds.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    names = [c.value for c in book["代码表"][column]][1:]
    assert {"出生", "死亡", "户主变更", "分户", "并户", "信息更正"} <= set(names)


def test_the_admin_previews_the_workbook_then_writes_it_on_confirmation(families, ninghua_clerk):
    wang, _li = families
    client = Client()
    client.force_login(ninghua_clerk)
    changelist = client.get(reverse("admin:households_memberchange_changelist")).content.decode()
    assert "下载动态调整表模板" in changelist and "导入动态调整表" in changelist
    data = sheet({"户编号": "NH-W", "变动类型": "其他迁出", "变动日期": D(2016, 2, 2),
                  "公民身份号码": ids(wang)["王子"], "迁往": "厦门"})
    answer = client.post(reverse("admin:households_memberchange_book_import"),
                         {"file": SimpleUploadedFile("动态调整.xlsx", data)})
    preview = Job.objects.get(pk=answer.url.split("/")[-3])
    page = client.get(reverse("admin:jobs_job_change", args=[preview.pk])).content.decode()
    assert "预览通过：新增 1 行" in page and not MemberChange.objects.exists()
    answer = client.post(reverse("admin:households_memberchange_book_confirm"), {"job": preview.pk})
    done = Job.objects.get(pk=answer.url.split("/")[-3])
    assert (done.state, done.params["dry_run"]) == (Job.State.DONE, False)
    assert MemberChange.objects.get().destination == "厦门"
    assert Member.objects.get(name="王子").left_on == D(2016, 2, 2)
