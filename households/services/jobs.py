"""Starting the registry's long work as jobs (jobs/): a workbook's import, an export of many
households. Who may start it is decided here, as the work itself will decide again when it runs."""

from django.conf import settings
from django.core.exceptions import ValidationError

from jobs.models import Job
from jobs.services import job_start

from .imports import import_gate

IMPORT, EXPORT = "households.import", "households.export"


def import_job_start(*, actor, name: str, content: bytes, dry_run: bool, reason: str) -> Job:
    """An import of a workbook (or its dry run, the preview) in the background. Refused at once: an
    actor who may import nowhere, a file above IMPORT_MAX_BYTES; the same workbook while it is being
    imported (jobs.services.job_start)."""
    import_gate(actor=actor)
    if len(content) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES / (1024 * 1024)
        raise ValidationError({"file": f"文件大小 {len(content) / (1024 * 1024):.1f} MB，超过 {limit:g} MB 的上限"})
    return job_start(actor=actor, kind=IMPORT, params={"dry_run": dry_run, "reason": reason}, upload=(name, content))


def export_job_start(*, actor, households, door: str, filters: dict) -> Job:
    """An export of these households (already scoped to what the actor sees; scoped again when it
    runs) in the background."""
    pks = list(households.order_by().values_list("pk", flat=True))
    return job_start(actor=actor, kind=EXPORT, params={"households": pks, "door": door, "filters": filters})
