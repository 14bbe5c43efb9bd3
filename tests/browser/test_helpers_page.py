"""A county clerk reads the helpers' page (/dashboard/helpers/) in a real browser: reaches it from
the nav, sees the households without a helper and those due for a visit, the overloaded helper
with the phone whole (their county), nothing of another county, and downloads a table as Excel."""

import io

import pytest
from openpyxl import load_workbook

from common.actors import SYSTEM
from households.models import ExportLog
from households.services import reference_data_load, role_grant
from tests.conftest import NINGHUA, build_places
from tests.helper_registry import build_helper_registry

PASSWORD = "Cuijiang-Bamboo-2016"


@pytest.mark.django_db(transaction=True)
def test_clerk_reads_the_helpers_page_and_exports_the_due_visits(chromium, live_server, settings):
    reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))
    build_helper_registry(build_places())
    settings.HELPER_HOUSEHOLD_CEILING = 2  # the live server's thread reads the same settings
    role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=[NINGHUA], password=PASSWORD)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto("/admin/login/?next=/dashboard/")
        page.fill("#id_username", "clerk_ninghua")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/dashboard/")
        page.click("nav.sections >> text=帮扶责任人")
        page.wait_for_url("**/dashboard/helpers/")
        assert page.locator("h1").inner_text() == "帮扶责任人：缺口、负担与走访"
        without = page.locator('table[data-table="without_helper"]').inner_text()
        assert "NH-H5" in without and "NH-H6" in without and "张帮扶" in without
        due = page.locator('table[data-table="due_visits"]').inner_text()
        assert "NH-H2" in due and "NH-H3" in due and "李帮扶" in due
        over = page.locator('table[data-table="over_ceiling"]').inner_text()
        assert "张帮扶" in over and "13800001111" in over
        body = page.locator("main").inner_text()
        assert "DT-D1" not in body and "陈帮扶" not in body
        with page.expect_download() as download:
            page.click("#table-due_visits a.export")
        book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
        numbers = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
        assert numbers == ["NH-H2", "NH-H3"]
        assert ExportLog.objects.get().kind == "dashboard.due_visits"
        assert errors == []
    finally:
        context.close()
