"""The projects' admin in a real browser: the member box of a job's form (select2) is served by the
member admin's labelled view and tells two people of the same name apart by household number."""

import datetime

import pytest
from django.conf import settings

from common.actors import SYSTEM
from households.services import reference_data_load, role_grant
from projects.models import Job, Workshop
from projects.services import project_save
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id

NINGHUA = "350424"
PASSWORD = "Cuijiang-Bamboo-2016"


@pytest.mark.django_db(transaction=True)
def test_clerk_picks_a_worker_by_household_number_in_a_browser(chromium, live_server):
    """The member box is the admin's select2, served by the member admin's own labelled view."""
    reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))
    cuijiang = TownshipFactory(county_id=NINGHUA, code="350424101", name="翠江镇")
    village = VillageFactory(township=cuijiang, code="350424101201", name="城南村")
    household(village=village, number="NH-1", members=[member(name="李强")])
    # Two men of the same name: the box tells them apart by household number.
    household(village=village, number="NH-2",
              members=[member(name="李强", id_number=resident_id(birth=datetime.date(1980, 1, 1)))])
    workshop = project_save(actor=SYSTEM, record=Workshop(name="翠江竹编车间", township=cuijiang, enterprise="竹编厂", founded_year=2016))
    role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=[NINGHUA], password=PASSWORD)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/admin/login/?next=/admin/projects/job/add/")
        page.fill("#id_username", "clerk_ninghua")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/projects/job/add/")
        page.select_option("#id_workshop", str(workshop.pk))
        page.click("#id_member + .select2 .select2-selection")
        page.fill(".select2-search__field", "NH-2")
        page.click(".select2-results__option:has-text('李强（NH-2）')")
        page.fill("#id_year", "2016")
        page.click("input[name=_save]")
        assert "成功添加了" in page.locator(".messagelist").inner_text()
    finally:
        context.close()
    job = Job.objects.get()
    assert (job.member.household.number, job.measure.channel_id) == ("NH-2", "labor_mutual_aid")
