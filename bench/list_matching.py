"""Run through `manage.py shell` (bench/run, on the city's registry): the matching of a 100,000-row
低保 list (departments/, issue 22) as its job's own work — job_run() from the claim of the queued job
to its outcome and its workbook of findings written, not the queue's wait — against its floor, a
bare cursor's join of the same two tables (the list's entries and the members, by ID number). Best
of BENCH_REPEAT runs each. The list is made as a city's 低保 list is (most of the registry's people
drawing 低保, a few hundred unmarked, the rest in no household here: the findings a real list gives),
written straight into its tables (the upload's reading of a workbook is not the matching); all of it
in a transaction rolled back at the end, so the registry bench/run reuses keeps nothing."""

import datetime
import os

from django.db import connection, transaction
from stdnum.cn import ric

from bench.floors import best, line
from departments.models import DepartmentList, ListEntry
from departments.services import MATCH
from households.models import Member
from jobs.models import Job, JobState
from jobs.runner import job_run

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
ROWS = int(os.environ.get("BENCH_LIST_ROWS", "100000"))
JOIN = """
SELECT m.id, m.household_id, e.row FROM departments_listentry e
JOIN households_member m ON m.id_number = e.id_number
WHERE e.department_list_id = %s
"""


def strangers(n: int):
    """Valid ID numbers of 明溪县 people born on 1 Jan 1950, in no household of the demo."""
    for i in range(n):
        body = f"350421{datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 500):%Y%m%d}{i % 500 * 2 + 1:03d}"
        yield body + ric.calc_check_digit(body + "?")


with transaction.atomic():
    # As a city's 低保 list is: most of the registry's people drawing 低保 (a tenth left off), a few
    # hundred registered people not marked, and the city's other 低保 recipients, in no household here.
    members = Member.objects.filter(active=True).order_by("id")
    drawing = list(members.filter(draws_dibao=True).values_list("id_number", flat=True))
    unmarked = list(members.filter(draws_dibao=False).values_list("id_number", flat=True)[:500])
    ours = [*drawing[: len(drawing) * 9 // 10], *unmarked][:ROWS]
    department_list = DepartmentList.objects.create(kind="dibao", list_date=datetime.date(2018, 6, 30), rows=ROWS)
    ListEntry.objects.bulk_create(
        (ListEntry(department_list=department_list, row=i + 3, id_number=number, name="名单人")
         for i, number in enumerate([*ours, *strangers(ROWS - len(ours))])), batch_size=10000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE departments_listentry")
    job = Job.objects.create(kind=MATCH, params={"list": department_list.pk})

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(JOIN, [department_list.pk])
            cursor.fetchall()

    def match() -> None:
        Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED)
        job_run(job.pk, beats=False)
        Job.objects.get(pk=job.pk).result.delete(save=False)  # its workbook of findings, not kept

    bare = best(floor, REPEAT)
    measured = best(match, REPEAT)
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    print(line(f"list matching job, {ROWS:,} rows ({job.summary.rsplit(' ', 2)[-2]} findings)", measured, bare))
    transaction.set_rollback(True)
