"""The city reviewer reads the five projects (五项工程) in a real browser: the page from the nav,
its charts drawn, a county's numbers the selectors', a ledger opened and downloaded as Excel.
Screenshots go to $BROWSER_ARTIFACTS, as in test_dashboard.py."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook

from common.actors import SYSTEM
from households.models import ExportLog
from households.services import reference_data_load, role_grant
from projects import selectors
from tests.browser.test_dashboard import ARTIFACTS, cells, charts_drawn

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Sanming-2016-review"


@pytest.fixture
def reviewer_page(chromium, live_server):
    """The demo registry, small, and the city reviewer (市农业局) logged in."""
    reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))
    call_command("seed_demo", persons=800, verbosity=0)
    reviewer = role_grant(actor=SYSTEM, username="reviewer", role="city_reviewer", password=PASSWORD)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/admin/login/?next=/dashboard/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/dashboard/")
    yield page, reviewer
    context.close()


def test_reviewer_reads_the_projects_and_exports_a_ledger(reviewer_page):
    page, reviewer = reviewer_page
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.click("header.site a:text-is('五项工程')")
    page.wait_for_url("**/dashboard/projects/")
    charts_drawn(page, 2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "projects-1-page.png", full_page=True)

    scope = selectors.project_scope(user=reviewer)
    funds = {r["county_name"]: r for r in selectors.guarantee_funds(scope=scope)}
    shown = cells(page, "funds")
    for name, row in funds.items():
        assert shown[name]["担保贷款笔数"] == str(row["loans"])
        assert shown[name]["在保余额（元）"] == f"{row['outstanding']:.2f}"
    assert cells(page, "pilot_ranges")["整村推进试点示范村"]["状态"] == "在计划范围内"

    # The loan ledger is folded under its title; opened, it lists every loan, and downloads.
    ledger = page.locator("#ledger-loan_ledger")
    assert not page.locator("table[data-table=loan_ledger]").is_visible()
    ledger.locator("summary").click()
    table = page.locator("table[data-table=loan_ledger]")
    assert table.is_visible()
    loans = selectors.loan_ledger(scope=scope)
    assert table.locator("tbody tr").count() == len(loans) > 0
    page.screenshot(path=ARTIFACTS / "projects-2-ledger.png", full_page=True)
    with page.expect_download() as download:
        page.click("#table-loan_ledger a.export")
    path = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(path)
    header, *written = list(load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active.iter_rows(
        values_only=True))
    assert list(header) == table.locator("thead th").all_inner_texts()
    assert sorted(row[3] for row in written) == sorted(r["number"] for r in loans)
    log = ExportLog.objects.get()
    assert (log.kind, log.user, log.rows) == ("dashboard.loan_ledger", reviewer, len(loans))

    # A county's name narrows the page to that county.
    first = next(iter(funds))
    page.click(f"table[data-table=funds] a:text-is('{first}')")
    page.wait_for_url("**/dashboard/projects/?county=*")
    charts_drawn(page, 2)
    assert list(cells(page, "funds")) == [first]
    assert errors == []
