"""The plan's tables as Excel: a column map and a row function each (STYLE habit 8), shared by the
admin, the API and the dashboards. Each holds what the user may see, as the overview page shows it
(selectors.progress and checks.findings scope them through households/access.py)."""

import datetime

from households.exports import table_response

from .checks import Finding, findings
from .selectors import FIGURES_LABELS, ProgressRow, progress

STATUS_LABELS = {"met": "已完成", "behind": "未完成", "not_yet_due": "未到期"}
SEVERITY_LABELS = {"error": "错误", "note": "计划文本出入", "warning": "未达要求"}

PROGRESS_COLUMNS = {
    "county": "区划代码",
    "county_name": "县(市、区)",
    "year": "年度",
    "quota": "减贫任务（人）",
    "exited": "脱贫（人）",
    "returned": "返贫（人）",
    "net": "净减贫（人）",
    "percent": "完成率（%）",
    "shortfall": "差额（人）",
    "status": "状态",
    "figures": "数据",
}

FINDING_COLUMNS = {
    "name": "检查项",
    "severity": "类别",
    "expected": "应为",
    "actual": "实为",
    "ok": "通过",
    "items": "明细",
}


def progress_row(row: ProgressRow) -> dict:
    return {**row.as_dict(), "year": row.year or "2015–2018", "status": STATUS_LABELS[row.status],
            "figures": FIGURES_LABELS[row.figures]}


def finding_row(finding: Finding) -> dict:
    return {
        **finding.as_dict(),
        "severity": SEVERITY_LABELS.get(finding.severity, finding.severity),
        "expected": str(finding.expected),
        "actual": str(finding.actual),
        "items": "；".join(map(str, finding.items)),
    }


def visible_progress(user, **query) -> list[ProgressRow]:
    """quota_progress(**query) for the counties the user may see (access.counties_visible_to)."""
    return progress(user=user, **query).years


def visible_findings(user, *, as_of: datetime.date) -> list[Finding]:
    """Every check for those who see the whole city; the plan against itself for everyone else, since
    the records' findings name households and villages of every county."""
    found = findings(user=user, as_of=as_of)
    return [*found["consistency"], *(found["records"] or [])]


def progress_response(request, *, door: str, filters: dict, **query):
    """The quota progress table (visible_progress) as a logged Excel download."""
    rows = [progress_row(r) for r in visible_progress(request.user, **query)]
    return table_response(request, kind="quota_progress", title="减贫任务完成情况", columns=PROGRESS_COLUMNS,
                          rows=rows, filters=filters, door=door)


def consistency_response(request, *, door: str, filters: dict, as_of: datetime.date):
    """The plan consistency report as a logged Excel download."""
    rows = [finding_row(f) for f in visible_findings(request.user, as_of=as_of)]
    return table_response(request, kind="consistency", title="计划一致性检查", columns=FINDING_COLUMNS,
                          rows=rows, filters=filters, door=door)
