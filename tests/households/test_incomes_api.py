"""/api/v1/incomes/: yearly incomes through the same service as every door, scoped, 400 naming the
field, nothing written on a refusal; the household's income_per_capita through the API."""

import datetime
import re
from decimal import Decimal

import pytest

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Household, HouseholdIncome
from tests.conftest import api_as
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

URL = "/api/v1/incomes/"


def rows():
    return list(HouseholdIncome.objects.order_by("pk").values())


@pytest.fixture
def two(village):
    """宁化县: a household of 2 persons identified in 2015 with 2400 per person."""
    return household(village=village, number="NH-2P", identified_year=2015, income_per_capita=Decimal("2400"), members=[
        member(name="赵一"), member(name="赵二", relation="child", labor="none",
                                   id_number=resident_id(birth=datetime.date(2006, 1, 1)))])


@pytest.fixture
def datian(datian_village):
    return household(village=datian_village, number="DT-1", members=[member(id_number=resident_id(prefix="350425"))])


def test_a_clerk_records_a_year_by_source_and_reads_it_back(two, ninghua_clerk):
    client = api_as(ninghua_clerk)
    answer = client.post(URL, {"household": two.pk, "year": 2016, "wages": "5000", "business": "1200.5",
                               "property": "0", "transfers": "800"}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["total"], body["persons"], body["per_capita"], body["recorded_by"]) == (
        "7000.50", 2, "3500.25", ninghua_clerk.pk)
    listed = client.get(URL, {"household": two.pk, "year": 2016}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert client.get(f"/api/v1/households/{two.pk}/").json()["income_per_capita"] == "3500.25"


def test_a_total_alone_is_a_year_without_sources(two, ninghua_clerk):
    body = api_as(ninghua_clerk).post(URL, {"household": two.pk, "year": 2017, "total": "9000"}, format="json").json()
    assert (body["wages"], body["total"], body["per_capita"]) == (None, "9000.00", "4500.00")


@pytest.mark.parametrize(("change", "field"), [
    ({"year": 2014, "total": "100"}, "year"),  # before identification (2015)
    ({"year": 2015, "total": "100"}, "year"),  # a second record for 2015
    ({"year": 2016, "wages": "-1"}, "wages"),
    ({"year": 2016, "business": "-1", "wages": "10"}, "business"),
    ({"year": 2016, "property": "-1"}, "property"),
    ({"year": 2016, "transfers": "-0.5"}, "transfers"),
    ({"year": 2016, "wages": "10", "total": "11"}, "total"),
    ({"year": 2016}, "total"),
])
def test_bad_incomes_are_a_400_naming_the_field_and_nothing_is_written(two, ninghua_clerk, change, field):
    before = rows()
    answer = api_as(ninghua_clerk).post(URL, {"household": two.pk, **change}, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert re.search(r"[\u4e00-\u9fff]", answer.json()[field][0])
    assert rows() == before


def test_the_list_holds_only_visible_households_and_others_cannot_write(two, datian, ninghua_clerk, datian_clerk,
                                                                         city_reviewer, api_client):
    listed = api_as(ninghua_clerk).get(URL).json()
    assert {r["household"] for r in listed["results"]} == {two.pk}
    assert {r["household"] for r in api_as(city_reviewer).get(URL).json()["results"]} == {two.pk, datian.pk}
    assert api_client.get(URL).json()["count"] == 1
    assert api_as(datian_clerk).post(URL, {"household": two.pk, "year": 2016, "total": "1"},
                                     format="json").status_code == 400  # not visible: "does not exist"
    assert api_as(city_reviewer).post(URL, {"household": two.pk, "year": 2016, "total": "1"},
                                      format="json").status_code == 403
    assert api_client.post(URL, {"household": two.pk, "year": 2016, "total": "1"}, format="json").status_code == 403
    income = two.incomes.get()
    assert api_as(datian_clerk).patch(f"{URL}{income.pk}/", {"total": "1"}, format="json").status_code == 404
    assert HouseholdIncome.objects.count() == 2


def test_a_patch_gives_the_figures_again_and_the_exit_follows(two, ninghua_clerk):
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=two, year=2016, income_per_capita=Decimal("3000")))
    income = two.incomes.get(year=2016)
    client = api_as(ninghua_clerk)
    answer = client.patch(f"{URL}{income.pk}/", {"wages": "5000", "transfers": "1400"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["total"], answer.json()["per_capita"]) == ("6400.00", "3200.00")
    assert ExitRecord.objects.get(household=two).income_per_capita == Decimal("3200.00")
    bad = client.patch(f"{URL}{income.pk}/", {"total": "7000"}, format="json")  # the sources say 6400
    assert bad.status_code == 400 and "total" in bad.json()
    moved = client.patch(f"{URL}{income.pk}/", {"year": 2017}, format="json")
    assert moved.status_code == 400 and "year" in moved.json()
    assert HouseholdIncome.objects.get(pk=income.pk).per_capita == Decimal("3200.00")


def test_a_delete_is_refused_for_an_exit_year_and_done_otherwise(two, ninghua_clerk):
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=two, year=2016, income_per_capita=Decimal("3000")))
    client = api_as(ninghua_clerk)
    refused = client.delete(f"{URL}{two.incomes.get(year=2016).pk}/")
    assert refused.status_code == 409 and "脱贫" in refused.json()["detail"]
    later = services.income_record(actor=SYSTEM, household=two, year=2017, total=Decimal("8000"))
    assert client.delete(f"{URL}{later.pk}/").status_code == 204
    assert list(two.incomes.values_list("year", flat=True)) == [2015, 2016]


