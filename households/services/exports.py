"""The export log: personal data leaving the registry (issue 5)."""

from common.actors import person

from ..models import ExportLog


def _plain_filters(filters: dict) -> dict:
    # Kept as JSON: PostgreSQL's jsonb refuses the NUL character a crafted query string may carry.
    def plain(value):
        return [plain(v) for v in value] if isinstance(value, list) else str(value).replace("\x00", "")

    return {plain(k): plain(v) for k, v in filters.items() if v not in (None, "", [])}


def export_log(*, actor, door: str, kind: str, filters: dict, rows: int, full_id_numbers: bool = False) -> ExportLog:
    """Issue 5: every export of personal data is logged with who, when, what filter and how many
    rows; the system (a command run without --user) is logged as nobody."""
    user = person(actor)
    return ExportLog.objects.create(
        user=user, username=user.get_username() if user else "", door=door, kind=kind,
        filters=_plain_filters(filters), rows=rows,
        full_id_numbers=full_id_numbers,
    )
