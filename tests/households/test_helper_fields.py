"""The household's helper_name, helper_unit, helper_phone through every existing door (issue 20): the
API, the admin's household form, the household's page and the registry workbook read the current
assignment (the phone whole for the city and the household's county, masked for everyone else) and
write an assignment from that day; bad input is refused naming the field, with nothing written."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localdate as today

from common.actors import SYSTEM
from households import services, workbook
from households.models import Helper, HelperAssignment, Household
from tests.conftest import api_as
from tests.factories import household, member, resident_id
from tests.households.test_admin import change_post, existing_row
from tests.households.test_workbook import row, run, xlsx

pytestmark = pytest.mark.django_db

API = "/api/v1/households/"
DAY = datetime.timedelta(days=1)


def helped(h, name="林帮扶", unit="宁化县农业局", phone="13805981234", on=None):
    return services.household_helper_set(actor=SYSTEM, household=h, name=name, unit=unit, phone=phone, on=on)


def shown(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def had(h) -> list[tuple]:
    return list(HelperAssignment.objects.filter(household=h).order_by("started_on")
                .values_list("helper__name", "helper__unit", "started_on", "ended_on"))


# ---------------------------------------------------------------- the API


def test_the_api_reads_the_current_assignment_and_masks_the_phone_outside_the_county(
        poor, ninghua_clerk, datian_clerk, city_reviewer, health_department, api_client):
    helped(poor, on=today() - 30 * DAY)
    helped(poor, name="陈干部", unit="宁化县财政局", phone="13905985678")
    whole = {"helper_name": "陈干部", "helper_unit": "宁化县财政局", "helper_phone": "13905985678"}
    for client in (api_as(ninghua_clerk), api_as(city_reviewer), api_client):
        body = client.get(f"{API}{poor.pk}/").json()
        assert {k: body[k] for k in whole} == whole
        assert {k: client.get(API).json()["results"][0][k] for k in whole} == whole
    # 医疗救助 does not serve a household short of funds: it sees nothing; 大田's clerk neither.
    assert api_as(datian_clerk).get(f"{API}{poor.pk}/").status_code == 404
    poor.main_cause_id = "illness"
    services.household_save(actor=SYSTEM, household=poor)
    body = api_as(health_department).get(f"{API}{poor.pk}/").json()
    assert body["helper_phone"] == "139****5678" and body["helper_name"] == "陈干部"
    assert api_as(health_department).get(API).json()["results"][0]["helper_phone"] == "139****5678"


def test_a_household_without_a_helper_reads_blank(poor, ninghua_clerk):
    body = api_as(ninghua_clerk).get(f"{API}{poor.pk}/").json()
    assert (body["helper_name"], body["helper_unit"], body["helper_phone"]) == ("", "", "")


def test_writing_the_fields_through_the_api_records_an_assignment_from_that_day(poor, ninghua_clerk):
    helped(poor, on=today() - 30 * DAY)
    client = api_as(ninghua_clerk)
    response = client.patch(f"{API}{poor.pk}/", {"helper_name": "陈干部", "helper_unit": "宁化县财政局",
                                                  "helper_phone": "0598-6831234"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["helper_name"], response.json()["helper_phone"]) == ("陈干部", "0598-6831234")
    assert had(poor) == [("林帮扶", "宁化县农业局", today() - 30 * DAY, today() - DAY), ("陈干部", "宁化县财政局", today(), None)]
    # Only the phone: the current helper's, changed; no new assignment.
    response = client.patch(f"{API}{poor.pk}/", {"helper_phone": "13700000000"}, format="json")
    assert response.status_code == 200 and response.json()["helper_phone"] == "13700000000"
    assert Helper.objects.get(name="陈干部").phone == "13700000000" and len(had(poor)) == 2


def test_a_household_registered_through_the_api_gets_its_helper(village, ninghua_clerk):
    body = {"number": "NH-API", "village": village.code, "category": "ordinary", "main_cause": "illness",
            "income_per_capita": "2300", "helper_name": "林帮扶", "helper_unit": "宁化县农业局",
            "helper_phone": "13805981234",
            "members": [{"name": "张三", "id_number": resident_id(), "relation": "head", "labor": "ordinary"}]}
    response = api_as(ninghua_clerk).post(API, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["helper_name"] == "林帮扶"
    assert had(Household.objects.get(number="NH-API")) == [("林帮扶", "宁化县农业局", today(), None)]


@pytest.mark.parametrize(("fields", "field"), [
    ({"helper_name": "陈干部", "helper_unit": "宁化县财政局", "helper_phone": "0598-683"}, "helper_phone"),
    ({"helper_name": "陈干部", "helper_unit": "", "helper_phone": ""}, "helper_unit"),
    ({"helper_name": "陈干部" * 20, "helper_unit": "宁化县财政局"}, "helper_name"),
    ({"helper_phone": "13800000000"}, "helper_name"),  # a phone, but no helper to give it to
])
def test_bad_helper_fields_are_a_400_naming_the_field_with_nothing_written(poor, ninghua_clerk, fields, field):
    before = (list(Household.objects.values_list("address")), Helper.objects.count(), HelperAssignment.objects.count())
    response = api_as(ninghua_clerk).patch(f"{API}{poor.pk}/", {"address": "新地址", **fields}, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert (list(Household.objects.values_list("address")), Helper.objects.count(),
            HelperAssignment.objects.count()) == before


def test_the_list_reads_the_helpers_without_a_query_per_household(admin_user, village):
    client = api_as(admin_user)
    helped(household(village=village))
    with CaptureQueriesContext(connection) as one:
        assert client.get(API).status_code == 200
    for n in range(8):
        helped(household(village=village, members=[member()]), name=f"干部{n}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(API, {"page_size": 9}).json()
    assert len(body["results"]) == 9 and {r["helper_name"] for r in body["results"]} >= {"干部0", "干部7"}
    assert len(many) == len(one)


# ---------------------------------------------------------------- the admin


def test_the_admin_form_changes_the_helper_through_the_service(admin_client, poor):
    helped(poor, on=today() - 10 * DAY)
    url = reverse("admin:households_household_change", args=[poor.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="林帮扶"' in page and 'value="13805981234"' in page and "历任帮扶责任人" in page
    rows = [existing_row(m) for m in poor.members.all()]
    data = change_post(poor, rows, main_cause="lack_funds", helper_name="陈干部", helper_unit="宁化县财政局",
                       helper_phone="0598-6831234")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert had(poor) == [("林帮扶", "宁化县农业局", today() - 10 * DAY, today() - DAY), ("陈干部", "宁化县财政局", today(), None)]


def test_a_bad_phone_in_the_admin_form_saves_nothing(admin_client, poor):
    url = reverse("admin:households_household_change", args=[poor.pk])
    rows = [existing_row(m) for m in poor.members.all()]
    data = change_post(poor, rows, main_cause="lack_funds", address="新地址", helper_name="陈干部",
                       helper_unit="宁化县财政局", helper_phone="0598-683")
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, as typed, with the reason beside the field
    assert "固定电话" in str(response.context["adminform"].form.errors["helper_phone"])
    assert 'value="新地址"' in response.content.decode()
    assert not HelperAssignment.objects.exists() and not Helper.objects.exists()
    assert Household.objects.get(pk=poor.pk).address == ""


def test_the_admin_page_masks_the_phone_for_a_reader_outside_the_county(client, poor, city_reviewer,
                                                                         health_department):
    helped(poor)
    poor.main_cause_id = "illness"
    services.household_save(actor=SYSTEM, household=poor)
    url = reverse("admin:households_household_change", args=[poor.pk])
    for user, shown in ((city_reviewer, "13805981234"), (health_department, "138****1234")):
        user.is_staff = True
        user.save()
        client.force_login(user)
        page = client.get(url).content.decode()
        assert shown in page and "林帮扶" in page
        if shown != "13805981234":
            assert "13805981234" not in page


# ---------------------------------------------------------------- the household's page


def test_the_household_page_lists_the_helpers_it_had_in_order(client, poor, ninghua_clerk, health_department):
    helped(poor, on=today() - 30 * DAY)
    helped(poor, name="陈干部", unit="宁化县财政局", phone="13905985678")
    url = reverse("dashboard:household", args=[poor.pk])
    client.force_login(ninghua_clerk)
    page = client.get(url).content.decode()
    table = page[page.index("历任帮扶责任人"):page.index("修改历史")]
    assert table.index("林帮扶") < table.index(shown(today() - DAY)) < table.index("陈干部") < table.index("至今")
    assert shown(today() - 30 * DAY) in table and "13905985678" not in table  # no phones in the table
    assert "13905985678" in page  # the current helper's, whole for the county's clerk
    poor.main_cause_id = "illness"
    services.household_save(actor=SYSTEM, household=poor)
    client.force_login(health_department)
    page = client.get(url).content.decode()
    assert "139****5678" in page and "13905985678" not in page


# ---------------------------------------------------------------- the registry workbook


def test_the_workbook_records_the_helpers_it_names_and_exports_the_current_ones(db, places, ninghua_clerk):
    village = places.chengnan.code
    first = row("NH-W1", village, 帮扶责任人="林帮扶", 帮扶责任人单位="宁化县农业局", 帮扶责任人电话="13805981234")
    second = row("NH-W2", village, 帮扶责任人="林帮扶", 帮扶责任人单位="宁化县农业局")
    third = row("NH-W3", village)  # no helper named: none recorded
    report = run(xlsx([first, second, third]), actor=ninghua_clerk)
    assert report.problems == [] and report.written and report.helpers == {"new": 2, "skip": 0}
    assert "帮扶关系：新增 2" in report.summary()
    assert sorted(HelperAssignment.objects.values_list("household__number", "helper__name", "started_on")) == [
        ("NH-W1", "林帮扶", today()), ("NH-W2", "林帮扶", today())]
    assert Helper.objects.get().phone == "13805981234"
    # The export reads the current helper; imported again, nothing changes.
    rows = list(workbook.household_rows(Household.objects.all(), show_id=str))
    assert [(r["number"], r["helper_name"], r["helper_phone"]) for r in rows] == [
        ("NH-W1", "林帮扶", "13805981234"), ("NH-W2", "林帮扶", "13805981234"), ("NH-W3", "", "")]
    history = HelperAssignment.history.count()
    changed = run(xlsx([{**first, "公民身份号码": r["id_number"]} for r in rows[:1]]), actor=ninghua_clerk)
    assert changed.problems == [] and changed.helpers == {"new": 0, "skip": 1}
    assert HelperAssignment.history.count() == history


def test_a_workbook_with_a_bad_helper_row_writes_nothing(db, places, ninghua_clerk):
    village = places.chengnan.code
    rows = [
        row("NH-W1", village, 帮扶责任人="林帮扶", 帮扶责任人单位="宁化县农业局", 帮扶责任人电话="13805981234"),
        row("NH-W2", village, 帮扶责任人="林帮扶", 帮扶责任人单位="宁化县农业局", 帮扶责任人电话="13900000000"),
        row("NH-W3", village, 帮扶责任人="陈干部", 帮扶责任人单位="宁化县财政局", 帮扶责任人电话="0598-683"),
    ]
    for dry_run in (True, False):
        report = run(xlsx(rows), actor=ninghua_clerk, dry_run=dry_run)
        assert {(p.row, p.column) for p in report.problems} == {(3, "帮扶责任人电话"), (4, "帮扶责任人电话")}
        assert not report.written
        assert not Household.objects.exists() and not Helper.objects.exists() and not HelperAssignment.objects.exists()


def test_the_export_masks_a_helpers_phone_for_whoever_may_not_see_it(poor, health_department, city_reviewer):
    helped(poor)
    from households.access import helper_phone_display
    from households.selectors import household_export_rows
    from households.workbook.writer import household_cells

    at = [c.key for c in workbook.COLUMNS].index("helper_phone")
    for user, shown in ((city_reviewer, "13805981234"), (health_department, "138****1234")):
        cells = list(household_cells(household_export_rows(Household.objects.all()), show_id=str,
                                     show_phone=helper_phone_display(user)))
        assert [c[at] for c in cells] == [shown] * poor.members.count()
