"""The plan's numbers as loaded from fixtures/, against the plan document itself."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.checks import run_checks
from plans.models import AnnexRow, PlanTarget

pytestmark = pytest.mark.django_db



@pytest.fixture
def plan_text() -> str:
    """The plan document (settings.PLAN_DOCUMENT, from the environment variable of that name); the
    tests that read it are skipped where it is not (a clone with nothing beside it). CI has it, and
    .ci/run stops before the tests when it is missing."""
    path = settings.PLAN_DOCUMENT
    if not path.is_file():
        pytest.skip(f"the plan document is not at {path}: set PLAN_DOCUMENT to its path to run this test")
    return path.read_text("utf-8")


def annex_of_the_document(text: str) -> dict[str, list[int]]:
    """The annex table as printed: the row label, then seven numbers, each cell ending in '|'."""
    table = text[text.rindex("三明市2015-2018年减贫任务安排表"):]
    cells = [c.strip() for c in table.split("|")][:-1]
    cells[0] = cells[0].splitlines()[-1]  # the first header cell follows the title line
    header, body = cells[:8], cells[8:]
    assert header[0] == "县 别" and header[-1] == "2018年减贫任务"
    return {body[i]: [int(n) for n in body[i + 1:i + 8]] for i in range(0, len(body), 8)}


def test_fixtures_reproduce_every_number_of_the_annex(plan_text):
    document = annex_of_the_document(plan_text)
    assert len(document) == 13 and "合 计" in document
    loaded = {
        row.label: [row.registered, row.exited_2014, row.remaining_2014, row.quota_2015, row.quota_2016,
                    row.quota_2017, row.quota_2018]
        for row in AnnexRow.objects.all()
    }
    assert loaded == document


def test_annex_rows_carry_the_glossary_county_codes():
    codes = dict(AnnexRow.objects.values_list("label", "county__name"))
    assert codes["沙 县"] == "沙县" and codes["梅列区"] == "梅列区" and codes["合 计"] is None
    assert AnnexRow.objects.get(label="宁化县").county_id == "350424"


def test_category_and_cause_targets_as_printed(plan_text):
    t = {x.code: x for x in PlanTarget.objects.all()}
    assert (t["category.dibao"].households, t["category.dibao"].persons) == (9997, 22855)
    assert (t["cause.lack_funds"].households, t["cause.lack_funds"].persons) == (3060, 9868)
    assert [t[f"route.{r}"].persons for r in ("industry", "employment", "relocation")] == [38000, 15000, 3000]
    assert (t["deadline.national"].year, t["deadline.provincial"].year) == (2017, 2018)
    for code in ("category.ordinary", "category.dibao_able", "category.dibao", "category.wubao"):
        assert f"{t[code].households}户、{t[code].persons}人" in plan_text


def findings_by_check():
    return {f.check: f for f in run_checks("consistency")}


def test_the_real_plan_passes_every_arithmetic_check():
    errors = [f for f in run_checks("consistency") if f.severity == "error" and not f.ok]
    assert errors == []


def test_the_real_plan_disagrees_with_itself_where_it_does():
    f = findings_by_check()
    assert (f["text.reduction.2018"].expected, f["text.reduction.2018"].actual, f["text.reduction.2018"].ok) == (9200, 9143, False)
    assert f["text.reduction.2015"].ok and f["text.reduction.2016"].ok
    assert (f["causes.households"].actual, f["causes.persons"].actual) == (31019, 87900)
    assert (f["routes.persons"].expected, f["routes.persons"].actual) == (56142, 56000)
    assert {x.severity for x in (f["text.reduction.2018"], f["causes.persons"], f["routes.persons"])} == {"note"}


def test_a_corrupted_quota_is_an_error_never_corrected():
    AnnexRow.objects.filter(label="宁化县").update(quota_2016=5026)
    f = findings_by_check()
    assert (f["annex.宁化县.quotas"].expected, f["annex.宁化县.quotas"].actual) == (17200, 17201)
    assert not f["annex.total.quota_2016"].ok
    assert AnnexRow.objects.get(label="宁化县").quota_2016 == 5026
    with pytest.raises(CommandError) as e:
        call_command("check_plan", stdout=io.StringIO())
    assert e.value.returncode == 1


def test_check_plan_json_has_the_documented_shape():
    out = io.StringIO()
    call_command("check_plan", "--json", "--year", "2016", "--county", "350424", stdout=out)  # no error: exit 0
    report = json.loads(out.getvalue())
    assert set(report["consistency"][0]) >= {"check", "severity", "expected", "actual", "ok"}
    assert [(r["county"], r["year"], r["quota"]) for r in report["progress"]] == [("350424", 2016, 5025)]
    assert set(report["progress"][0]) >= {"county", "year", "quota", "exited", "returned", "net", "percent", "status"}


def test_check_plan_refuses_an_unknown_county():
    with pytest.raises(CommandError, match="不是附件中的县"):
        call_command("check_plan", "--county", "350499")
