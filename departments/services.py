"""Uploading a department's list (部门名单, issue 22) and starting its matching against the registry.
A list is kept as data beside the registry: nothing here writes a household or a member."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.actors import person
from households.access import households_visible_to
from households.audit import Finding, run_audit
from jobs.models import Job
from jobs.services import job_start

from . import access
from .checks import KIND_OF
from .kinds import ListKind
from .models import DepartmentList, ListEntry
from .workbook import WorkbookError, read_list

MATCH = "departments.match"
PROBLEMS_KEPT = 500  # on the list's page and in the API; the uploader has the file
BATCH = 5000


class ListRowsInvalid(ValidationError):
    """Rows whose ID number fails its check (or a required cell is missing), refused with the
    whole list unless the uploader keeps the valid rows: each names its row and reason."""

    def __init__(self, problems):
        self.problems = problems
        summary = (f"有 {len({p.row for p in problems})} 行未通过校验，名单未保存；"
                   "改正后重新上传，或选择“只比对通过校验的行”（keep_valid）")
        super().__init__({"file": [summary], "rows": [str(p) for p in problems[:PROBLEMS_KEPT]]})


def department_list_upload(*, actor, kind: str, list_date: datetime.date, name: str, content: bytes,
                           keep_valid: bool = False, match: bool = True) -> DepartmentList:
    """A department's list of `kind` as of `list_date` (plan 四.2: each department keeps the list of
    the people it serves), kept with who uploaded it and when, then matched against the registry as
    a job (match_job_start; `match` False leaves that to the caller, the command). Refused, nothing
    kept: an unknown kind, an uploader whose role may not upload it (access.require_list_uploadable),
    a date after today, a file too large, not a workbook or without the ID number's column, and,
    unless `keep_valid`, any row whose ID number fails its check (ListRowsInvalid, by row)."""
    if kind not in ListKind.values:
        raise ValidationError({"kind": f"未知的名单类别“{kind}”，可选：" + "、".join(
            f"{k}（{label}）" for k, label in ListKind.choices)})
    access.require_list_uploadable(actor, kind)
    if list_date > timezone.localdate():
        raise ValidationError({"list_date": f"名单日期 {list_date:%Y-%m-%d} 晚于今天，不能上传未来日期的名单"})
    if len(content) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES / (1024 * 1024)
        raise ValidationError({"file": f"文件大小 {len(content) / (1024 * 1024):.1f} MB，超过 {limit:g} MB 的上限"})
    try:
        rows, problems = read_list(kind, content)
    except WorkbookError as e:
        raise ValidationError({"file": str(e)}) from None
    if problems and not keep_valid:
        raise ListRowsInvalid(problems)
    if not rows:
        raise ValidationError({"file": "名单中没有通过校验的行，没有可比对的人员"})
    with transaction.atomic():
        department_list = DepartmentList(
            kind=kind, list_date=list_date, uploaded_by=person(actor), file_name=name[:255], rows=len(rows),
            refused_rows=len({p.row for p in problems}),
            problems=[vars(p) for p in problems[:PROBLEMS_KEPT]])
        department_list.full_clean()
        department_list.save()
        ListEntry.objects.bulk_create(
            (ListEntry(department_list=department_list, row=r.row, id_number=r.id_number, name=r.name,
                       on_date=r.on_date, detail=r.detail) for r in rows), batch_size=BATCH)
    if match:
        match_job_start(actor=actor, department_list=department_list)
    return department_list


def match_job_start(*, actor, department_list: DepartmentList) -> Job:
    """The matching of a list against the registry as a job (departments/jobs.py), with progress;
    the job is kept on the list so that its page, the admin and the API follow it."""
    access.require_list_uploadable(actor, department_list.kind)
    job = job_start(actor=actor, kind=MATCH, params={"list": department_list.pk})
    DepartmentList.objects.filter(pk=department_list.pk).update(job=job)
    department_list.job = job
    department_list.refresh_from_db(fields=["matched_at", "findings"])
    return job


def list_match(*, actor, department_list: DepartmentList, progress=None) -> list[Finding]:
    """The list's matching, the work of its job (jobs.py) and of the command: the checks of its
    kind (checks.py: the latest list of the kind against the members, by ID number) over the
    households the actor sees, each check shown to the actor (a department's own kinds); the list
    records when it ended and how many findings it gave. Nothing of the registry is written."""
    codes = [code for code, kind in KIND_OF.items() if kind == department_list.kind]
    findings = run_audit(households=households_visible_to(actor), checks=codes, progress=progress, viewer=actor)
    DepartmentList.objects.filter(pk=department_list.pk).update(matched_at=timezone.now(), findings=len(findings))
    return findings
