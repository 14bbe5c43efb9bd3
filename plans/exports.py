"""The plan's tables as Excel: a column map and a row function each (STYLE habit 8), shared by the
admin, the API and the dashboards. Each holds what the user may see, as the overview page shows it
(selectors.progress and checks.findings scope them through households/access.py)."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.utils import timezone

from common.excel import tables_workbook, xlsx_response
from households.exports import table_response
from households.models import HouseholdCategory, PovertyCause, ReliefChannel, YearClose
from households.services import export_log

from .checks import Finding, findings
from .figures import flatten, sha256
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


# ---------------------------------------------------------------- a year-end close (issue 19 point 5)

CLOSE_FIGURE_COLUMNS = {"figure": "数据项（规范JSON中的路径）", "label": "名称", "value": "数值"}
CLOSE_PROOF_COLUMNS = {"item": "项目", "value": "内容"}

# The figures' names (plans/figures.py): the fixed ones, then those under a code of a category,
# cause or channel, named by the code's label.
FIGURE_LABELS = {
    "form": "数据格式版本", "county": "区划代码", "county_name": "县(市、区)", "year": "年度",
    **{f"progress.{k}": f"减贫任务完成情况：{v}" for k, v in PROGRESS_COLUMNS.items()},
    "exited.households": "当年脱贫户数", "exited.persons": "当年脱贫人数",
    "returned.households": "当年返贫户数", "returned.persons": "当年返贫人数",
    "population_year_end": "年底建档立卡贫困人口",
    "identified.households": "当年识别户数", "identified.persons": "当年识别户年底在户人数",
}
GROUP_LABELS = {"identified.by_category": "当年识别户·贫困户类别", "identified.by_cause": "当年识别户·主要致贫原因",
                "measures_by_channel": "当年帮扶措施·帮扶渠道"}
COUNT_LABELS = {"households": "户数", "persons": "人数", "measures": "项数", "amount": "金额（元）"}


def close_export_rows(close: YearClose) -> tuple[list[dict], list[dict]]:
    """Runs two queries (the causes' and channels' names). The close's kept figures, one a row named
    by its path in the canonical JSON and in Chinese; then what proves them: the county-year, its
    state and who accepted it when, the canonical JSON itself and its SHA-256 (docs/closes.md).
    Refused for a county-year never accepted: it keeps no figures."""
    if not close.figures:
        raise ValidationError({"figures": f"{close}尚未锁定，没有锁定时的数据可导出"})
    codes = {**dict(HouseholdCategory.choices), **dict(PovertyCause.objects.values_list("code", "name")),
             **dict(ReliefChannel.objects.values_list("code", "name"))}
    rows = []
    for path, value in flatten(json.loads(close.figures)).items():
        label = FIGURE_LABELS.get(path)
        group = next((g for g in GROUP_LABELS if path.startswith(f"{g}.")), None)
        if label is None and group is not None:
            code, count = path[len(group) + 1:].rsplit(".", 1)
            label = f"{GROUP_LABELS[group]}·{codes.get(code, code)}·{COUNT_LABELS.get(count, count)}"
        if path == "progress.status":
            value = STATUS_LABELS.get(value, value)
        rows.append({"figure": path, "label": label or path, "value": value})
    accepted_by = close.accepted_by.get_username() if close.accepted_by else ""
    proof = [
        {"item": "县(市、区)", "value": f"{close.county.name}（{close.county_id}）"},
        {"item": "年度", "value": close.year},
        {"item": "状态", "value": close.get_state_display()},
        {"item": "锁定人", "value": accepted_by},
        {"item": "锁定时间", "value": timezone.localtime(close.accepted_at).strftime("%Y-%m-%d %H:%M")
         if close.accepted_at else ""},
        {"item": "规范JSON", "value": close.figures},
        {"item": "SHA-256", "value": close.figures_sha256},
        {"item": "SHA-256与规范JSON相符", "value": sha256(close.figures) == close.figures_sha256},
        {"item": "核对方法", "value": "将“规范JSON”一格的文本按UTF-8保存为文件（末尾不加换行），"
                                  "用 sha256sum 计算，应与“SHA-256”一致（docs/closes.md）。"},
    ]
    return rows, proof


def close_workbook(close: YearClose) -> bytes:
    """Runs two queries. A close as Excel (issue 19 point 5): a sheet of its figures, a sheet of the
    canonical JSON and its hash, so that the figure a county sent upward can be checked later."""
    rows, proof = close_export_rows(close)
    return tables_workbook([("锁定数据", CLOSE_FIGURE_COLUMNS, rows), ("规范JSON与SHA-256", CLOSE_PROOF_COLUMNS, proof)])


def close_response(request, close: YearClose, *, door: str):
    """close_workbook() as a logged download (the export log, like every other), for the admin and
    the API's /api/v1/closes/{id}/export/."""
    content = close_workbook(close)
    export_log(actor=request.user, door=door, kind="year_close", filters={"county": close.county_id, "year": close.year},
               rows=1)
    return xlsx_response(content, f"{close.county.name}{close.year}年度锁定数据.xlsx")
