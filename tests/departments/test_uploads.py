"""Uploading a department list (issue 22): who may upload which kind, every bad input refused with a
Chinese reason and nothing kept, the ID numbers checked row by row (the valid rows kept only when
asked), the list kept as data that never changes a household record; the API, the command, the admin."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from common.actors import SYSTEM
from common.refusals import Refused
from departments.models import DepartmentList, ListEntry
from departments.services import ListRowsInvalid, department_list_upload
from households.models import Household, Member
from households.services import role_grant
from jobs.models import JobState
from tests.conftest import api_as
from tests.departments.lists import HEADERS, build, list_of, upload, workbook
from tests.factories import resident_id

pytestmark = pytest.mark.django_db
BAD_DIGIT = resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")


@pytest.fixture
def minzheng(db):
    """市民政局: the safety nets' channels."""
    return role_grant(actor=SYSTEM, username="minzheng", role="channel_department",
                      channels=["minimum_living", "raised_support"])


@pytest.fixture
def canlian(db):
    """市残联: 扶残助残."""
    return role_grant(actor=SYSTEM, username="canlian", role="channel_department", channels=["disability_aid"])


@pytest.fixture
def jiaoyu(db):
    return role_grant(actor=SYSTEM, username="jiaoyu", role="channel_department", channels=["education_aid"])


@pytest.mark.parametrize("who, kinds", [
    ("minzheng", {"dibao", "wubao"}), ("canlian", {"disability"}), ("jiaoyu", {"students"}),
    ("health_department", set()), ("ninghua_clerk", set()),
    ("city_reviewer", {"dibao", "wubao", "disability", "students", "deaths", "payroll", "vehicles", "companies"}),
])
def test_who_uploads_which_kind(request, who, kinds):
    user = request.getfixturevalue(who)
    for kind in DepartmentList.Kind.values:
        if kind in kinds:
            assert upload(kind, [resident_id()], actor=user, third="2018-01-01" if kind != "deaths" else
                          datetime.date(2018, 1, 1)).uploaded_by == user
        else:
            with pytest.raises(Refused) as refused:
                upload(kind, [resident_id()], actor=user, third=datetime.date(2018, 1, 1))
            assert "不能上传" in refused.value.message or "不由您的部门上传" in refused.value.message
    assert set(DepartmentList.objects.values_list("kind", flat=True)) == kinds


def test_a_list_is_kept_with_its_kind_date_uploader_and_time(city_reviewer):
    before = timezone.now()
    kept = upload("payroll", [resident_id(), resident_id()], actor=city_reviewer, third="三明市财政局")
    assert (kept.kind, kept.list_date, kept.uploaded_by, kept.rows) == ("payroll", datetime.date(2018, 6, 30),
                                                                         city_reviewer, 2)
    assert kept.uploaded_at >= before and kept.file_name == "payroll.xlsx"
    assert set(kept.entries.values_list("detail", flat=True)) == {"三明市财政局"}
    # Its matching ran as a job (the tests' tasks run at once), which recorded its end on the list.
    kept.refresh_from_db()
    assert kept.job.state == JobState.DONE and kept.matched_at is not None and kept.findings == 0


@pytest.mark.parametrize("kind, content, field, words", [
    ("taxes", list_of("dibao", [resident_id()]), "kind", "未知的名单类别"),
    ("dibao", workbook([["甲", "A123"]], ("姓名", "低保证号")), "file", "缺少必填列：公民身份号码"),
    ("dibao", b"not a workbook", "file", ""),
])
def test_bad_input_is_refused_with_a_reason_and_nothing_kept(kind, content, field, words):
    with pytest.raises(ValidationError) as refused:
        department_list_upload(actor=SYSTEM, kind=kind, list_date=datetime.date(2018, 1, 1), name="x.xlsx",
                               content=content)
    assert words in " ".join(refused.value.message_dict[field])
    assert not DepartmentList.objects.exists()


def test_a_list_dated_in_the_future_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        upload("dibao", [resident_id()], on=tomorrow)
    assert "晚于今天" in refused.value.message_dict["list_date"][0]
    assert not DepartmentList.objects.exists()


def test_id_numbers_failing_their_check_are_reported_by_row_and_refuse_the_list():
    good = resident_id()
    with pytest.raises(ListRowsInvalid) as refused:
        upload("dibao", [good, BAD_DIGIT, "12345"])
    rows = refused.value.message_dict["rows"]
    assert [r.split(" ")[0] for r in rows] == ["第4行", "第5行"]  # a title row, the header, then the people
    assert BAD_DIGIT in rows[0] and "12345" in rows[1]
    assert "2 行未通过校验" in refused.value.message_dict["file"][0]
    assert not DepartmentList.objects.exists() and not ListEntry.objects.exists()


