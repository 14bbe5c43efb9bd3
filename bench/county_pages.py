"""Run through `manage.py shell` (bench/run): what a county clerk opens first, in process (the
server's time without the network), as the clerk of the county with the most registered people:
the first page of GET /api/v1/households/?county=… (with its count) and the admin's household
list, each against the bare view of the same page (bench/views.py, the same rows without DRF,
the admin or permissions)."""

import os

from django.test import Client, RequestFactory

from bench.floors import best, line
from bench.views import bare_households
from common.actors import SYSTEM
from households.services import role_grant
from plans.models import AnnexRow

county = AnnexRow.objects.filter(county__isnull=False).order_by("-registered").values_list("county", flat=True)[0]
clerk = role_grant(actor=SYSTEM, username=f"bench-clerk-{county}", role="county_clerk", counties=[county])
client = Client(SERVER_NAME="localhost")
client.force_login(clerk)
bare = RequestFactory().get("/bench/bare/households/", {"county": county})


def page(url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return get


repeat = int(os.environ.get("BENCH_REPEAT", "20"))
floor = best(lambda: bare_households(bare), repeat)
size = os.environ["BENCH_SIZE"]
print(line(f"county clerk's first API page, {size}", best(page(f"/api/v1/households/?county={county}"), repeat),
           floor))
print(line(f"county clerk's admin household list, {size}", best(page("/admin/households/household/"), repeat),
           floor))
