"""Starting the registry's long work as jobs (jobs/): a workbook's import, an export of many
households. Who may start it is decided here, as the work itself will decide again when it runs."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.actors import person
from jobs.models import Job, JobState
from jobs.services import job_refresh, job_start

from .. import access
from ..audit import counts_by_county, run_audit
from .imports import import_gate

IMPORT, EXPORT, AUDIT = "households.import", "households.export", "households.audit"
RECORDS_IMPORT = "households.records_import"  # the workbooks of records beside the registry (workbook/records.py)
HELPER_IMPORT = "households.helper_assignments_import"  # the assignments workbook (workbook/helpers.py)


def import_job_start(*, actor, name: str, content: bytes, dry_run: bool, reason: str) -> Job:
    """An import of a workbook (or its dry run, the preview) in the background. Refused at once: an
    actor who may import nowhere, a file above IMPORT_MAX_BYTES; the same workbook while it is being
    imported (jobs.services.job_start)."""
    _upload_check(actor, content)
    return job_start(actor=actor, kind=IMPORT, params={"dry_run": dry_run, "reason": reason}, upload=(name, content))


def records_import_job_start(*, actor, book: str, name: str, content: bytes, dry_run: bool) -> Job:
    """An import of a workbook of records (`book`: a code of workbook.records.BOOKS), or its
    preview, in the background; refused at once as import_job_start() is."""
    _upload_check(actor, content)
    return job_start(actor=actor, kind=RECORDS_IMPORT, params={"book": book, "dry_run": dry_run},
                     upload=(name, content))


def helper_import_job_start(*, actor, name: str, content: bytes, dry_run: bool) -> Job:
    """An import of the assignments workbook (帮扶关系表), or its preview, in the background; refused
    at once as import_job_start() is."""
    _upload_check(actor, content)
    return job_start(actor=actor, kind=HELPER_IMPORT, params={"dry_run": dry_run}, upload=(name, content))


def _upload_check(actor, content: bytes) -> None:
    import_gate(actor=actor)
    if len(content) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES / (1024 * 1024)
        raise ValidationError({"file": f"文件大小 {len(content) / (1024 * 1024):.1f} MB，超过 {limit:g} MB 的上限"})


def export_job_start(*, actor, households, door: str, filters: dict) -> Job:
    """An export of these households (already scoped to what the actor sees; scoped again when it
    runs) in the background."""
    pks = list(households.order_by().values_list("pk", flat=True))
    return job_start(actor=actor, kind=EXPORT, params={"households": pks, "door": door, "filters": filters})


def audit_job(*, actor, county: str | None, check: str | None, again: bool = False) -> Job:
    """The data-quality checks over what the actor sees (plan 四.2: the registry's accuracy is the
    county's work, checked by the city) as a job: the actor's latest of the same scope, running or
    done within AUDIT_REUSE_MINUTES, unless `again`; a new one otherwise."""
    params = {"county": county, "check": check}
    if not again:
        since = timezone.now() - datetime.timedelta(minutes=settings.AUDIT_REUSE_MINUTES)
        user = person(actor)
        recent = (Job.objects.filter(kind=AUDIT, user=user, username=user.get_username() if user else "",
                                     params=params, created_at__gte=since)
                  .exclude(state=JobState.FAILED).order_by("-created_at").first())
        if recent is not None and job_refresh(recent).state != JobState.FAILED:
            return recent
    return job_start(actor=actor, kind=AUDIT, params=params)


def audit_findings(*, actor, county: str | None = None, check: str | None = None) -> tuple[list[dict], list[dict]] | Job:
    """The data-quality findings over what the actor sees (as Finding.as_dict() gives them) and
    their counts by county (counts_by_county): at once for a scope of at most JOB_AUDIT_HOUSEHOLDS
    households; above, those of the actor's recent run of the same scope (audit_job), or that run's
    job while it is not done, so that no request waits for the whole city's checks."""
    households = access.households_visible_to(actor)
    if (households.for_county(county) if county else households).count() <= settings.JOB_AUDIT_HOUSEHOLDS:
        findings = run_audit(households=households, county=county, checks=[check] if check else None, viewer=actor)
        return [f.as_dict() for f in findings], counts_by_county(findings)
    job = audit_job(actor=actor, county=county, check=check)
    if job.state != JobState.DONE:
        return job
    return job.outcome["findings"], job.outcome["counts"]