def test_with_keep_valid_only_the_valid_rows_are_kept_and_matched(places):
    w = build(places)
    kept = upload("dibao", [w.p["甲"], BAD_DIGIT], keep_valid=True)
    assert (kept.rows, kept.refused_rows) == (1, 1)
    assert [p["row"] for p in kept.problems] == [4]
    assert list(kept.entries.values_list("id_number", flat=True)) == [w.p["甲"].id_number]
    kept.refresh_from_db()
    assert kept.findings == 1  # 乙 draws 低保, not on the list
    # The job's outcome: the counts by county and check, and the findings' workbook for the clerks.
    assert kept.job.outcome["counts"] == [{"county": "350424", "total": 1, "checks": {"list_dibao_not_listed": 1}}]
    with kept.job.result.open("rb") as stored:
        rows = list(load_workbook(stored, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("县(市、区)", "检查项", "户编号", "成员编号", "问题")
    assert [(r[2], r[3]) for r in rows[1:]] == [("N1", w.p["乙"].pk)]


def test_a_list_never_changes_a_household_record(places):
    w = build(places)

    def registry():
        return (list(Household.objects.order_by("pk").values()), list(Member.objects.order_by("pk").values()),
                Household.history.count(), Member.history.count())

    before = registry()
    for kind in ("dibao", "wubao", "disability", "students", "payroll"):
        upload(kind, list(w.p.values()))
    upload("deaths", list(w.p.values()), third=datetime.date(2018, 1, 1))
    assert registry() == before


# ---------------------------------------------------------------- the doors


def post(client, kind="dibao", people=(), **fields):
    content = list_of(kind if kind in HEADERS else "dibao", list(people) or [resident_id()])
    data = {"file": SimpleUploadedFile("名单.xlsx", content), "kind": kind,
            "list_date": "2018-06-30", **fields}
    return client.post("/api/v1/department-lists/", data, format="multipart")


def test_api_uploads_and_lists_the_callers_kinds(minzheng, canlian, city_reviewer):
    answer = post(api_as(minzheng))
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["kind"], answer.json()["uploaded_by"], answer.json()["rows"]) == ("dibao", "minzheng", 1)
    assert answer.json()["job"]
    post(api_as(canlian), "disability")
    assert [d["kind"] for d in api_as(minzheng).get("/api/v1/department-lists/").json()["results"]] == ["dibao"]
    assert [d["kind"] for d in api_as(canlian).get("/api/v1/department-lists/").json()["results"]] == ["disability"]
    assert {d["kind"] for d in api_as(city_reviewer).get("/api/v1/department-lists/").json()["results"]} == {
        "dibao", "disability"}
    other = DepartmentList.objects.get(kind="disability")
    assert api_as(minzheng).get(f"/api/v1/department-lists/{other.pk}/").status_code == 404


def test_api_refuses_each_bad_input_with_a_reason(minzheng, ninghua_clerk):
    client = api_as(minzheng)
    assert "未知的名单类别" in post(client, "taxes").json()["kind"][0]
    assert "晚于今天" in post(client, list_date=(timezone.localdate() + datetime.timedelta(days=1)).isoformat()
                           ).json()["list_date"][0]
    refused = post(client, "dibao", [BAD_DIGIT])
    assert refused.status_code == 400 and refused.json()["rows"][0].startswith("第3行")
    kind = post(client, "payroll")
    assert kind.status_code == 400 and "不由您的部门上传" in kind.json()["kind"][0]
    clerk = post(api_as(ninghua_clerk))
    assert clerk.status_code == 403 and "不能上传部门名单" in clerk.json()["detail"]
    assert not DepartmentList.objects.exists()


def test_command_loads_and_matches(places, tmp_path, capsys, ninghua_clerk):
    w = build(places)
    path = tmp_path / "低保.xlsx"
    path.write_bytes(list_of("dibao", [w.p["甲"], w.p["丙"]]))
    call_command("load_department_list", str(path), kind="dibao", list_date="2018-06-30", verbosity=0)
    out = capsys.readouterr().out
    assert "2 人" in out and "发现问题 2 条" in out  # 乙 not listed, 丙 not marked
    kept = DepartmentList.objects.get()
    assert kept.findings == 2 and kept.uploaded_by is None
    path.write_bytes(list_of("dibao", [BAD_DIGIT]))
    with pytest.raises(CommandError, match="未通过校验"):
        call_command("load_department_list", str(path), kind="dibao", list_date="2018-06-30", verbosity=0)
    with pytest.raises(CommandError, match="不能上传部门名单"):
        call_command("load_department_list", str(path), kind="dibao", list_date="2018-06-30",
                     user=ninghua_clerk.username, verbosity=0)
    assert DepartmentList.objects.count() == 1


def test_admin_upload_page_keeps_the_list_and_opens_its_job(client, minzheng):
    minzheng.is_staff = True
    minzheng.save()
    client.force_login(minzheng)
    url = reverse("admin:departments_departmentlist_upload")
    page = client.get(url)
    assert [k for k, _label in page.context["form"].fields["kind"].choices] == ["dibao", "wubao"]
    answer = client.post(url, {"kind": "dibao", "list_date": "2018-06-30",
                               "file": SimpleUploadedFile("低保.xlsx", list_of("dibao", [resident_id()]))})
    kept = DepartmentList.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("admin:jobs_job_change", args=[kept.job_id])
    refused = client.post(url, {"kind": "dibao", "list_date": "2018-06-30",
                                "file": SimpleUploadedFile("低保.xlsx", list_of("dibao", [BAD_DIGIT]))})
    assert refused.status_code == 200 and refused.context["rows"][0].startswith("第3行")
    assert client.get(reverse("admin:departments_departmentlist_template", args=["deaths"])).status_code == 200
    assert client.get(reverse("admin:departments_departmentlist_change", args=[kept.pk])).status_code == 200
