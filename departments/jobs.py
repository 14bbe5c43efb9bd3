"""The matching of a department's list against the registry as a job (jobs/), registered by
DepartmentsConfig.ready(): the checks of the list's kind (checks.py) over the households the job's
user sees, their counts by county and check, and the findings as a workbook for the clerks (the
findings themselves are the data-quality page's)."""

import io

import rustpy_xlsxwriter

from households.audit import CHECKS, Finding, counts_by_county
from households.jobs import actor_of
from households.models import County
from jobs.kinds import Outcome, job_kind
from jobs.runner import JobFailed

from .models import DepartmentList
from .selectors import latest_list
from .services import MATCH, list_match

TITLE = "名单比对结果"
HEADERS = ("县(市、区)", "检查项", "户编号", "成员编号", "问题")


@job_kind(MATCH, "部门名单比对", template="admin/jobs/outcome_audit.html")
def run_match(job, progress) -> Outcome:
    department_list = DepartmentList.objects.filter(pk=job.params.get("list")).first()
    if department_list is None:
        raise JobFailed("该名单已被删除")
    progress(0, None, "比对")
    findings = list_match(actor=actor_of(job), department_list=department_list, progress=progress)
    latest = latest_list(department_list.kind)
    against = "" if latest is None or latest.pk == department_list.pk else f"（比对的是更新的名单：{latest}）"
    return Outcome(summary=f"{department_list}比对完成{against}：发现问题 {len(findings)} 条",
                   data={"list": department_list.pk, "counts": counts_by_county(findings)},
                   file=(f"{department_list.get_kind_display()}比对结果.xlsx", findings_workbook(findings))
                   if findings else None)


def findings_workbook(findings: list[Finding]) -> bytes:
    """The findings, a row each, written by rustpy-xlsxwriter (households/workbook/bulk.py: openpyxl
    took as long as the matching itself on a city's list). One query (the counties' names)."""
    names = dict(County.objects.values_list("code", "name"))
    checks = {code: check.name for code, check in CHECKS.items()}
    records = ({HEADERS[0]: names.get(f.county, f.county), HEADERS[1]: checks[f.check],
                HEADERS[2]: f.household_number, HEADERS[3]: f.member, HEADERS[4]: f.detail} for f in findings)
    out = io.BytesIO()
    (rustpy_xlsxwriter.FastExcel(out).freeze(row=1, sheet=TITLE)
     .sheet(TITLE, records, header_format=rustpy_xlsxwriter.Format().set_bold(), column_widths=[10, 28, 20, 10, 60])
     .save())
    return out.getvalue()
