"""Run through `manage.py shell` (bench/run): the city overview (GET /dashboard/, as the city
reviewer, in process: the server's time without the network) against the quota progress as raw
SQL (bench/floors.py), and the number of queries the page runs."""

import os

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.floors import best, line, progress_floor
from common.actors import SYSTEM
from households.services import role_grant

client = Client(SERVER_NAME="localhost")
client.force_login(role_grant(actor=SYSTEM, username="bench-reviewer", role="city_reviewer"))


def overview():
    response = client.get("/dashboard/")
    assert response.status_code == 200, response.status_code


with CaptureQueriesContext(connection) as queries:
    overview()
repeat = int(os.environ.get("BENCH_REPEAT", "20"))
print(line(f"dashboard overview, {os.environ['BENCH_SIZE']} ({len(queries)} queries)", best(overview, repeat),
           best(progress_floor, repeat)))
