"""The in-tray (待办) and the data-quality page (数据核查): dashboard pages, login required and
scoped like the others, each table exportable to Excel (`?export=<table>`)."""

from urllib.parse import urlencode

from django import forms
from django.http import HttpResponseRedirect
from django.urls import reverse

from households import audit as checks
from households.models import County
from households.services.jobs import audit_job
from jobs.models import JobState
from plans import checks as plan_checks
from plans.access import may_explain_findings
from plans.close_selectors import explained_by_county, with_explanations
from workflows import selectors

from ..forms import DashboardFilter
from ..tables import Table, findings_table
from .pages import InvalidFilter, dashboard_page, read_filters, respond

# The whole city's findings (7,712 in the demo) would make a page of megabytes: the page lists the
# first ones, each count above opens its county's and check's, the export holds them all.
FINDINGS_SHOWN = 1000


def _county_names() -> dict[str, str]:
    return dict(County.objects.values_list("code", "name"))


@dashboard_page
def in_tray(request):
    form = read_filters(request, "county")
    tasks, counts = selectors.in_tray(user=request.user, county=form.cleaned_data["county"])
    names = _county_names()
    rows = [
        {
            "kind": selectors.KINDS[t.kind], "who": t.who,
            # A case opens in the admin; a household due for a visit on its page.
            "who_url": (reverse("admin:workflows_case_change", args=[t.case.pk]) if t.case
                        else reverse("dashboard:household", args=[t.household.pk])),
            "county": names.get(t.county), "village": t.place.name,
            "state": t.case.get_state_display() if t.case else "", "task": t.task,
            "waits_on": selectors.WAITS_ON_LABELS[t.waits_on], "since": t.since,
        }
        for t in tasks
    ]
    columns = {"kind": "事项", "who": "户编号或申请人", "county": "县(市、区)", "village": "村", "state": "当前环节",
               "task": "待办", "waits_on": "等待", "since": "上一环节或上次走访日期"}
    summary = [(selectors.WAITS_ON_LABELS[key], n) for key, n in counts.items()]
    table = Table("in_tray", "待办：未办结的识别与退出流程和超期未走访的户", columns, rows,
                  note="县扶贫办录入员代村、乡镇、县办理各环节；入户核实未通过的退出等审核员放行。"
                       "帮扶走访：超过设置 HELPER_VISIT_DAYS 天未走访的户，等村（帮扶责任人）走访。")
    return respond(request, "dashboard/in_tray.html", {"form": form, "summary": summary}, [table])


class AuditFilter(DashboardFilter):
    """The county, and one check: a clerk works through the findings check by check, and one check
    runs in a fraction of the time of all of them."""

    check = forms.ChoiceField(label="检查项", required=False)

    def __init__(self, data, *, user):
        super().__init__(data, user=user, fields=("county", "check"))
        self.fields["check"].choices = [("", "全部"), *((c.code, c.name) for c in checks.checks_for(user))]

    def clean_check(self) -> str | None:
        return self.cleaned_data["check"] or None


@dashboard_page
def audit(request):
    """The findings of the data-quality checks over what the user sees, run as a job (they grow with
    every check and year): the page follows the job's progress, then shows its findings; 重新核查
    (a POST) runs them again at once."""
    form = AuditFilter(request.GET, user=request.user)
    if not form.is_valid():
        raise InvalidFilter(form)
    check, county = form.cleaned_data["check"], form.cleaned_data["county"]
    job = audit_job(actor=request.user, county=county, check=check, again=request.method == "POST")
    if request.method == "POST":
        return HttpResponseRedirect(request.get_full_path())
    context = {"form": form, "job": job, "status_url": reverse("job-detail", args=[job.pk])}
    if job.state != JobState.DONE:
        return respond(request, "dashboard/audit.html", context, [])
    # Explained findings stay listed, their explanation beside them, and are counted apart (issue 19).
    findings = with_explanations(job.outcome["findings"], user=request.user)
    explained = explained_by_county(findings)
    names = _county_names()
    # A query a county at most: who may explain is decided per county.
    explainable = {c for c in {f["county"] for f in findings} if may_explain_findings(request.user, c)}
    rows = [{**_finding_row(f, names), **_explanation_cells(f, f["county"] in explainable)} for f in findings]
    columns = {"county": "县(市、区)", "check": "检查项", "household": "户编号", "member": "成员编号", "detail": "问题",
               "year": "年度", "explanation": "说明"}
    enabled = [c for c in checks.checks_for(request.user) if check in (None, c.code)]
    count_columns = {"county": "县(市、区)", "total": "合计", "explained": "其中已说明", **{c.code: c.name for c in enabled}}
    # Each count opens the page narrowed to its county (and check): the findings behind the number.
    count_rows = [{"county": names.get(r["county"]), "total": r["total"], "total_url": f"?county={r['county']}",
                   "explained": explained.get(r["county"], 0),
                   **{c.code: r["checks"].get(c.code, 0) for c in enabled},
                   **{f"{c.code}_url": f"?county={r['county']}&check={c.code}" for c in enabled
                      if r["checks"].get(c.code)}} for r in job.outcome["counts"]]
    page_tables = [
        Table("counts", "各县(市、区)问题数", count_columns, count_rows, wide=True),
        Table("findings", "核查发现的问题", columns, rows, shown=FINDINGS_SHOWN,
              note=f"共检查 {len(enabled)} 项；问题按县、户排列，点户编号查看该户；各县的数字打开该县、该项的问题。"),
    ]
    # The city's records against the plan (plans/checks.py), for those who see the whole city: their
    # findings name households and villages of every county.
    records = plan_checks.findings(user=request.user)["records"]
    if records is not None:
        page_tables.insert(0, findings_table("records", "工作记录对照计划的检查（全市）", records))
    return respond(request, "dashboard/audit.html",
                   {**context, "total": len(findings), "explained": sum(explained.values())}, page_tables)


def _finding_row(f: dict, names: dict[str, str]) -> dict:
    return {"county": names.get(f["county"]), "check": f["name"], "household": f["household_number"],
            "household_url": f["url"], "member": f["member"], "detail": f["detail"], "year": f["year"]}


def _explanation_cells(f: dict, may_explain: bool) -> dict:
    """The explanation, with its year when it is for one of the years a finding without a year
    counts against; or, to whoever may explain it, a link to the admin's form filled in for it."""
    e = f["explanation"]
    if e:
        return {"explanation": e["reason"] if f["year"] else f"{e['year']}年度：{e['reason']}"}
    if not may_explain:
        return {}
    query = urlencode({"check_code": f["check"], "county": f["county"], "year": f["year"] or "", "target": f["target"]})
    return {"explanation": "说明…", "explanation_url": f"{reverse('admin:households_findingexplanation_add')}?{query}"}