# ---------------------------------------------------------------- the household's figure through the API


def test_a_new_household_posted_records_its_identification_year(village, ninghua_clerk):
    body = {"number": "NH-API", "village": village.code, "category": "ordinary", "main_cause": "illness",
            "identified_year": 2016, "standard": "national", "income_per_capita": "2310.50",
            "members": [{"name": "张大山", "id_number": resident_id(), "relation": "head", "labor": "ordinary"}]}
    answer = api_as(ninghua_clerk).post("/api/v1/households/", body, format="json")
    assert answer.status_code == 201, answer.json()
    income = Household.objects.get(number="NH-API").incomes.get()
    assert (income.year, income.total, income.per_capita) == (2016, Decimal("2310.50"), Decimal("2310.50"))


def test_a_household_patch_with_another_income_is_a_400_naming_it(two, ninghua_clerk):
    client = api_as(ninghua_clerk)
    url = f"/api/v1/households/{two.pk}/"
    assert client.patch(url, {"income_per_capita": "2400.00", "phone": "0598-1234567"},
                        format="json").status_code == 200
    answer = client.patch(url, {"income_per_capita": "2600"}, format="json")
    assert answer.status_code == 400 and "income_per_capita" in answer.json()
    two.refresh_from_db()
    assert two.income_per_capita == Decimal("2400.00") and two.incomes.count() == 1


def test_the_households_history_holds_its_incomes_with_who_recorded_them(two, ninghua_clerk):
    client = api_as(ninghua_clerk)
    created = client.post(URL, {"household": two.pk, "year": 2016, "total": "7000"}, format="json").json()
    client.patch(f"{URL}{created['id']}/", {"total": "7400"}, format="json")
    history = client.get(f"/api/v1/households/{two.pk}/history/").json()
    incomes = [(e["type"], e["user"]) for e in history if e["model"] == "householdincome"]
    assert incomes == [("changed", "clerk_ninghua"), ("created", "clerk_ninghua"), ("created", None)]
    change = next(e for e in history if e["model"] == "householdincome" and e["type"] == "changed")
    assert {c["field"]: (c["old"], c["new"]) for c in change["changes"]}["total"] == ("7000.00", "7400.00")
