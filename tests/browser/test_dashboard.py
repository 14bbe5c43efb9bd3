"""The bureau reads the dashboards in a real browser: the charts are drawn (the vendored map of
三明 included), the numbers are the progress selectors', the map drills down to a county and the
tables on to a household, and a table downloads as Excel. Screenshots of each step are kept in
$BROWSER_ARTIFACTS (default: <tmp>/sanming_fupin-browser) for a person to look at."""

import io
import os
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from households.models import ExportLog, Household
from plans.selectors import cumulative_progress, quota_progress

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS") or Path(tempfile.gettempdir()) / "sanming_fupin-browser")
NINGHUA = "350424"


def snap(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"dashboard-{name}.png", full_page=True)


def charts_drawn(page, count: int) -> None:
    """Wait until `count` charts have a canvas, drawn by ECharts from the page's JSON."""
    page.wait_for_function(
        "n => document.querySelectorAll('[data-chart] canvas').length === n"
        " && [...document.querySelectorAll('[data-chart]')].every(el => echarts.getInstanceByDom(el))",
        arg=count,
    )


def cells(page, table: str) -> dict[str, dict[str, str]]:
    """A table as the browser shows it, rows keyed by their first cell, each {header: text}."""
    return page.evaluate(
        """name => {
            const table = document.querySelector(`table[data-table="${name}"]`);
            const header = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
            return Object.fromEntries([...table.querySelectorAll('tbody tr')].map(tr => {
                const texts = [...tr.children].map(td => td.textContent.trim());
                return [texts[0], Object.fromEntries(header.map((h, i) => [h, texts[i]]))];
            }));
        }""",
        table,
    )


@pytest.fixture
def city(page):
    """The demo registry, small: every county with townships, villages, exits and returns."""
    call_command("seed_demo", persons=800, verbosity=0)


def test_reviewer_reads_the_overview_drills_down_to_a_household_and_exports(page, city):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{error} on {page.url}"))

    page.goto("/dashboard/")
    charts_drawn(page, 3)
    snap(page, "1-overview")

    # The table and the map show the selectors' numbers.
    rows = quota_progress()
    shown = cells(page, "progress")
    for r in rows:
        assert shown[r.county_name][f"{r.year}年净减贫"] == str(r.net)
        assert shown[r.county_name][f"{r.year}年任务"] == str(r.quota)
    cumulative = {r.county_name: r for r in cumulative_progress(rows)}
    on_map = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector('[data-chart="chart-map"]'));
            const series = chart.getOption().series[0];
            return {map: series.map, data: series.data.map(d => [d.name, d.value])};
        }"""
    )
    assert on_map["map"] == "三明"
    assert dict(on_map["data"]) == {name: r.percent for name, r in cumulative.items()}

    # The vendored map (made for ECharts 4) names our twelve counties; hover and click 宁化县.
    names = page.evaluate("() => echarts.getMap('三明').geoJSON.features.map(f => f.properties.name)")
    assert sorted(names) == sorted(cumulative)
    x, y = page.evaluate(
        """code => {
            const element = document.querySelector('[data-chart="chart-map"]');
            const feature = echarts.getMap('三明').geoJSON.features.find(f => f.id === code);
            const [x, y] = echarts.getInstanceByDom(element).convertToPixel({seriesIndex: 0}, feature.properties.cp);
            const box = element.getBoundingClientRect();
            return [box.left + x, box.top + y];
        }""",
        NINGHUA,
    )
    page.mouse.move(x, y)
    tooltip = page.locator("[data-chart='chart-map'] div", has_text="累计净减贫").last
    tooltip.wait_for()
    assert f"累计净减贫 {cumulative['宁化县'].net} 人" in tooltip.inner_text()
    snap(page, "2-map-tooltip")
    page.mouse.click(x, y)
    page.wait_for_url(f"**/dashboard/county/{NINGHUA}/")
    charts_drawn(page, 2)
    assert "暂无乡镇边界数据" in page.locator(".notice").inner_text()
    snap(page, "3-county")

    # Down the tables: township, village, household.
    household = (
        Household.objects.filter(village__township__county_id=NINGHUA, exits__isnull=False)
        .select_related("village__township").first()
    )
    page.click(f"table[data-table=townships] a[href^='/dashboard/township/{household.village.township_id}/']")
    charts_drawn(page, 1)
    snap(page, "4-township")
    page.click(f"table[data-table=villages] a[href^='/dashboard/village/{household.village_id}/']")
    page.click(f"table[data-table=households] a:text-is('{household.number}')")
    page.wait_for_url(f"**/dashboard/household/{household.pk}/")
    assert len(cells(page, "members")) == household.members.count()
    snap(page, "5-household")

    with page.expect_download() as download:
        page.click("#table-members a.export")
    path = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active
    header, *written = list(sheet.iter_rows(values_only=True))
    assert list(header) == page.locator("table[data-table=members] thead th").all_inner_texts()
    assert sorted(row[0] for row in written) == sorted(household.members.values_list("name", flat=True))
    assert ExportLog.objects.get().kind == "dashboard.members"

    # A tablet: the page reflows to one column instead of scrolling sideways.
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto("/dashboard/")
    charts_drawn(page, 3)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    snap(page, "6-overview-tablet")

    assert errors == []
