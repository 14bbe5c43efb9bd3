"""The matching of a department's list against the registry as a job (jobs/), registered by
DepartmentsConfig.ready(): the checks of the list's kind (checks.py) over the households the job's
user sees, their counts by county and check, and the findings as a workbook for the clerks."""

from common.excel import table_workbook
from households.audit import CHECKS, counts_by_county
from households.jobs import actor_of
from households.models import County
from jobs.kinds import Outcome, job_kind
from jobs.runner import JobFailed

from .models import DepartmentList
from .selectors import latest_list
from .services import MATCH, list_match

COLUMNS = {"county": "县(市、区)", "check": "检查项", "household_number": "户编号", "member": "成员编号",
           "detail": "问题", "url": "该户页面"}


@job_kind(MATCH, "部门名单比对", template="admin/jobs/outcome_audit.html")
def run_match(job, progress) -> Outcome:
    department_list = DepartmentList.objects.filter(pk=job.params.get("list")).first()
    if department_list is None:
        raise JobFailed("该名单已被删除")
    progress(0, None, "比对")
    findings = list_match(actor=actor_of(job), department_list=department_list, progress=progress)
    names = dict(County.objects.values_list("code", "name"))
    rows = ({**f.as_dict(), "county": names.get(f.county, f.county), "check": CHECKS[f.check].name} for f in findings)
    content = table_workbook(title="名单比对结果", columns=COLUMNS, rows=rows)
    latest = latest_list(department_list.kind)
    against = "" if latest is None or latest.pk == department_list.pk else f"（比对的是更新的名单：{latest}）"
    return Outcome(summary=f"{department_list}比对完成{against}：发现问题 {len(findings)} 条",
                   data={"list": department_list.pk, "findings": [f.as_dict() for f in findings[:500]],
                         "counts": counts_by_county(findings)},
                   file=(f"{department_list.get_kind_display()}比对结果.xlsx", content))
