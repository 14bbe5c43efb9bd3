"""`figures=close` (issue 19 point 4): the overview, a county's page, the plan's API and check_plan
show an accepted county-year with the figures its close keeps instead of the live ones, say which
they show, and keep `as_of`'s meaning; `live` stays the default."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, YearClose
from plans.figures import canonical_json, close_figures, sha256
from plans.models import AnnexRow
from tests.conftest import DATIAN, NINGHUA, api_as
from tests.dashboard.conftest import shown_rows, shown_table

pytestmark = pytest.mark.django_db

API = "/api/v1/plans/"


@pytest.fixture
def accepted(registry):
    """宁化县's 2016 accepted with the figures of the registry (d out: 2 persons, b back: 2; b and c,
    3 persons, poor at the year's end), then a
    late 2016 exit of c (1 person) that the live figures count and the kept ones do not. The figures
    are taken before the exit and the close made after it, so no frozen year is written into."""
    figures = close_figures(county=NINGHUA, year=2016)
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=registry.c, year=2016,
                                                       income_per_capita=Decimal("2500")))
    text = canonical_json(figures)
    return YearClose.objects.create(county_id=NINGHUA, year=2016, state=YearClose.State.ACCEPTED, figures=text,
                                    figures_sha256=sha256(text))


def check_plan(*args) -> None:
    try:
        call_command("check_plan", *args)
    except CommandError:  # an error finding of the small registry exits 1, after the report
        pass


def by_key(rows):
    return {(r["county"], r["year"]): r for r in rows}


def test_the_progress_api_shows_the_accepted_figures_with_figures_close(accepted, city_reviewer):
    client = api_as(city_reviewer)
    live = by_key(client.get(f"{API}progress/").json())
    kept = by_key(client.get(f"{API}progress/", {"figures": "close"}).json())
    assert (live[(NINGHUA, 2016)]["exited"], live[(NINGHUA, 2016)]["net"], live[(NINGHUA, 2016)]["figures"]) == (3, 1, "live")
    assert (kept[(NINGHUA, 2016)]["exited"], kept[(NINGHUA, 2016)]["net"], kept[(NINGHUA, 2016)]["figures"]) == (2, 0, "close")
    # The other county-years are live either way.
    assert kept[(NINGHUA, 2015)] == live[(NINGHUA, 2015)]
    assert kept[(DATIAN, 2016)] == live[(DATIAN, 2016)]


def test_a_reopened_county_year_is_shown_live(accepted, city_reviewer):
    YearClose.objects.filter(pk=accepted.pk).update(state=YearClose.State.REOPENED, reason="补录")
    kept = by_key(api_as(city_reviewer).get(f"{API}progress/", {"figures": "close"}).json())
    assert (kept[(NINGHUA, 2016)]["exited"], kept[(NINGHUA, 2016)]["figures"]) == (3, "live")


def test_as_of_keeps_its_meaning_with_the_accepted_figures(accepted, city_reviewer):
    query = {"figures": "close", "county": NINGHUA, "year": 2016}
    [before] = api_as(city_reviewer).get(f"{API}progress/", {**query, "as_of": "2016-06-30"}).json()
    [after] = api_as(city_reviewer).get(f"{API}progress/", {**query, "as_of": "2017-01-01"}).json()
    assert (before["exited"], before["status"]) == (2, "not_yet_due")
    assert (after["exited"], after["status"]) == (2, "behind")


def test_the_population_api_shows_the_accepted_year_end_population(accepted, city_reviewer):
    """宁化县 at the end of 2016: b (2, back in 2016) and c (1) when accepted; c out since, by its late exit."""
    def ninghua(query):
        [row] = api_as(city_reviewer).get(f"{API}population/", {"county": NINGHUA, **query}).json()
        return {y["year"]: (y["persons"], y["figures"]) for y in row["years"]}

    assert ninghua({})[2016] == (2, "live")
    assert ninghua({"figures": "close"})[2016] == (3, "close")
    assert ninghua({"figures": "close"})[2015] == ninghua({})[2015]


@pytest.mark.parametrize("path", ["progress/", "population/", "progress/export/"])
def test_the_api_refuses_an_unknown_figures(city_reviewer, path):
    response = api_as(city_reviewer).get(f"{API}{path}", {"figures": "frozen"})
    assert response.status_code == 400
    assert "figures" in response.json()


def test_the_progress_export_says_which_figures_it_holds(accepted, city_reviewer):
    response = api_as(city_reviewer).get(f"{API}progress/export/", {"figures": "close", "county": NINGHUA})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[-1] == "数据"
    assert {(r[2], r[-1]) for r in rows} == {(2015, "实时"), (2016, "锁定"), (2017, "实时"), (2018, "实时")}


def test_the_overview_shows_the_accepted_figures_and_says_so(accepted, city_reviewer, client):
    client.force_login(city_reviewer)
    live = client.get(reverse("dashboard:overview"))
    kept = client.get(reverse("dashboard:overview"), {"figures": "close"})
    assert shown_rows(live, "progress")["宁化县"]["2016年净减贫"] == "1"
    assert shown_rows(kept, "progress")["宁化县"]["2016年净减贫"] == "0"
    assert shown_rows(kept, "progress")["大田县"] == shown_rows(live, "progress")["大田县"]
    assert shown_rows(kept, "population")["宁化县"]["2016年底建档立卡贫困人口"] == "3"
    page = kept.content.decode()
    assert "显示锁定数据：宁化县2016年为年度数据锁定时保存的数据" in page
    assert "显示锁定数据" not in live.content.decode()
    # A drill-down keeps the figures shown.
    assert f'{reverse("dashboard:county", args=[NINGHUA])}?figures=close' in page


def test_the_county_page_marks_the_accepted_year(accepted, ninghua_clerk, client):
    client.force_login(ninghua_clerk)
    rows = shown_rows(client.get(reverse("dashboard:county", args=[NINGHUA]), {"figures": "close"}), "progress")
    assert (rows["2016年"]["脱贫人数"], rows["2016年"]["数据"]) == ("2", "锁定")
    assert rows["2015年"]["数据"] == "实时"
    assert rows["2015–2018年累计（对2014年底未脱贫）"]["数据"] == "部分锁定"
    header, *_ = shown_table(client.get(reverse("dashboard:county", args=[NINGHUA])), "progress")
    assert "数据" not in header


def test_the_dashboard_refuses_an_unknown_figures(city_reviewer, client):
    client.force_login(city_reviewer)
    assert client.get(reverse("dashboard:overview"), {"figures": "frozen"}).status_code == 400


def test_check_plan_lists_the_accepted_figures_with_figures_close(accepted, capsys):
    quota = AnnexRow.objects.get(county_id=NINGHUA).quota_2016
    for figures, exited, shown in (("live", 3, "live"), ("close", 2, "close")):
        check_plan("--json", "--county", NINGHUA, "--year", "2016", "--as-of", "2017-01-01", "--figures", figures)
        report = json.loads(capsys.readouterr().out)
        assert report["figures"] == figures
        [row] = report["progress"]
        assert (row["quota"], row["exited"], row["figures"]) == (quota, exited, shown)


def test_check_plan_says_which_figures_it_lists(accepted, capsys):
    check_plan("--county", NINGHUA, "--as-of", "2017-01-01", "--figures", "close")
    out = capsys.readouterr().out
    assert "已锁定的县·年度为锁定时保存的数据" in out
    assert any(line.split()[:2] == ["宁化县", "2016"] and line.split()[-1] == "锁定" for line in out.splitlines())
