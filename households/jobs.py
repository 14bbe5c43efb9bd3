"""The registry's long work, registered as kinds of jobs (jobs/kinds.py) by HouseholdsConfig.ready():
the import of a workbook (a preview, or the import itself) and the export of many households. Each
runs as its door would in the foreground, with the job's user as the actor."""

from django.urls import reverse

from common.actors import SYSTEM
from jobs.kinds import Outcome, job_kind
from jobs.runner import JobFailed

from . import access, workbook
from .audit import counts_by_county, run_audit
from .models import Household
from .services.jobs import AUDIT, EXPORT, HELPER_IMPORT, IMPORT, RECORDS_IMPORT
from .workbook import helpers as helper_book
from .workbook import records

PROBLEMS_SHOWN = 500  # on the job's page; the refused-rows workbook holds them all


def actor_of(job):
    """The user who started the job, acting again now (their role as it is now); the system for a
    job a command started. A job whose account is gone does nothing."""
    if job.user is not None:
        return job.user
    if job.username:
        raise JobFailed(f"提交任务的账号 {job.username} 已不存在")
    return SYSTEM


@job_kind(IMPORT, "导入建档立卡表", template="admin/jobs/outcome_import.html")
def run_import(job, progress) -> Outcome:
    progress(0, None, "读取工作簿")
    with job.upload.open("rb") as stored:
        data = stored.read()
    try:
        sheet = workbook.read_workbook(data)
    except workbook.WorkbookError as e:
        raise JobFailed(str(e)) from None
    dry_run = job.params.get("dry_run", False)
    report = workbook.import_sheet(sheet, actor=actor_of(job), dry_run=dry_run,
                                   reason=job.params.get("reason") or f"Excel导入：{job.upload_name}", progress=progress)
    problems = sheet.problems(report)
    data = {
        "dry_run": dry_run, "written": report.written, "rows": report.rows, "blank_rows": report.blank_rows,
        "households": report.households, "members": report.members, "refused_rows": len(report.refused_rows),
        "ignored_headers": report.ignored_headers,
        "problems": [vars(p) for p in problems[:PROBLEMS_SHOWN]], "problem_count": len(problems),
    }
    if problems:
        summary = f"有 {len(report.refused_rows) or 1} 行被拒绝，整个表格未写入（{report.summary()}）"
    elif dry_run:
        summary = f"预览：{report.summary()}。确认后才会写入"
    else:
        summary = f"导入完成：{report.summary()}"
    file = ("导入被拒绝的行.xlsx", workbook.report_workbook(sheet, report)) if problems else None
    return Outcome(summary=summary, data=data, file=file)


@job_kind(RECORDS_IMPORT, "导入记录工作簿", template="admin/jobs/outcome_records.html")
def run_records_import(job, progress) -> Outcome:
    """A workbook of records (the 动态调整 or the income workbook) through its services, all or nothing."""
    book = records.BOOKS[job.params["book"]]
    progress(0, None, "读取工作簿")
    with job.upload.open("rb") as stored:
        data = stored.read()
    dry_run = job.params.get("dry_run", False)
    try:
        sheet, report = records.import_records(book, data, actor=actor_of(job), dry_run=dry_run, progress=progress)
    except workbook.WorkbookError as e:
        raise JobFailed(str(e)) from None
    problems = sheet.problems(report)
    data = {
        # The page's confirmation posts to the book's admin (admin/books.py names it by the book's code).
        "book": book.code, "title": book.title, "dry_run": dry_run,
        "confirm": reverse(f"admin:households_{book.code}_book_confirm"),
        "list": reverse(f"admin:households_{book.code}_changelist"), "written": report.written, "rows": report.rows,
        "blank_rows": report.blank_rows, "ignored_headers": report.ignored_headers,
        "outcomes": {records.OUTCOME_LABELS[k]: n for k, n in report.outcomes.items()},
        "problems": [vars(p) for p in problems[:PROBLEMS_SHOWN]], "problem_count": len(problems),
    }
    if problems:
        summary = f"有 {len(report.refused_rows)} 行被拒绝，整个表格未写入"
    elif dry_run:
        summary = f"预览：{report.summary()}。确认后才会写入"
    else:
        summary = f"导入完成：{report.summary()}"
    file = (f"{book.title}·被拒绝的行.xlsx", records.refused_workbook(book, sheet, report)) if problems else None
    return Outcome(summary=summary, data=data, file=file)


@job_kind(HELPER_IMPORT, "导入帮扶关系表", template="admin/jobs/outcome_records.html")
def run_helper_import(job, progress) -> Outcome:
    """The assignments workbook (帮扶关系表) through services.helper_assignments_import, all or nothing."""
    progress(0, None, "读取工作簿")
    with job.upload.open("rb") as stored:
        data = stored.read()
    dry_run = job.params.get("dry_run", False)
    try:
        report = helper_book.import_file(data, actor=actor_of(job), dry_run=dry_run)
    except workbook.WorkbookError as e:
        raise JobFailed(str(e)) from None
    data = {
        # The page's confirmation posts to the assignments' admin (admin/helper_book.py).
        "title": helper_book.TITLE, "dry_run": dry_run,
        "confirm": reverse("admin:households_helperassignment_workbook_confirm"),
        "list": reverse("admin:households_helperassignment_changelist"), "written": report.written,
        "rows": report.rows, "blank_rows": report.blank_rows, "ignored_headers": report.ignored_headers,
        "outcomes": report.outcomes(), "problems": [vars(p) for p in report.problems[:PROBLEMS_SHOWN]],
        "problem_count": len(report.problems),
    }
    if report.problems:
        summary = f"有 {len({p.row for p in report.problems})} 行被拒绝，整个表格未写入"
    elif dry_run:
        summary = f"预览：{report.outcome}。确认后才会写入"
    else:
        summary = f"导入完成：{report.outcome}"
    return Outcome(summary=summary, data=data)


@job_kind(EXPORT, "导出建档立卡表", reads_replica=True)
def run_export(job, progress) -> Outcome:
    actor = actor_of(job)
    # Scoped again: what the user sees now, of the households the export was asked for.
    households = access.households_visible_to(actor).filter(pk__in=job.params.get("households", []))
    progress(0, None, "读取")
    content = workbook.export_households(Household.objects.filter(pk__in=households.values("pk")), actor=actor,
                                        door=job.params.get("door", "admin"), filters=job.params.get("filters", {}),
                                        progress=progress)
    return Outcome(summary=f"已导出 {households.count()} 户", file=("建档立卡贫困户.xlsx", content))


@job_kind(AUDIT, "数据核查", template="admin/jobs/outcome_audit.html", reads_replica=True)
def run_audit_job(job, progress) -> Outcome:
    """The data-quality checks over what the job's user sees (narrowed to a county or a check)."""
    check = job.params.get("check")
    actor = actor_of(job)
    findings = run_audit(households=access.households_visible_to(actor), county=job.params.get("county"),
                         checks=[check] if check else None, progress=progress, viewer=actor)
    return Outcome(summary=f"发现问题 {len(findings)} 条",
                   data={"findings": [f.as_dict() for f in findings], "counts": counts_by_county(findings)})
